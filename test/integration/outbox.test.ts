import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { enqueueMail, InvalidRecipientError } from '../../src/mail/outbox';
import { LEASE_MS, MailWorker, MAX_ATTEMPTS, WRITE_AFTER_SENT, WRITE_WITHIN_MS } from '../../src/mail/mail.worker';
import { fileTransport, smtpTransport } from '../../src/mail/transport';
import { createTestContext, type TestContext } from '../support/context';
import { DEMO, postForm, signIn } from '../support/http';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'mail');

let ctx: TestContext;
let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await startSmtpServer();
  ctx = await createTestContext({ mailTransport: smtpTransport(smtp.url), now: '2026-11-23T10:00:00Z' });
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
});
beforeEach(async () => {
  smtp.received.length = 0;
  await ctx.services.mailWorker.drain();
});

const message = (n: number) => ({
  kind: 'test',
  to: `person${n}@example.org`,
  subject: `Notice ${n}`,
  text: `Body ${n}`,
});
const row = (id: string) => ctx.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

test('queued messages are delivered once, marked, with a stable Message-ID derived from the row', async () => {
  const ids = [];
  for (let n = 1; n <= 3; n++) ids.push(await enqueueMail(ctx.db, message(n)));
  expect(await ctx.services.mailWorker.drain()).toBe(3);
  const mails = await smtp.waitFor(3);
  expect(mails.map((m) => m.subject).sort()).toEqual([
    'OFFICIAL-SENSITIVE: Notice 1',
    'OFFICIAL-SENSITIVE: Notice 2',
    'OFFICIAL-SENSITIVE: Notice 3',
  ]);
  for (const id of ids) {
    const sent = await row(id);
    expect(sent.status).toBe('sent');
    expect(sent.sentAt).toEqual(new Date('2026-11-23T10:00:00Z'));
    expect(mails.some((m) => m.messageId === `<outbox-${id}@127.0.0.1>`)).toBe(true);
  }
  expect(await ctx.services.mailWorker.drain()).toBe(0);
  expect(smtp.received).toHaveLength(3);
});

test('when the server answers 421 three times, then the message is retried with backoff and delivered exactly once', async () => {
  smtp.refuseNext(421, 421, 421);
  const id = await enqueueMail(ctx.db, message(10));
  const delays: number[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    await ctx.services.mailWorker.runOnce();
    const queued = await row(id);
    expect(queued).toMatchObject({ status: 'queued', attempts: attempt });
    expect(queued.lastError).toContain('Try again later');
    delays.push(queued.nextAttemptAt.getTime() - ctx.clock.now().getTime());
    // Not due yet: nothing is attempted before the backoff has passed.
    expect(await ctx.services.mailWorker.runOnce()).toBe(0);
    ctx.clock.set(queued.nextAttemptAt);
  }
  expect(delays[1]).toBeGreaterThan(0);
  expect(delays[2]).toBeGreaterThan(delays[0]);
  await ctx.services.mailWorker.runOnce();
  expect(await row(id)).toMatchObject({ status: 'sent', attempts: 4 });
  await smtp.waitFor(1);
  expect(smtp.received).toHaveLength(1);
});

test('when the server refuses with 550, then the message fails, is shown to administrators, and can be sent again', async () => {
  smtp.refuseNext(550);
  const id = await enqueueMail(ctx.db, message(20));
  await ctx.services.mailWorker.runOnce();
  expect(await row(id)).toMatchObject({ status: 'failed', attempts: 1 });
  expect(smtp.received).toHaveLength(0);

  const admin = await signIn(ctx, DEMO.admin);
  const list = await admin.get('/admin/mail?status=failed');
  expect(list.text).toContain(`href="/admin/mail/${id}"`);
  const detail = await admin.get(`/admin/mail/${id}`);
  expect(detail.text).toContain('Mailbox unavailable');
  expect(detail.text).toContain('Send again');

  const retry = await postForm(admin, `/admin/mail/${id}/retry`);
  expect(retry.status).toBe(303);
  await ctx.services.mailWorker.drain();
  expect(await row(id)).toMatchObject({ status: 'sent' });
  expect(smtp.received).toHaveLength(1);
  const again = await postForm(admin, `/admin/mail/${id}/retry`);
  expect(again.status).toBe(303);
  expect((await admin.get(`/admin/mail/${id}`)).text).toContain('Only a message that failed can be sent again');
  expect((await postForm(admin, '/admin/mail/999999/retry')).status).toBe(404);
});

