import type { Services } from '../services';
import { sendActionDigests } from '../actions/actions.service';

/**
 * Background jobs run every few minutes by each app instance. Jobs must be safe to run from
 * several instances at once (reminders claim a row in reminder_log before sending).
 */
type Job = { name: string; everyMinutes: number; run: (services: Services) => Promise<unknown> };

const jobs = new Map<string, Job>();
const timers: NodeJS.Timeout[] = [];
const running = new Set<Promise<unknown>>();

export function registerJob(name: string, run: (services: Services) => Promise<unknown>, everyMinutes = 60): void {
  jobs.set(name, { name, run, everyMinutes });
}

export function registeredJobs(): string[] {
  return [...jobs.keys()];
}

export function startJobs(services: Services): void {
  for (const job of jobs.values()) {
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

// Research reminders go out on the working day before the closing date; hourly runs find that day.
registerJob('research-reminders', (services) => services.research.sendResearchReminders(services.clock.now()), 60);

// Action digests: hourly runs send each person one a week (reminder_log), from the first run of the London week.
registerJob('action-digests', (services) => sendActionDigests(services, services.clock.now()), 60);
