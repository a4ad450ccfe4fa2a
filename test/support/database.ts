import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openEmbedded, openPostgres, type DatabaseHandle } from '../../src/db/database';
import { pgliteTemplate, templateDb, testDbPrefix } from './paths';

export const usingPostgres = Boolean(process.env.TEST_DATABASE_URL);

async function createFromTemplate(url: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database "${name}" template ${templateDb()}`);
        return;
      } catch (err) {
        // Two files copying the template at the same instant: try again shortly.
        if (attempt < 20 && /being accessed by other users/.test((err as Error).message)) {
          await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
          continue;
        }
        throw err;
      }
    }
  } finally {
    await admin.end();
  }
}

/** A database of this test file's own: a copy of the migrated, seeded template. */
export async function openTestDatabase(): Promise<DatabaseHandle & { url?: string }> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const name = `${testDbPrefix()}${randomBytes(5).toString('hex')}`;
    await createFromTemplate(url, name);
    const dbUrl = new URL(url);
    dbUrl.pathname = `/${name}`;
    const handle = openPostgres(dbUrl.toString(), 5);
    return {
      ...handle,
      url: dbUrl.toString(),
      close: async () => {
        await handle.close();
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`drop database if exists "${name}" with (force)`);
        await admin.end();
      },
    };
  }
  const dump = new Blob([readFileSync(pgliteTemplate())]);
  return openEmbedded(undefined, undefined, dump);
}

/** A new, empty database on the PostgreSQL server of `adminUrl`, for a real app process to migrate. */
export async function createEmptyDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${testDbPrefix()}${randomBytes(5).toString('hex')}`;
  const run = async (statement: string) => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(statement);
    } finally {
      await admin.end();
    }
  };
  await run(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`drop database if exists "${name}" with (force)`) };
}
