import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { createServices, type Services } from './services';
import { createApp } from './app';
import { systemClock } from './clock';
import { seedDemoData } from './seed/seed';
import { stampedBy } from './db/clock-timestamps';
import { pruneSessions } from './auth/session-store';
import { startJobs, stopJobs } from './jobs/all-jobs';
import type { Config } from './config';
import type { DatabaseHandle } from './db/database';

/** The share of the stop's time bound that requests in flight may take; the rest closes mail, browser and pool. */
const REQUESTS_SHARE = 0.6;

const within = <T>(work: Promise<T>, ms: number): Promise<boolean> =>
  Promise.race([
    work.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), Math.max(0, ms)).unref()),
  ]);

/**
 * Tracks the responses in flight so that a stop can answer each with `Connection: close`: the
 * client (a load balancer draining this instance) then sends its next request elsewhere instead of
 * on a connection that is about to close. A response stays in flight until the app has ended it,
 * even when its client has gone: the handler is still reading and auditing, and the database must
 * not close under it.
 */
function trackRequests(server: Server) {
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  let allEnded: (() => void) | undefined;
  const closeWhenDone = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  const settle = (res: ServerResponse) => {
    if (!inFlight.delete(res) || !draining) return;
    // A response whose headers went out before the stop left its connection open: close it now it is idle.
    setImmediate(() => server.closeIdleConnections());
    if (inFlight.size === 0) allEnded?.();
  };
  // Ahead of the app's own listener, so that a response the app ends at once is still counted.
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    inFlight.add(res);
    if (draining) closeWhenDone(res);
    // The app has finished with a response when it ends it, or destroys it after a late failure.
    for (const method of ['end', 'destroy'] as const) {
      const original = res[method].bind(res) as (...args: unknown[]) => ServerResponse;
      res[method] = ((...args: unknown[]) => {
        const result = original(...args);
        settle(res);
        return result;
      }) as never;
    }
  });
  return {
    get inFlight() {
      return inFlight.size;
    },
    drain(): Promise<void> {
      draining = true;
      for (const res of inFlight) closeWhenDone(res);
      const ended = new Promise<void>((resolve) => {
        allEnded = resolve;
        if (inFlight.size === 0) resolve();
      });
      const closed = new Promise<void>((resolve) => {
        // After this turn of the event loop, so that requests already received on keep-alive
        // connections are read (and answered with Connection: close) rather than cut off as idle.
        setImmediate(() => server.close(() => resolve()));
      });
      return Promise.all([closed, ended]).then(() => undefined);
    },
  };
}

interface Running {
  config: Readonly<Config>;
  logger: Logger;
  database: DatabaseHandle;
  services: Services;
  server: Server;
  requests: ReturnType<typeof trackRequests>;
  pruner: NodeJS.Timeout;
}

/**
 * A clean stop within config.shutdownTimeoutMs: stop accepting and answer the requests in flight
 * with Connection: close (idle keep-alive connections close at once), stop the mail worker claiming
 * and give back what it has not attempted, then close the jobs, the browser and the pool; exit 0.
 * Past the bound, whatever is left is cut off and the process exits 1.
 */
async function stop(running: Running, signal: string): Promise<never> {
  const { config, logger, database, services, server, requests } = running;
  const started = Date.now();
  const left = () => config.shutdownTimeoutMs - (Date.now() - started);
  setTimeout(() => {
    logger.error({ signal, timeoutMs: config.shutdownTimeoutMs }, 'stop took too long: exiting');
    process.exit(1);
  }, config.shutdownTimeoutMs).unref();
  logger.info({ signal, inFlight: requests.inFlight }, 'stopping: finishing requests in flight');
  clearInterval(running.pruner);
  const mailStopped = services.mailWorker.stop();
  const drained = await within(requests.drain(), config.shutdownTimeoutMs * REQUESTS_SHARE);
  if (!drained) {
    logger.warn({ inFlight: requests.inFlight }, 'requests still in flight at the time limit: closing them');
    server.closeAllConnections();
  }
  let clean = drained;
  clean = (await within(mailStopped, left() - 1000)) && clean;
  clean = (await within(stopJobs(), left() - 1000)) && clean;
  services.mailTransport.close();
  clean = (await within(services.shutdown(), left() - 500)) && clean;
  clean = (await within(database.close(), left())) && clean;
  logger.info({ ms: Date.now() - started, clean }, 'stopped');
  process.exit(clean ? 0 : 1);
}

async function addDemoDataIfWanted(config: Readonly<Config>, logger: Logger, database: DatabaseHandle): Promise<void> {
  const wanted =
    config.seedDemoData === 'true' ||
    (config.seedDemoData === 'auto' && database.mode === 'embedded' && config.env !== 'production');
  if (!wanted) return;
  if (await seedDemoData(stampedBy(database.db, systemClock), systemClock, config.demoPassword, config.baseUrl, logger))
    logger.info('demo data added');
}

/** Serves the app over an open, migrated database: demo data when wanted, the server, the workers and jobs. */
export async function serve(logger: Logger, config: Readonly<Config>, database: DatabaseHandle): Promise<void> {
  await addDemoDataIfWanted(config, logger, database);

  const services = createServices({ config, database, clock: systemClock, logger });
  const app = createApp(services);
  const server: Server = app.listen(config.port, () => {
    logger.info(
      { port: config.port, database: database.mode, mail: services.mailTransport.describe() },
      `ASBRAC Manager listening on ${config.baseUrl}`,
    );
  });
  server.keepAliveTimeout = 5000;
  const requests = trackRequests(server);
  services.mailWorker.start();
  startJobs(services);
  const pruner = setInterval(
    () => {
      pruneSessions(services.db, systemClock).catch((err: unknown) => logger.warn({ err }, 'session prune failed'));
    },
    10 * 60 * 1000,
  );
  pruner.unref();

  const running: Running = { config, logger, database, services, server, requests, pruner };
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    void stop(running, signal);
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}
