import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from './config';
import { embeddedDir, openEmbedded, openPostgres, type DatabaseHandle } from './db/database';
import { migrateToLatest } from './db/migrate';

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, base: { service: 'asbrac-manager' } });
}

/** Logs an error that ends the process (with its stack, inside the JSON line) and exits 1. */
export function logFatalAndExit(logger: Logger, err: unknown, message: string): never {
  logger.fatal({ err }, err instanceof Error ? `${message}: ${err.message}` : message);
  process.exit(1);
}

/** Loads the configuration, or logs which variable is wrong and exits. */
export function configOrExit(): Readonly<Config> {
  // A .env file beside package.json is read first; the environment wins over it.
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig();
  } catch (err) {
    // Before the configuration there is no level: the default logger says what is wrong.
    const logger = createLogger({ logLevel: 'info' });
    if (err instanceof ConfigError) {
      logger.fatal({ variable: err.variable }, err.message);
      process.exit(1);
    }
    return logFatalAndExit(logger, err, 'configuration could not be read');
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * PGlite does not lock its data directory, and two processes writing one directory corrupt it.
 * This lock refuses a second process instead.
 */
function lockEmbeddedDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, '..', 'pglite.lock');
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8'));
    if (pid && pid !== process.pid && processAlive(pid)) {
      throw new Error(
        `The embedded database in ${dir} is in use by process ${pid}. Stop it first, or set DATABASE_URL to use PostgreSQL.`,
      );
    }
  }
  writeFileSync(lock, String(process.pid));
  return () => rmSync(lock, { force: true });
}

/** Opens the configured database (PostgreSQL, or embedded under DATA_DIR) and migrates it. */
export async function openDatabase(config: Readonly<Config>, logger: Logger): Promise<DatabaseHandle> {
  let database: DatabaseHandle;
  if (config.databaseUrl) {
    database = openPostgres(config.databaseUrl, config.databasePoolSize, logger);
  } else {
    const dir = embeddedDir(config.dataDir);
    const unlock = lockEmbeddedDir(dir);
    const embedded = await openEmbedded(dir, logger);
    database = {
      ...embedded,
      close: async () => {
        await embedded.close();
        unlock();
      },
    };
  }
  const applied = await migrateToLatest(database.db);
  if (applied.length) logger.info({ migrations: applied }, 'database migrated');
  return database;
}
