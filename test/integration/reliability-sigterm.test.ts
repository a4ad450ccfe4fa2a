import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { openPostgres, type DatabaseHandle } from '../../src/db/database';
import { stampedBy } from '../../src/db/clock-timestamps';
import { systemClock } from '../../src/clock';
import { enqueueMail } from '../../src/mail/outbox';
import {
  linesNotInTheLog,
  signInOverHttp,
  startAppProcess,
  startCountingSmtp,
  waitUntil,
  type AppProcess,
  type CountingSmtp,
} from '../support/process';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../support/throwaway-postgres';

const REPEATS = Number(process.env.SIGTERM_REPEATS ?? 10);
const MESSAGES_PER_RUN = 12;

let postgres: ThrowawayPostgres;
let database: DatabaseHandle;
let smtp: CountingSmtp;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'asbrac-sigterm-'));
let env: Record<string, string>;
const running: AppProcess[] = [];

beforeAll(async () => {
  postgres = await startThrowawayPostgres();
  // Each message takes the worker about a tenth of a second (a connection each), so every stop
  // finds it part-way through a batch.
  smtp = await startCountingSmtp();
  env = { DATABASE_URL: postgres.url, SEED_DEMO_DATA: 'true', DATA_DIR: dataDir, SMTP_URL: smtp.url };
  database = openPostgres(postgres.url, 2, pino({ level: 'silent' }));
}, 120000);
afterAll(async () => {
  for (const app of running) if (app.child.exitCode === null) app.child.kill('SIGKILL');
  await database?.close();
  postgres?.destroy();
  await smtp?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Outcome {
  /** The request was written to the server before the signal was sent. */
  beforeSignal: boolean;
  result: string;
}

/**
 * Eight keep-alive connections, each sending its next request as soon as the last is answered,
 * until `stop()`. Each request records whether it had been written before the signal.
 */
function keepAliveLoad(baseUrl: string, cookie: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const outcomes: Outcome[] = [];
  const state = { signalled: false, running: true };
  const one = () =>
    new Promise<void>((resolve) => {
      const outcome: Outcome = { beforeSignal: false, result: 'pending' };
      outcomes.push(outcome);
      const req = http.get(`${baseUrl}/account/password`, { agent, headers: { cookie } }, (res) => {
        res.resume();
        res.on('end', () => {
          outcome.result = String(res.statusCode);
          resolve();
        });
        res.on('error', (err: NodeJS.ErrnoException) => {
          outcome.result = `reset during the response: ${err.code ?? err.message}`;
          resolve();
        });
      });
      req.on('finish', () => {
        outcome.beforeSignal = !state.signalled;
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        outcome.result = `error ${err.code ?? err.message}`;
        resolve();
      });
    });
  // Like a load balancer, a connection sends nothing new once the instance is told to stop.
  const loop = async () => {
    while (state.running && !state.signalled) await one();
  };
  const loops = Array.from({ length: 8 }, loop);
  return {
    outcomes,
    state,
    async stop() {
      state.running = false;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}

async function queueMessages(run: number): Promise<void> {
  const db = stampedBy(database.db, systemClock);
  for (let i = 0; i < MESSAGES_PER_RUN; i++) {
    await enqueueMail(db, { kind: 'test', to: `run${run}-${i}@example.org`, subject: 'Stop test', text: 'A test.' });
  }
}

/** Messages by status: all of them, or only those this test queued. */
async function outboxCounts(kind?: string): Promise<Record<string, number>> {
  let query = database.db.selectFrom('outbox').select(['status', (eb) => eb.fn.countAll<string>().as('n')]);
  if (kind) query = query.where('kind', '=', kind);
  const rows = await query.groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

async function stopUnderLoad(run: number, cookie: string | undefined) {
  const app: AppProcess = await startAppProcess(env);
  running.push(app);
  cookie ??= await signInOverHttp(app.baseUrl, 'chair@example.org');
  await queueMessages(run);
  const load = keepAliveLoad(app.baseUrl, cookie);
  const acceptedBefore = smtp.accepted.length;
  await waitUntil('requests answered and messages sending', () => {
    return load.outcomes.filter((o) => o.result === '200').length >= 30 && smtp.accepted.length > acceptedBefore;
  });
  load.state.signalled = true;
  const signalledAt = Date.now();
  app.child.kill('SIGTERM');
  const exitCode = await app.exited;
  const stopMs = Date.now() - signalledAt;
  await load.stop();
  return { app, cookie, exitCode, stopMs, outcomes: load.outcomes };
}

test(`when SIGTERM arrives under keep-alive load, then no request already sent is reset, no message is left sending or sent twice, and the process exits 0 within the bound (${REPEATS} times)`, async () => {
  let cookie: string | undefined;
  const figures = { requests: 0, beforeSignal: 0, errorsBeforeSignal: 0, maxStopMs: 0, messagesQueuedAgain: 0 };
  for (let run = 1; run <= REPEATS; run++) {
    const stopped = await stopUnderLoad(run, cookie);
    cookie = stopped.cookie;
    const sentBefore = stopped.outcomes.filter((o) => o.beforeSignal);
    const failedBefore = sentBefore.filter((o) => o.result !== '200');
    figures.requests += stopped.outcomes.length;
    figures.beforeSignal += sentBefore.length;
    figures.errorsBeforeSignal += failedBefore.length;
    for (const [, n] of stopped.app.output().matchAll(/"released":(\d+)/g)) figures.messagesQueuedAgain += Number(n);
    figures.maxStopMs = Math.max(figures.maxStopMs, stopped.stopMs);
    const counts = await outboxCounts();
    expect({ run, exitCode: stopped.exitCode, failedBefore, sending: counts.sending ?? 0 }).toEqual({
      run,
      exitCode: 0,
      failedBefore: [],
      sending: 0,
    });
    expect(stopped.stopMs).toBeLessThan(10000);
    expect(smtp.duplicates()).toBe(0);
    expect(linesNotInTheLog(stopped.app.output())).toEqual([]);
  }
  // One last start sends everything still queued: each message once.
  const last = await startAppProcess(env);
  running.push(last);
  const drained = await waitUntil(
    'every message sent',
    async () => (await outboxCounts('test')).sent === REPEATS * MESSAGES_PER_RUN,
    60000,
  ).catch(async () => ({ counts: await outboxCounts(), output: last.output().slice(-3000) }));
  expect(drained).toBe(true);
  last.child.kill('SIGTERM');
  expect(await last.exited).toBe(0);
  const counts = await outboxCounts();
  console.log(
    `SIGTERM under keep-alive load, ${REPEATS} runs: ${JSON.stringify({ ...figures, messages: smtp.accepted.length, duplicates: smtp.duplicates(), outbox: counts })}`,
  );
  expect(counts.sending).toBeUndefined();
  expect(await outboxCounts('test')).toEqual({ sent: REPEATS * MESSAGES_PER_RUN });
  const testMessages = await database.db.selectFrom('outbox').select('id').where('kind', '=', 'test').execute();
  const acceptedOnce = new Set(smtp.accepted);
  expect(testMessages.filter((m) => !acceptedOnce.has(`<outbox-${m.id}@localhost>`))).toEqual([]);
  expect(smtp.duplicates()).toBe(0);
}, 300000);
