import { registeredJobs } from '../../src/jobs/all-jobs';

test('the server starts every feature’s background job', () => {
  expect(registeredJobs().sort()).toEqual([
    'action-digests',
    'attendance-reminders',
    'research-reminders',
    'retention',
    'youth-check-retention',
  ]);
});
