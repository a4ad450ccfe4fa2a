import type { Server } from 'node:http';
import { configOrExit, createLogger, openDatabase } from './bootstrap';
import { createServices } from './services';
import { createApp } from './app';
import { systemClock } from './clock';
import { seedDemoData } from './seed/seed';
import { stampedBy } from './db/clock-timestamps';
import { pruneSessions } from './auth/session-store';
import { startJobs, stopJobs } from './jobs/all-jobs';

async function main(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger(config);
  const database = await openDatabase(config, logger);

  const seedWanted =
    config.seedDemoData === 'true' ||
    (config.seedDemoData === 'auto' && database.mode === 'embedded' && config.env !== 'production');
  if (
    seedWanted &&
    (await seedDemoData(stampedBy(database.db, systemClock), systemClock, config.demoPassword, config.baseUrl))
  )
    logger.info('demo data added');

  const services = createServices({ config, database, clock: systemClock, logger });
  const app = createApp(services);
  const server: Server = app.listen(config.port, () => {
    logger.info(
      { port: config.port, database: database.mode, mail: services.mailTransport.describe() },
      `ASBRAC Manager listening on ${config.baseUrl}`,
    );
  });
  server.keepAliveTimeout = 5000;
  services.mailWorker.start();
  startJobs(services);
  const pruner = setInterval(
    () => {
      pruneSessions(services.db, systemClock).catch((err: Error) =>
        logger.warn({ err: { message: err.message } }, 'session prune failed'),
      );
    },
    10 * 60 * 1000,
  );
  pruner.unref();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing requests in flight');
    clearInterval(pruner);
    // Stop accepting, let requests in flight finish, then close idle keep-alive sockets.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), 20000);
    force.unref();
    await closed;
    await stopJobs();
    await services.mailWorker.stop();
    services.mailTransport.close();
    await services.shutdown();
    await database.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
