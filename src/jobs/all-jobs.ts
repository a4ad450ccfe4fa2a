import type { Services } from '../services';
import { startJobs as start, stopJobs, type Job } from './scheduler';
import { actionJobs } from '../actions/actions.jobs';
import { attendanceJobs } from '../attendance/attendance.jobs';
import { researchJobs } from '../research/research.jobs';
import { retentionJobs } from '../retention/retention.jobs';
import { youthCheckJobs } from '../youth-checks/youth-checks.jobs';

/** Every feature's background jobs: each feature declares its own in its `x.jobs.ts`. */
export const ALL_JOBS: readonly Job[] = [
  ...attendanceJobs,
  ...researchJobs,
  ...actionJobs,
  ...retentionJobs,
  ...youthCheckJobs,
];

export function registeredJobs(): string[] {
  return ALL_JOBS.map((j) => j.name);
}

export function startJobs(services: Services): void {
  start(services, ALL_JOBS);
}

export { stopJobs };
