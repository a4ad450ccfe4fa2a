import { registerJob } from '../jobs/scheduler';
import { sendAttendanceReminders } from './attendance.service';

// Hourly runs find the day three working days before each panel; reminder_log keeps it to once.
registerJob('attendance-reminders', (services) => sendAttendanceReminders(services, services.clock.now()), 60);
