import type { Job } from '../jobs/scheduler';
import { sendAttendanceReminders } from './attendance.service';

export const attendanceJobs: Job[] = [
  // Hourly runs find the day three working days before each panel; reminder_log keeps it to once.
  {
    name: 'attendance-reminders',
    everyMinutes: 60,
    run: (services) => sendAttendanceReminders(services, services.clock.now()),
  },
];
