import type { Services } from '../services';

/**
 * Background jobs run every few minutes by each app instance. Jobs must be safe to run from
 * several instances at once (reminders claim a row in reminder_log before sending).
 */
export interface Job {
  name: string;
  everyMinutes: number;
  run: (services: Services) => Promise<unknown>;
}

const timers: NodeJS.Timeout[] = [];
const running = new Set<Promise<unknown>>();

export function startJobs(services: Services, jobs: readonly Job[]): void {
  for (const job of jobs) {
    const tick = () => {
      const p = job
        .run(services)
        .catch((err: unknown) => services.logger.error({ err, job: job.name }, 'job failed'))
        .finally(() => running.delete(p));
      running.add(p);
    };
    const timer = setInterval(tick, job.everyMinutes * 60_000);
    timer.unref();
    // A first run soon after start, so a restart never delays a due reminder by a whole period.
    const first = setTimeout(tick, 30_000);
    first.unref();
    timers.push(timer, first);
  }
}

/** Stops the timers and waits for the runs in flight. */
export async function stopJobs(): Promise<void> {
  for (const t of timers.splice(0)) clearTimeout(t);
  await Promise.allSettled([...running]);
}
