import { rmSync } from 'node:fs';
import pg from 'pg';
import { pgliteTemplate, templateDb, testDbPrefix } from './paths';

export default async function globalTeardown(): Promise<void> {
  rmSync(pgliteTemplate(), { force: true });
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const { rows } = await admin.query<{ datname: string }>(
    'select datname from pg_database where starts_with(datname, $1) or datname = $2',
    [testDbPrefix(), templateDb()],
  );
  for (const { datname } of rows) await admin.query(`drop database if exists "${datname}" with (force)`);
  await admin.end();
}
