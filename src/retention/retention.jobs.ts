import type { Job } from '../jobs/scheduler';

export const retentionJobs: Job[] = [
  // The retention rule is daily, but the job runs hourly: timers restart with the process, and a
  // run with nothing due costs two index lookups. It only lists cases for review and clears old
  // e-mail bodies, both idempotent, so instances may overlap; destruction waits for a person.
  { name: 'retention', everyMinutes: 60, run: (services) => services.retention.run() },
];