test(`when a message keeps failing temporarily, then it fails after ${MAX_ATTEMPTS} attempts`, async () => {
  smtp.refuseNext(...Array<number>(MAX_ATTEMPTS).fill(451));
  const id = await enqueueMail(ctx.db, message(30));
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    await ctx.services.mailWorker.runOnce();
    ctx.clock.set((await row(id)).nextAttemptAt);
  }
  expect(await row(id)).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
});

test('two workers on one database never send a message twice', async () => {
  const ids = [];
  for (let n = 0; n < 60; n++) ids.push(await enqueueMail(ctx.db, message(100 + n)));
  const make = () =>
    new MailWorker({
      db: ctx.db,
      clock: ctx.clock,
      transport: smtpTransport(smtp.url),
      from: 'a@example.org',
      messageIdDomain: 'test',
      logger: pino({ level: 'silent' }),
      batchSize: 5,
    });
  const [a, b] = [make(), make()];
  const [sentByA, sentByB] = await Promise.all([a.drain(), b.drain()]);
  expect(sentByA + sentByB).toBe(60);
  await smtp.waitFor(60);
  const messageIds = smtp.received.map((m) => m.messageId);
  expect(new Set(messageIds).size).toBe(60);
});

test('a recipient with a line break or several addresses is refused; a subject cannot add a header', async () => {
  await expect(enqueueMail(ctx.db, { ...message(1), to: 'a@example.org\r\nBcc: b@example.org' })).rejects.toThrow(
    InvalidRecipientError,
  );
  await expect(enqueueMail(ctx.db, { ...message(1), to: 'a@example.org, b@example.org' })).rejects.toThrow(
    InvalidRecipientError,
  );
  await expect(enqueueMail(ctx.db, { ...message(1), to: 'Someone <a@example.org>' })).rejects.toThrow(
    InvalidRecipientError,
  );
  await enqueueMail(ctx.db, { ...message(1), subject: 'Hello\r\nBcc: victim@example.org' });
  await ctx.services.mailWorker.drain();
  const [mail] = await smtp.waitFor(1);
  expect(mail.subject).toBe('OFFICIAL-SENSITIVE: Hello Bcc: victim@example.org');
  expect(mail.headers.get('bcc')).toBeUndefined();
  expect((mail.to as { text: string }).text).toBe('person1@example.org');
});

test('without an SMTP server, messages are written as .eml files', async () => {
  const dir = path.join(ctx.dataDir, 'mail-files');
  const worker = new MailWorker({
    db: ctx.db,
    clock: ctx.clock,
    transport: fileTransport(dir),
    from: 'asbrac@example.org',
    messageIdDomain: 'localhost',
  });
  const id = await enqueueMail(ctx.db, {
    ...message(40),
    attachments: [
      { filename: 'note.txt', contentType: 'text/plain', contentBase64: Buffer.from('attached').toString('base64') },
    ],
  });
  await worker.drain();
  const files = readdirSync(dir);
  expect(files).toContain(`${id.padStart(8, '0')}.eml`);
  const eml = readFileSync(path.join(dir, `${id.padStart(8, '0')}.eml`), 'utf8');
  expect(eml).toContain('Subject: OFFICIAL-SENSITIVE: Notice 40');
  expect(eml).toContain(`Message-ID: <outbox-${id}@localhost>`);
  expect(eml).toContain('note.txt');
});

