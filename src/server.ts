import { configOrExit, createLogger, logFatalAndExit, openDatabase } from './bootstrap';

// The server's entry point. The database is opened (the embedded one started, and migrated) while
// the rest of the app's code loads: both take about a second, and they overlap.

const config = configOrExit();
const logger = createLogger(config);
// Every error goes to the structured log, never as a bare stack trace.
process.on('uncaughtException', (err) => logFatalAndExit(logger, err, 'uncaught exception'));
process.on('unhandledRejection', (err) => logFatalAndExit(logger, err, 'unhandled rejection'));
const opening = openDatabase(config, logger);
Promise.all([opening, import('./serve.js')])
  .then(([database, { serve }]) => serve(logger, config, database))
  .catch((err: unknown) => logFatalAndExit(logger, err, 'start-up failed'));
