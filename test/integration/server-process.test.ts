import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { embeddedDir, openEmbedded, openPostgres } from '../../src/db/database';
import { createEmptyDatabase } from '../support/database';
import { signInOverHttp, startAppProcess, type AppProcess } from '../support/process';

const running: AppProcess[] = [];
afterAll(() => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});

async function start(env: Record<string, string>) {
  const app = await startAppProcess(env);
  running.push(app);
  return app;
}

describe('embedded mode', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'asbrac-embedded-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test('boots on a new data directory, migrates, adds demo data, signs in, and stops cleanly on SIGTERM', async () => {
    const app = await start({ DATA_DIR: dataDir });
    const health = await fetch(`${app.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', database: 'ok' });
    expect(app.output()).toContain('demo data added');

    const cookie = await signInOverHttp(app.baseUrl, 'admin@example.org');
    const agencies = await fetch(`${app.baseUrl}/admin/agencies`, { headers: { cookie } });
    const html = await agencies.text();
    const lpftRow = html.split('<tr').find((r) => r.includes('Lincolnshire Partnership NHS Foundation Trust'));
    expect(lpftRow).toContain('Priya Shah');

    // A second process on the same directory would corrupt it: it is refused.
    const second = await start({ DATA_DIR: dataDir });
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain('is in use by process');

    // Requests in flight finish; then the process exits 0.
    const inFlight = fetch(`${app.baseUrl}/admin/users`, { headers: { cookie } });
    await new Promise((r) => setTimeout(r, 5));
    app.child.kill('SIGTERM');
    expect((await inFlight).status).toBe(200);
    expect(await app.exited).toBe(0);
    expect(app.output()).toContain('stopped');
    // No personal data in the logs: no email addresses, only ids.
    expect(app.output()).not.toContain('admin@example.org');
  });

  test('restarts on the same data without adding demo data twice', async () => {
    const app = await start({ DATA_DIR: dataDir });
    expect(app.output()).not.toContain('demo data added');
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  });

  test('a bad setting stops start-up with a message naming the variable', async () => {
    const app = await start({ DATA_DIR: dataDir, PORT: '3000', SMTP_URL: 'mailto:nobody' });
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain('Configuration error: SMTP_URL');
  });
});

describe('stopping under load', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'asbrac-sigterm-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('when SIGTERM arrives with requests in flight, then every accepted request completes and the process exits 0', async () => {
    const app = await start({ DATA_DIR: dir });
    const cookie = await signInOverHttp(app.baseUrl, 'chair@example.org');
    const requests = Array.from({ length: 30 }, () =>
      fetch(`${app.baseUrl}/`, { headers: { cookie } }).then(
        (r) => r.status,
        () => 0,
      ),
    );
    await new Promise((r) => setTimeout(r, 10));
    app.child.kill('SIGTERM');
    const statuses = await Promise.all(requests);
    // A request the server accepted is answered in full; none fails half-way with a server error.
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200 || s === 0)).toBe(true);
    expect(await app.exited).toBe(0);
  });

  test('when the people who asked for case records have gone before SIGTERM arrives, then each request the server took still finishes, its view audited, before the database closes', async () => {
    // On PostgreSQL (as CI runs), the pool's end refuses every later query at once.
    const postgres = process.env.TEST_DATABASE_URL
      ? await createEmptyDatabase(process.env.TEST_DATABASE_URL)
      : undefined;
    const app = await start(
      postgres ? { DATA_DIR: dir, DATABASE_URL: postgres.url, SEED_DEMO_DATA: 'true' } : { DATA_DIR: dir },
    );
    const cookie = await signInOverHttp(app.baseUrl, 'chair@example.org');
    const list = await (await fetch(`${app.baseUrl}/referrals`, { headers: { cookie } })).text();
    const record = /href="(\/referrals\/(\d+))"/.exec(list)!;
    const askedFrom = new Date();
    // Each request is written in full, then its connection is dropped, as by someone closing the tab.
    const gone = Array.from(
      { length: 30 },
      () =>
        new Promise<void>((resolve) => {
          const req = http.get(`${app.baseUrl}${record[1]}`, { headers: { cookie } });
          req.on('finish', () => setTimeout(() => req.destroy(), 5));
          req.on('close', () => resolve());
          req.on('error', () => resolve());
        }),
    );
    await Promise.all(gone);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    const log = app
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string; req?: { path: string } });
    const taken = log.filter((l) => l.req?.path === record[1]).length;
    expect(log.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);
    expect(taken).toBeGreaterThan(0);
    const database = postgres ? openPostgres(postgres.url, 1) : await openEmbedded(embeddedDir(dir));
    try {
      const views = await database.db
        .selectFrom('auditEvents')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('action', '=', 'referral.view')
        .where('entityId', '=', record[2])
        .where('at', '>=', askedFrom)
        .executeTakeFirstOrThrow();
      // Every request the log shows has its view audited (the log's last lines may be lost as the process exits).
      expect(Number(views.n)).toBeGreaterThanOrEqual(taken);
    } finally {
      await database.close();
      await postgres?.drop();
    }
  });
});
