import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createEmptyDatabase } from '../support/database';
import { expectRunning, startAppProcess, type AppProcess } from '../support/process';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';

// Runs only against PostgreSQL (TEST_DATABASE_URL): two real app processes share one database.
const MESSAGES = 1000;
const running: AppProcess[] = [];
let smtp: TestSmtpServer | undefined;

afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await smtp?.close();
});

const postgresUrl = process.env.TEST_DATABASE_URL;
if (!postgresUrl) throw new Error('TEST_DATABASE_URL is required for this file');

describe('the outbox with two app processes on one PostgreSQL database', () => {
  let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
  const dbUrl = () => database.url;
  beforeAll(async () => {
    database = await createEmptyDatabase(postgresUrl);
  });
  afterAll(() => database.drop());

  test('when 1,000 messages are queued and two processes send them, then each is delivered exactly once', async () => {
    smtp = await startSmtpServer();
    const common = {
      DATABASE_URL: dbUrl(),
      SEED_DEMO_DATA: 'false',
      // A pooled connection per process, as a production relay would be configured: the proof is about
      // claiming, so the time goes to that rather than to 1,000 SMTP handshakes.
      SMTP_URL: `${smtp.url}?pool=true`,
      MAIL_WORKER_INTERVAL_MS: '100',
      SESSION_SECRET: 'shared-secret-for-both-instances-0123456789',
    };
    const [a, b] = await Promise.all([
      startAppProcess({ ...common, DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'asbrac-outbox-a-')) }),
      startAppProcess({ ...common, DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'asbrac-outbox-b-')) }),
    ]);
    running.push(a, b);
    expectRunning(a);
    expectRunning(b);

    const client = new pg.Client({ connectionString: dbUrl() });
    await client.connect();
    try {
      // One statement, so both workers find the whole queue at once and compete for every row.
      await client.query(
        `insert into outbox (kind, to_address, subject, text_body, entity_type, entity_id, next_attempt_at, created_at)
         select 'load-test', 'recipient-' || n || '@example.org', 'OFFICIAL-SENSITIVE: message ' || n, 'Message number ' || n, 'test', n::text, $2, $2
         from generate_series(1, $1::int) as n`,
        // The app processes run on the machine's clock: the messages are due now by that clock.
        [MESSAGES, new Date()],
      );
      const { rows: queued } = await client.query<{ id: string }>(
        `select id::text from outbox where kind = 'load-test' order by id`,
      );
      expect(queued).toHaveLength(MESSAGES);

      const deadline = Date.now() + 100_000;
      let sent = 0;
      while (Date.now() < deadline) {
        const { rows } = await client.query<{ sent: number; other: number }>(
          `select count(*) filter (where status = 'sent')::int as sent, count(*) filter (where status <> 'sent')::int as other from outbox where kind = 'load-test'`,
        );
        sent = rows[0].sent;
        if (sent === MESSAGES) break;
        expectRunning(a);
        expectRunning(b);
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(sent).toBe(MESSAGES);
      // Give a duplicate, if either worker were to send one, the time to arrive.
      await new Promise((r) => setTimeout(r, 1000));

      const ids = smtp.received.map((m) => m.messageId);
      expect(ids).toHaveLength(MESSAGES);
      expect(new Set(ids).size).toBe(MESSAGES);
      const expected = new Set(queued.map((r) => r.id));
      for (const id of ids) {
        const match = /^<outbox-(\d+)@[^>]+>$/.exec(id ?? '');
        expect(match).not.toBeNull();
        expect(expected.has(match![1])).toBe(true);
      }
      const { rows: attempts } = await client.query<{ n: number }>(
        `select count(*)::int as n from outbox where kind = 'load-test' and attempts <> 1`,
      );
      expect(attempts[0].n).toBe(0);
    } finally {
      await client.end();
    }

    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
  }, 170_000);
});
