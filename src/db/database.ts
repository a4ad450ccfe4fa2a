import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { CamelCasePlugin, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import type { Logger } from 'pino';
import type { Database } from './schema';
import { prepareStatements } from './prepared-statements';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  pool: pg.Pool;
  mode: 'postgres' | 'embedded';
  /** The embedded database itself, in embedded mode (for dumping its data directory). */
  pglite?: PGlite;
  close(): Promise<void>;
}

// pg returns int8 (count(*), bigint ids) as strings and timestamptz as Date: both kept. A `date`
// column is a calendar day with no time zone, so it stays the 'YYYY-MM-DD' text PostgreSQL sends
// (as a Date it would become local midnight and shift a day east or west of UTC).
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);

export function kyselyOver(pool: pg.Pool): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
}

/** Listens for the pool's errors, and readies each new connection: its errors heard, its statements prepared. */
function tendPool(pool: pg.Pool, logger: Logger | undefined): void {
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', (err) =>
    logger?.error({ err: { message: err.message, code: (err as { code?: string }).code } }, 'database pool error'),
  );
  // The pool listens for errors only on idle clients. A connection lost while a client is checked
  // out (between the statements of a transaction) would otherwise be an unhandled 'error' event
  // that ends the process; with this listener the request in progress fails with a 503 instead.
  pool.on('connect', (client) => {
    client.on('error', (err) =>
      logger?.warn(
        { err: { message: err.message, code: (err as { code?: string }).code } },
        'database connection lost',
      ),
    );
    prepareStatements(client);
  });
}

export function openPostgres(url: string, poolSize: number, logger?: Logger): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
  });
  tendPool(pool, logger);
  const db = kyselyOver(pool);
  return { db, pool, mode: 'postgres', close: () => db.destroy() };
}

/**
 * The embedded database's buffer cache. PostgreSQL's default of 128 MB is set up in full at every
 * start, about 5 ms a megabyte here; the embedded database reads what the cache misses from the
 * operating system's, so a smaller one costs its pages little.
 */
const EMBEDDED_SHARED_BUFFERS = '32MB';

/** Embedded PostgreSQL (PGlite) stored in a directory, or in memory, behind the same pg.Pool interface. */
export async function openEmbedded(
  dataDir: string | undefined,
  logger?: Logger,
  loadDataDir?: Blob,
): Promise<DatabaseHandle> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pglite = new PGlite({
    dataDir,
    extensions: { pg_trgm },
    loadDataDir,
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`],
  });
  await pglite.waitReady;
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 });
  tendPool(pool, logger);
  const db = kyselyOver(pool);
  return {
    db,
    pool,
    mode: 'embedded',
    pglite,
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}

export function embeddedDir(dataDir: string): string {
  return path.join(dataDir, 'pglite');
}

/** PostgreSQL error codes and socket errors meaning "the database is unreachable right now". */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: string; message?: string };
  const codes = [
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EPIPE',
    '57P01',
    '57P02',
    '57P03',
    '08000',
    '08001',
    '08003',
    '08006',
  ];
  if (e.code && codes.includes(e.code)) return true;
  const msg = e.message ?? '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect|the database system is (starting up|shutting down)/i.test(
    msg,
  );
}
