import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signInOverHttp, startAppProcess, type AppProcess } from '../support/process';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../support/throwaway-postgres';

let pg: ThrowawayPostgres;
let app: AppProcess;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'asbrac-outage-'));

beforeAll(async () => {
  pg = await startThrowawayPostgres();
  app = await startAppProcess({ DATABASE_URL: pg.url, SEED_DEMO_DATA: 'true', DATA_DIR: dataDir });
}, 120000);
afterAll(async () => {
  if (app?.child.exitCode === null) {
    app.child.kill('SIGTERM');
    await app.exited;
  }
  pg?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

test('when PostgreSQL stops, then pages answer 503 and the health check says so; when it is back, the app recovers by itself', async () => {
  const cookie = await signInOverHttp(app.baseUrl, 'admin@example.org');
  expect((await fetch(`${app.baseUrl}/admin/agencies`, { headers: { cookie } })).status).toBe(200);

  pg.stop();
  const health = await fetch(`${app.baseUrl}/healthz`);
  expect(health.status).toBe(503);
  expect(await health.json()).toEqual({ status: 'unavailable', database: 'down' });
  const page = await fetch(`${app.baseUrl}/admin/agencies`, { headers: { cookie } });
  expect(page.status).toBe(503);
  const html = await page.text();
  expect(html).toContain('Sorry, the service is unavailable');
  expect(html).toMatch(/quote reference <strong[^>]*>[0-9a-f-]{36}</);
  expect(app.child.exitCode).toBeNull();

  pg.start();
  let healthy = false;
  for (let i = 0; i < 50 && !healthy; i++) {
    healthy = (await fetch(`${app.baseUrl}/healthz`)).status === 200;
    if (!healthy) await new Promise((r) => setTimeout(r, 200));
  }
  expect(healthy).toBe(true);
  // The session lived in the database, so it survived the outage.
  const after = await fetch(`${app.baseUrl}/admin/agencies`, { headers: { cookie } });
  expect(after.status).toBe(200);
  expect(await after.text()).toContain('Priya Shah');
});

async function csrfOf(cookie: string, url: string): Promise<string> {
  const page = await fetch(`${app.baseUrl}${url}`, { headers: { cookie } });
  return /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
}

test('when PostgreSQL crashes during saves, then each save is whole or absent, never partial', async () => {
  const cookie = await signInOverHttp(app.baseUrl, 'admin@example.org');
  const token = await csrfOf(cookie, '/admin/agencies/new');
  // Each save writes the agency and its audit row in one transaction.
  const save = (n: number) =>
    fetch(`${app.baseUrl}/admin/agencies/new`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        _csrf: token,
        name: `Outage Agency ${n}`,
        shortName: `Outage ${n}`,
        type: 'other',
        active: 'true',
      }),
    }).then(
      (r) => r.status,
      () => 0,
    );
  // Saves keep coming, five at a time, while the server crashes under them.
  const statuses: number[] = [];
  let crashed = false;
  const load = (async () => {
    for (let n = 0; n < 2000 && !(crashed && statuses.includes(503)); n += 5) {
      statuses.push(...(await Promise.all([0, 1, 2, 3, 4].map((k) => save(n + k)))));
    }
  })();
  while (!statuses.includes(303)) await new Promise((r) => setTimeout(r, 5));
  pg.stop('immediate');
  crashed = true;
  await load;
  // The process survived the crash.
  expect({
    exitCode: app.child.exitCode,
    output: app.child.exitCode === null ? '' : app.output().slice(-3000),
  }).toEqual({ exitCode: null, output: '' });
  expect(statuses.every((s) => s === 303 || s === 503 || s === 0)).toBe(true);
  expect(statuses.some((s) => s === 503)).toBe(true);

  pg.start();
  // A kept-alive connection the server closed while PostgreSQL was down fails once: ask again.
  const healthy = () =>
    fetch(`${app.baseUrl}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
  for (let i = 0; i < 50 && !(await healthy()); i++) await new Promise((r) => setTimeout(r, 200));
  const check = new (await import('pg')).default.Client({ connectionString: pg.url });
  await check.connect();
  const agencies = await check.query<{ id: number }>(`select id from agencies where name like 'Outage Agency %'`);
  const audited = await check.query<{ entity_id: string }>(
    `select entity_id from audit_events where action = 'agency.create'`,
  );
  await check.end();
  const agencyIds = agencies.rows.map((r) => String(r.id)).sort();
  const auditIds = audited.rows
    .map((r) => r.entity_id)
    .filter((id) => agencyIds.includes(id))
    .sort();
  expect(auditIds).toEqual(agencyIds);
  // Every save answered 303 is there; the others were not half-written.
  expect(agencyIds.length).toBeGreaterThanOrEqual(statuses.filter((s) => s === 303).length);
});
