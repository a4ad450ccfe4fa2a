import type { Job } from '../jobs/scheduler';

export const retentionJobs: Job[] = [
  // The retention rule is daily, but the job runs hourly: timers restart with the process, and a
  // run with nothing due costs one index lookup. Anonymising is idempotent, so instances may overlap.
  { name: 'retention', everyMinutes: 60, run: (services) => services.retention.run() },
];
