import type { Job } from '../jobs/scheduler';

export const youthCheckJobs: Job[] = [
  // Daily in effect: a run with nothing past its period costs one index lookup, and clearing is idempotent.
  { name: 'youth-check-retention', everyMinutes: 60, run: (services) => services.youthChecks.clearExpired() },
];
