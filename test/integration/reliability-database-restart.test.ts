import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { linesNotInTheLog, signInOverHttp, startAppProcess, waitUntil, type AppProcess } from '../support/process';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../support/throwaway-postgres';

let postgres: ThrowawayPostgres;
let app: AppProcess;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'asbrac-restart-'));

beforeAll(async () => {
  postgres = await startThrowawayPostgres();
  app = await startAppProcess({ DATABASE_URL: postgres.url, SEED_DEMO_DATA: 'true', DATA_DIR: dataDir });
}, 120000);
afterAll(async () => {
  if (app?.child.exitCode === null) {
    app.child.kill('SIGTERM');
    await app.exited;
  }
  postgres?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

async function query<T extends pg.QueryResultRow>(text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

interface Tally {
  requests: number;
  byStatus: Record<string, number>;
  toSignIn: number;
}

/**
 * A busy signed-in user (four requests at a time, each straight after the last) and a signed-out
 * visitor who keeps being sent to sign in, until `stop()`.
 */
function busyUsers(cookie: string) {
  const tally: Tally = { requests: 0, byStatus: {}, toSignIn: 0 };
  let running = true;
  const count = (status: number | string, location: string | null) => {
    tally.requests++;
    tally.byStatus[status] = (tally.byStatus[status] ?? 0) + 1;
    if (location?.startsWith('/login')) tally.toSignIn++;
  };
  const signedIn = async () => {
    while (running) {
      const answer = await fetch(`${app.baseUrl}/account/password`, { headers: { cookie }, redirect: 'manual' }).then(
        async (res) => ({ status: res.status, location: res.headers.get('location'), body: await res.text() }),
        (err: { cause?: { code?: string }; message: string }) => ({
          status: `error ${err.cause?.code ?? err.message}`,
          location: null,
        }),
      );
      count(answer.status, answer.location);
    }
  };
  const visitor = async () => {
    while (running) {
      for (const url of ['/panels', '/login']) {
        const res = await fetch(`${app.baseUrl}${url}`, { redirect: 'manual' }).catch(() => undefined);
        await res?.arrayBuffer();
      }
    }
  };
  const loops = [signedIn(), signedIn(), signedIn(), signedIn(), visitor()];
  return {
    tally,
    async stop() {
      running = false;
      await Promise.all(loops);
      return tally;
    },
  };
}

const healthy = async () => (await fetch(`${app.baseUrl}/healthz`)).status === 200;

test('when PostgreSQL restarts, or the app loses its connections, while a user is busy, then nobody is signed out and signed-out visitors store no session', async () => {
  const cookie = await signInOverHttp(app.baseUrl, 'chair@example.org');
  const sessionsBefore = await query<{ n: string }>('select count(*) as n from sessions');
  const load = busyUsers(cookie);
  // A wait that times out says what the users saw and what the app logged last.
  const waitFor = (what: string, check: () => boolean, timeoutMs?: number) =>
    waitUntil(what, check, timeoutMs).catch((err: Error) => {
      throw new Error(
        `${err.message}; answers so far ${JSON.stringify(load.tally)}; app log ends:\n${app.output().slice(-4000)}`,
      );
    });
  await waitFor('requests answered before the restart', () => load.tally.byStatus[200] > 20);

  postgres.stop('fast');
  await waitFor('pages answering 503 while PostgreSQL is down', () => load.tally.byStatus[503] > 5);
  await new Promise((r) => setTimeout(r, 2000));
  postgres.start();
  await waitUntil('the app to recover', healthy, 30000);
  const answeredAfterRestart = load.tally.byStatus[200];
  await waitFor('requests answered after the restart', () => load.tally.byStatus[200] > answeredAfterRestart + 20);

  // Every connection the app holds is ended, without a restart, ten times over.
  for (let i = 0; i < 10; i++) {
    await query(`select pg_terminate_backend(pid) from pg_stat_activity
                 where pid <> pg_backend_pid() and datname = current_database()`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const answeredAfterTermination = load.tally.byStatus[200];
  await waitFor('requests answered after the connections ended', () => {
    return load.tally.byStatus[200] > answeredAfterTermination + 20;
  });
  const tally = await load.stop();
  console.log(`database restart under load: ${JSON.stringify(tally)}`);

  expect(tally.toSignIn).toBe(0);
  expect(Object.keys(tally.byStatus).sort()).toEqual(['200', '503']);
  // The user is still signed in, with the same session; the visitor's requests stored none.
  const page = await fetch(`${app.baseUrl}/account/password`, { headers: { cookie }, redirect: 'manual' });
  expect(page.status).toBe(200);
  const sessionsAfter = await query<{ n: string }>('select count(*) as n from sessions');
  expect(sessionsAfter).toEqual(sessionsBefore);
  expect(app.child.exitCode).toBeNull();
  // Every error went to the structured log: no bare stack traces.
  expect(linesNotInTheLog(app.output())).toEqual([]);
});
