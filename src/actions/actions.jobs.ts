import type { Job } from '../jobs/scheduler';
import { sendActionDigests } from './actions.service';

export const actionJobs: Job[] = [
  // Action digests: hourly runs send each person one a week (reminder_log), from the first run of the London week.
  { name: 'action-digests', everyMinutes: 60, run: (services) => sendActionDigests(services, services.clock.now()) },
];
