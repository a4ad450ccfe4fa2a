// Every feature's background jobs, registered with the scheduler by importing their modules.
import './scheduler';
import '../attendance/attendance.jobs';
import '../retention/retention.jobs';

export { startJobs, stopJobs, registeredJobs } from './scheduler';