describe('one clock', () => {
  const pinned = ctxClockAt;
  test.each(['2001-02-03T04:05:06Z', '2049-06-07T08:09:10Z'])(
    'when a message is queued under a clock pinned at %s, then it is due and sent under that clock, whatever the real date',
    async (at) => {
      await pinned(at, async () => {
        const id = await enqueueMail(ctx.db, message(90));
        expect(await row(id)).toMatchObject({ createdAt: new Date(at), nextAttemptAt: new Date(at), status: 'queued' });
        expect(await ctx.services.mailWorker.runOnce()).toBe(1);
        expect(await row(id)).toMatchObject({ status: 'sent', sentAt: new Date(at) });
        await smtp.waitFor(1);
      });
    },
  );
});

/** Runs `fn` with the clock at `at`, then puts it back where the other tests expect it. */
async function ctxClockAt(at: string, fn: () => Promise<void>): Promise<void> {
  const before = ctx.clock.now();
  ctx.clock.set(at);
  try {
    await fn();
  } finally {
    ctx.clock.set(before);
  }
}

/**
 * A worker sending a batch over an SMTP transport that holds back the `nth` message until
 * `release()`: returned once that message is being sent. With `drain`, it sends batch after batch.
 */
async function batchHeldAt(nth: number, { batchSize, drain = false }: { batchSize?: number; drain?: boolean } = {}) {
  let calls = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const inner = smtpTransport(smtp.url);
  const worker = new MailWorker({
    db: ctx.db,
    clock: ctx.clock,
    from: 'asbrac@example.org',
    messageIdDomain: '127.0.0.1',
    batchSize,
    transport: {
      ...inner,
      send: async (mail) => {
        if (++calls === nth) await gate;
        return inner.send(mail);
      },
    },
  });
  const batch = drain ? worker.drain() : worker.runOnce();
  while (calls < nth) await new Promise((r) => setTimeout(r, 10));
  return { worker, batch, release, inner };
}

/** Stops a held worker and lets its held message go: how many it attempted, and each row's status, attempts and lease. */
async function stopHeld(held: Awaited<ReturnType<typeof batchHeldAt>>, ids: string[]) {
  const stopped = held.worker.stop();
  held.release();
  await stopped;
  const attempted = await held.batch;
  held.inner.close();
  const rows = await Promise.all(ids.map(row));
  return { attempted, rows: rows.map((r) => [r.status, r.attempts, r.lockedUntil]) };
}
/** Stopped while its second message was being sent: that one finishes, the rest go back to the queue. */
const TWO_SENT_THREE_QUEUED = [
  ['sent', 1, null],
  ['sent', 1, null],
  ['queued', 0, null],
  ['queued', 0, null],
  ['queued', 0, null],
];

test('when the worker is stopped part-way through a batch, then the message being sent finishes and the others are queued again, their attempt not counted', async () => {
  const ids: string[] = [];
  for (let n = 20; n < 25; n++) ids.push(await enqueueMail(ctx.db, message(n)));
  const held = await batchHeldAt(2);
  // Claimed on a short lease: a worker that died would have them sent by another within LEASE_MS.
  const claimed = await row(ids[4]);
  expect({ status: claimed.status, lockedUntil: claimed.lockedUntil }).toEqual({
    status: 'sending',
    lockedUntil: new Date(ctx.clock.now().getTime() + LEASE_MS),
  });
  expect(await stopHeld(held, ids)).toEqual({ attempted: 5, rows: TWO_SENT_THREE_QUEUED });
  expect(await held.worker.runOnce()).toBe(0);
  expect(await ctx.services.mailWorker.drain()).toBe(3);
});

