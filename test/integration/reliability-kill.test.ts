import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { embeddedDir, openEmbedded, openPostgres, type DatabaseHandle } from '../../src/db/database';
import { stampedBy } from '../../src/db/clock-timestamps';
import { systemClock } from '../../src/clock';
import { enqueueMail } from '../../src/mail/outbox';
import { LEASE_MS } from '../../src/mail/mail.worker';
import {
  descendantsOf,
  isRunning,
  killHard,
  signInOverHttp,
  startAppProcess,
  startCountingSmtp,
  waitUntil,
  type AppProcess,
} from '../support/process';
import { startThrowawayPostgres } from '../support/throwaway-postgres';

const running: AppProcess[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const app of running) if (app.child.exitCode === null) app.child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string>): Promise<AppProcess> {
  const app = await startAppProcess(env);
  running.push(app);
  return app;
}

function newDataDir(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `asbrac-${name}-`));
  dirs.push(dir);
  return dir;
}

async function stopCleanly(app: AppProcess): Promise<void> {
  app.child.kill('SIGTERM');
  expect(await app.exited).toBe(0);
}

/** Rows in every table of an embedded database the app has stopped using, but for those that grow at run time. */
async function rowCounts(dataDir: string): Promise<Record<string, number>> {
  const database = await openEmbedded(embeddedDir(dataDir));
  try {
    const tables = await sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE'
        and table_name not in ('outbox', 'audit_events', 'sessions', 'reminder_log')
        and table_name not like 'kysely_%'
      order by table_name`.execute(database.db);
    const counts: Record<string, number> = {};
    for (const { name } of tables.rows) {
      const row = await sql<{ n: string }>`select count(*) as n from ${sql.table(name)}`.execute(database.db);
      counts[name] = Number(row.rows[0].n);
    }
    return counts;
  } finally {
    await database.close();
  }
}

// A data directory with the complete demo data, added by an uninterrupted first start.
let completeDir: string;

describe('kill -9 during first-start seeding', () => {
  test('when the process is killed while adding demo data, then the next start adds all of it', async () => {
    const crashedDir = newDataDir('seed-crash');
    const first = await startAppProcess({ DATA_DIR: crashedDir }, 120000, { untilOutput: 'adding demo data' });
    running.push(first);
    await new Promise((r) => setTimeout(r, 500));
    await killHard(first);
    expect(first.output()).not.toContain('demo data added');

    const second = await start({ DATA_DIR: crashedDir });
    expect(second.output()).toContain('demo data added');
    await stopCleanly(second);

    completeDir = newDataDir('seed-whole');
    const uninterrupted = await start({ DATA_DIR: completeDir });
    expect(uninterrupted.output()).toContain('demo data added');
    await stopCleanly(uninterrupted);

    const recovered = await rowCounts(crashedDir);
    const complete = await rowCounts(completeDir);
    console.log(`seeding killed after 0.5 s, then restarted: ${JSON.stringify(recovered)}`);
    expect(complete.referrals).toBeGreaterThan(0);
    expect(complete.minutes_versions).toBeGreaterThan(0);
    expect(recovered).toEqual(complete);
  }, 240000);
});

describe('kill -9 with a PDF printed', () => {
  test('when the app is killed, then its Chromium goes with it', async () => {
    const app = await start({ DATA_DIR: completeDir });
    const cookie = await signInOverHttp(app.baseUrl, 'chair@example.org');
    const pdf = await fetch(`${app.baseUrl}/reports/quarterly.pdf`, { headers: { cookie } });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    await pdf.arrayBuffer();
    const browser = descendantsOf(app.child.pid!).filter((pid) => isRunning(pid));
    expect(browser.length).toBeGreaterThan(0);

    await killHard(app);
    const killedAt = Date.now();
    await waitUntil('every Chromium process of the app to exit', () => browser.every((pid) => !isRunning(pid)), 10000);
    console.log(`Chromium after kill -9: ${browser.length} processes, all gone in ${Date.now() - killedAt} ms`);
  }, 120000);
});

describe('kill -9 while sending mail', () => {
  test('when the app is killed part-way through a batch, then the messages it had claimed are sent by the next start within the lease, none twice', async () => {
    const postgres = await startThrowawayPostgres();
    const smtp = await startCountingSmtp();
    const database: DatabaseHandle = openPostgres(postgres.url, 2, pino({ level: 'silent' }));
    try {
      const env = {
        DATABASE_URL: postgres.url,
        SEED_DEMO_DATA: 'false',
        DATA_DIR: newDataDir('kill-mail'),
        SMTP_URL: smtp.url,
      };
      const first = await start(env);
      const db = stampedBy(database.db, systemClock);
      for (let i = 0; i < 60; i++)
        await enqueueMail(db, { kind: 'test', to: `kill-${i}@example.org`, subject: 'Kill test', text: 'A test.' });
      const status = async () =>
        database.db.selectFrom('outbox').select(['id', 'status', 'sentAt']).orderBy('id').execute();

      // Part-way through: the SMTP server stops answering, so the worker is caught holding a message.
      await waitUntil('some messages sent', () => smtp.accepted.length >= 25);
      smtp.hold();
      await waitUntil('a message being sent', () => smtp.held > 0);
      // Every message the server accepted is marked sent: the only duplicates a crash can make are excluded.
      await waitUntil('the accepted messages marked sent', async () => {
        return (await status()).filter((m) => m.status === 'sent').length === smtp.accepted.length;
      });
      const claimed = (await status()).filter((m) => m.status === 'sending').map((m) => m.id);
      expect(claimed.length).toBeGreaterThan(1);
      await killHard(first);
      const killedAt = Date.now();
      smtp.accept();

      const second = await start(env);
      await waitUntil(
        'every message sent',
        async () => (await status()).every((m) => m.status === 'sent'),
        LEASE_MS + 30000,
      );
      const rows = await status();
      const resentWithinMs = Math.max(
        ...rows.filter((m) => claimed.includes(m.id)).map((m) => m.sentAt!.getTime() - killedAt),
      );
      console.log(
        `kill -9 while sending: ${JSON.stringify({ messages: rows.length, accepted: smtp.accepted.length, claimedAtKill: claimed.length, resentWithinMs, duplicates: smtp.duplicates() })}`,
      );
      expect(resentWithinMs).toBeLessThanOrEqual(LEASE_MS + 5000);
      expect(smtp.duplicates()).toBe(0);
      expect(new Set(smtp.accepted).size).toBe(rows.length);
      await stopCleanly(second);
    } finally {
      await database.close();
      await smtp.close();
      postgres.destroy();
    }
  }, 180000);
});
