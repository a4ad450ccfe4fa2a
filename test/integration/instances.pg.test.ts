import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createEmptyDatabase } from '../support/database';
import { expectRunning, signInOverHttp, startAppProcess, type AppProcess } from '../support/process';

// Runs only against PostgreSQL (TEST_DATABASE_URL), as CI does: see jest.config.js.
const running: AppProcess[] = [];
afterAll(() => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});

async function start(env: Record<string, string>) {
  const app = await startAppProcess(env);
  running.push(app);
  return app;
}

const postgresUrl = process.env.TEST_DATABASE_URL;
if (!postgresUrl) throw new Error('TEST_DATABASE_URL is required for this file');
describe('PostgreSQL mode with two instances', () => {
  let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
  const dbUrl = () => database.url;
  beforeAll(async () => {
    database = await createEmptyDatabase(postgresUrl);
  });
  afterAll(() => database.drop());

  test('two instances starting at once migrate once and share sessions', async () => {
    const common = {
      DATABASE_URL: dbUrl(),
      SEED_DEMO_DATA: 'true',
      SESSION_SECRET: 'shared-secret-for-both-instances-0123456789',
    };
    const [a, b] = await Promise.all([
      start({ ...common, DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'asbrac-a-')) }),
      start({ ...common, DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'asbrac-b-')) }),
    ]);
    const client = new pg.Client({ connectionString: dbUrl() });
    await client.connect();
    const migrations = await client.query<{ name: string }>('select name from kysely_migration');
    const districts = await client.query<{ n: number }>('select count(*)::int as n from districts');
    await client.end();
    expect(new Set(migrations.rows.map((r) => r.name)).size).toBe(migrations.rows.length);
    expect(districts.rows[0].n).toBe(7);

    expectRunning(a);
    expectRunning(b);
    const cookie = await signInOverHttp(a.baseUrl, 'chair@example.org');
    const onB = await fetch(`${b.baseUrl}/`, { headers: { cookie }, redirect: 'manual' });
    expect({ status: onB.status, b: onB.status === 200 ? '' : b.output() }).toEqual({ status: 200, b: '' });
    expect(await onB.text()).toContain('Insp. Sam Hartley');
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
  });
});
