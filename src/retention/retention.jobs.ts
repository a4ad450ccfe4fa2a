import { registerJob } from '../jobs/scheduler';
import { runRetention } from './retention.service';

// The retention rule is daily, but the job runs hourly: timers restart with the process, and a
// run with nothing due costs one index lookup. Anonymising is idempotent, so instances may overlap.
registerJob('retention', (services) => runRetention(services, services.clock.now()), 60);