test('when a full batch is sending its last message, then the next batch is already claimed; stopped then, the worker gives that batch back to the queue, its attempt not counted', async () => {
  const ids: string[] = [];
  for (let n = 70; n < 75; n++) ids.push(await enqueueMail(ctx.db, message(n)));
  const held = await batchHeldAt(2, { batchSize: 2, drain: true });
  const statuses = async () => (await Promise.all(ids.map(row))).map((r) => r.status);
  // The second batch is claimed while the first batch's last message waits for the SMTP server (the
  // first message is marked sent within WRITE_WITHIN_MS).
  const expected = ['sent', 'sending', 'sending', 'sending', 'queued'];
  const waitingSince = performance.now();
  let seen = await statuses();
  while (JSON.stringify(seen) !== JSON.stringify(expected) && performance.now() - waitingSince < 5000) {
    await new Promise((r) => setTimeout(r, 20));
    seen = await statuses();
  }
  const stopped = await stopHeld(held, ids);
  expect(seen).toEqual(expected);
  expect(stopped).toEqual({ attempted: 2, rows: TWO_SENT_THREE_QUEUED });
  expect(await ctx.services.mailWorker.drain()).toBe(3);
});

/** A worker of its own over the test SMTP server, claiming `batchSize` messages at a time. */
const workerClaiming = (batchSize: number) =>
  new MailWorker({
    db: ctx.db,
    clock: ctx.clock,
    transport: smtpTransport(smtp.url),
    from: 'asbrac@example.org',
    messageIdDomain: '127.0.0.1',
    logger: pino({ level: 'silent' }),
    batchSize,
  });

test('when batch after batch is drained, then every message is sent once, in the order it was queued', async () => {
  const ids: string[] = [];
  for (let n = 80; n < 87; n++) ids.push(await enqueueMail(ctx.db, message(n)));
  const worker = workerClaiming(3);
  expect(await worker.drain()).toBe(7);
  expect(smtp.received.map((m) => (m.to as { text: string }).text)).toEqual(
    ids.map((_, i) => `person${80 + i}@example.org`),
  );
  expect((await Promise.all(ids.map(row))).map((r) => [r.status, r.attempts])).toEqual(ids.map(() => ['sent', 1]));
});

test('when the database goes away as the next batch is claimed, then the process carries on: the drain fails with that error and the messages not sent stay queued', () => {
  // In a process of its own, as the server runs the worker: there a rejection nobody handles ends it.
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(FIXTURES, 'database-goes-away.ts')], {
    encoding: 'utf8',
    timeout: 60000,
  });
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  expect(JSON.parse(run.stdout)).toEqual({
    drained: { failed: 'ECONNREFUSED' },
    statuses: ['sent', 'sent', 'queued', 'queued', 'queued'],
  });
});

test(`when more than ${WRITE_AFTER_SENT} messages are sent in a batch, then each is marked with its own outcome`, async () => {
  const ids: string[] = [];
  for (let n = 30; n < 55; n++) ids.push(await enqueueMail(ctx.db, message(n)));
  smtp.refuseNext(550);
  const worker = workerClaiming(25);
  expect(await worker.runOnce()).toBe(25);
  const rows = await Promise.all(ids.map(row));
  expect(rows[0].status).toBe('failed');
  expect(rows[0].lastError).toContain('Mailbox unavailable');
  for (const sent of rows.slice(1)) {
    expect(sent).toMatchObject({ status: 'sent', attempts: 1, lockedUntil: null, lastError: null });
    expect(sent.serverResponse).toMatch(/^250 /);
    expect(sent.sentAt).toEqual(ctx.clock.now());
  }
  expect(smtp.received).toHaveLength(24);
});

test(`when the SMTP server is slow to answer, then the messages it has accepted are marked sent (after ${WRITE_WITHIN_MS} ms at most) while the worker waits`, async () => {
  const ids: string[] = [];
  for (let n = 60; n < 65; n++) ids.push(await enqueueMail(ctx.db, message(n)));
  const { batch, release, inner } = await batchHeldAt(4);
  const waitingSince = performance.now();
  const statuses = async () => (await Promise.all(ids.map(row))).map((r) => r.status);
  while ((await statuses()).filter((s) => s === 'sent').length < 3) {
    expect(performance.now() - waitingSince).toBeLessThan(5000);
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(await statuses()).toEqual(['sent', 'sent', 'sent', 'sending', 'sending']);
  release();
  expect(await batch).toBe(5);
  inner.close();
  expect(await statuses()).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
});
