import type { Job } from '../jobs/scheduler';

export const researchJobs: Job[] = [
  // Research reminders go out on the working day before the closing date; hourly runs find that day.
  {
    name: 'research-reminders',
    everyMinutes: 60,
    run: (services) => services.research.sendResearchReminders(services.clock.now()),
  },
];
