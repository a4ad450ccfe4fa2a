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
