/**
 * The benchmark: `npm run bench`. Not a test: it reports speed as ratios, because absolute times
 * on shared machines drift.
 *
 * For each size (BENCH_SIZES, default 1,000 and 100,000 cases) it makes a PostgreSQL database
 * (beside BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test),
 * adds the demo partnership and the synthetic cases around it, starts the compiled app and loads
 * every main page as a signed-in chair with autocannon (20 connections, 8 s a page after a warm-up),
 * with a bare route of the same process as the floor, and one write (the chair saving meeting
 * items). At the smallest size it does the same on the embedded database (PGlite), and times the
 * compiled server's start on that existing data directory. At the largest size it explains every
 * query each page runs. Then the minutes PDF, and the outbox. It ends with every target, met or not.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { kyselyOver, embeddedDir, openEmbedded } from '../src/db/database';
import { stampedBy } from '../src/db/clock-timestamps';
import { migrateToLatest } from '../src/db/migrate';
import { systemClock } from '../src/clock';
import { signInOverHttp, startAppProcess, type AppProcess } from '../test/support/process';
import { loadPage, loadSaves, type Measure, type SaveTarget } from './load';
import { seedScene, type Scene } from './scene';
import { BARE, SAVE, pagesOf } from './pages';
import { benchPdf } from './pdf';
import { benchOutbox } from './outbox';
import { explainPages, type PagePlans } from './plans';
import { targetRows, type Results } from './targets';

const ADMIN_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SIZES = (process.env.BENCH_SIZES ?? '1000,100000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const BASE_URL = 'http://127.0.0.1';

function descendants(pid: number): number[] {
  try {
    const children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
    return [...children, ...children.flatMap(descendants)];
  } catch {
    return [];
  }
}

function rssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The largest resident size of the server's own process while `work` runs (Chromium's are apart). */
async function peakRssMb<T>(app: AppProcess, work: () => Promise<T>): Promise<[T, number]> {
  let peak = 0;
  const sample = () => {
    const pids = [app.child.pid!, ...descendants(app.child.pid!)];
    peak = Math.max(peak, ...pids.map(rssKb));
  };
  const sampler = setInterval(sample, 200);
  try {
    return [await work(), Math.round(peak / 1024)];
  } finally {
    clearInterval(sampler);
  }
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];

async function getPage(app: AppProcess, cookie: string, url: string): Promise<string> {
  const res = await fetch(`${app.baseUrl}${url}`, { headers: { cookie } });
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return res.text();
}

/** Starts meetings of the scene's meeting panels, as the chair does, until they have an item a connection. */
async function startMeetings(app: AppProcess, cookie: string, scene: Scene): Promise<SaveTarget[]> {
  const targets: SaveTarget[] = [];
  for (const panelId of scene.meetingPanelIds) {
    if (targets.length >= CONNECTIONS) break;
    const overview = await getPage(app, cookie, `/panels/${panelId}/meeting`);
    const res = await fetch(`${app.baseUrl}/panels/${panelId}/meeting/start`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, origin: app.baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
      // The panel meets later this month: the chair confirms starting early, as the page asks.
      body: new URLSearchParams({ _csrf: csrfOf(overview)!, confirmEarly: 'yes' }),
    });
    if (res.status !== 303) throw new Error(`the meeting of panel ${panelId} did not start: ${res.status}`);
    const started = await getPage(app, cookie, `/panels/${panelId}/meeting`);
    const paths = [...new Set([...started.matchAll(/href="(\/panels\/\d+\/meeting\/items\/\d+)"/g)].map((m) => m[1]))];
    for (const p of paths) {
      const page = await getPage(app, cookie, p);
      targets.push({ path: p, version: Number(/name="version" value="(\d+)"/.exec(page)?.[1] ?? 0) });
    }
  }
  return targets;
}

interface SizeResult {
  measures: Measure[];
  peakMb: number;
  pages: [string, string][];
  plans?: PagePlans[];
}

/** Loads every page of the app in `app`, signed in as the scene's chair. */
async function loadEveryPage(app: AppProcess, scene: Scene, label: string): Promise<SizeResult> {
  const cookie = await signInOverHttp(app.baseUrl, scene.chairEmail);
  const saves = await startMeetings(app, cookie, scene);
  const meetingPanel = scene.meetingPanelIds[0];
  const pages = pagesOf(scene, { register: `/panels/${meetingPanel}/register`, item: saves[0].path });
  const csrf = csrfOf(await getPage(app, cookie, saves[0].path))!;
  const [measures, peakMb] = await peakRssMb(app, async () => {
    const measures: Measure[] = [];
    const report = (m: Measure) => {
      measures.push(m);
      console.log(
        `  ${label} ${m.name}: median ${m.median} ms, p99 ${m.p99} ms, ${Math.round(m.rps)} req/s${m.errors ? `, ${m.errors} unexpected answers` : ''}`,
      );
    };
    for (const [name, url] of pages) {
      const options = { connections: CONNECTIONS, seconds: SECONDS, cookie: name === BARE ? undefined : cookie };
      await loadPage(name, `${app.baseUrl}${url}`, { ...options, seconds: Math.min(2, SECONDS) });
      report(await loadPage(name, `${app.baseUrl}${url}`, options));
    }
    // Not discussed yet, so no earlier action needs an outcome: the record is saved as the chair types.
    const form = (version: number, n: number) =>
      new URLSearchParams({
        version: String(version),
        discussion: `Discussion, revision ${n}.`,
        riskLevel: 'high',
      }).toString();
    report(
      await loadSaves(SAVE, app.baseUrl, saves, form, { connections: CONNECTIONS, seconds: SECONDS, cookie, csrf }),
    );
    // Each save counted was made: every item shows the version its last save gave it, or one more
    // when a save was still on its way as the load stopped.
    for (const save of saves) {
      const shown = Number(/name="version" value="(\d+)"/.exec(await getPage(app, cookie, save.path))?.[1]);
      if (shown !== save.version && shown !== save.version + 1)
        throw new Error(`${save.path} is at version ${shown}, not ${save.version}`);
    }
    return measures;
  });
  console.log(`  ${label} peak RSS of the app process: ${peakMb} MB`);
  return { measures, peakMb, pages };
}

const appEnv = (extra: Record<string, string>) => ({
  // The heap limit of the production image (Dockerfile).
  NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? '--max-old-space-size=192',
  LOG_LEVEL: 'warn',
  NODE_ENV: 'production',
  SEED_DEMO_DATA: 'false',
  BASE_URL,
  SESSION_SECRET: randomBytes(32).toString('hex'),
  ...extra,
});

async function withDatabase<T>(label: string, fn: (url: string) => Promise<T>): Promise<T> {
  const name = `asbrac_bench_${label}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

async function onPostgres(cases: number, explain: boolean): Promise<SizeResult> {
  return withDatabase(String(cases), async (dbUrl) => {
    const db = stampedBy(kyselyOver(new pg.Pool({ connectionString: dbUrl, max: 4 })), systemClock);
    const started = Date.now();
    let scene: Scene;
    try {
      await migrateToLatest(db);
      scene = await seedScene(db, systemClock, cases, BASE_URL);
    } finally {
      await db.destroy();
    }
    console.log(`  ${cases} cases seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'asbrac-bench-'));
    const app = await startAppProcess(appEnv({ DATABASE_URL: dbUrl, DATA_DIR: dataDir }), 60000, { compiled: true });
    try {
      const result = await loadEveryPage(app, scene, 'PostgreSQL');
      if (explain) result.plans = await explainPages(dbUrl, scene.chairEmail, result.pages);
      return result;
    } finally {
      app.child.kill('SIGTERM');
      await app.exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

async function onPglite(cases: number): Promise<SizeResult & { startupMs: number }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'asbrac-bench-pglite-'));
  try {
    const embedded = await openEmbedded(embeddedDir(dataDir));
    const db = stampedBy(embedded.db, systemClock);
    await migrateToLatest(db);
    const scene = await seedScene(db, systemClock, cases, BASE_URL);
    await embedded.close();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the build's own CommonJS script, as npm start uses it
    (require('../scripts/build') as { ensureBuilt(): void }).ensureBuilt();
    const started = performance.now();
    const app = await startAppProcess(appEnv({ DATA_DIR: dataDir }), 60000, { compiled: true });
    while (
      !(await fetch(`${app.baseUrl}/healthz`).then(
        (r) => r.ok,
        () => false,
      ))
    )
      await new Promise((r) => setTimeout(r, 20));
    const startupMs = performance.now() - started;
    console.log(`  PGlite: the compiled server answered /healthz ${Math.round(startupMs)} ms after it was started`);
    try {
      return { ...(await loadEveryPage(app, scene, 'PGlite')), startupMs };
    } finally {
      app.child.kill('SIGTERM');
      await app.exited;
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(
    `ASBRAC Manager benchmark, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.version}, ${CONNECTIONS} connections, ${SECONDS} s a page\n`,
  );
  const largest = Math.max(...SIZES);
  const bySize = new Map<number, SizeResult>();
  for (const size of SIZES) {
    console.log(`Pages at ${size} cases`);
    bySize.set(size, await onPostgres(size, size === largest));
  }
  console.log(`\nPages at ${SIZES[0]} cases on the embedded database`);
  const pglite = await onPglite(SIZES[0]);
  console.log('\nMinutes PDF (a 15-case panel)');
  const pdf = await benchPdf();
  console.log('\nOutbox (1,000 messages)');
  const outbox = await withDatabase('outbox', benchOutbox);

  const results: Results = {
    sizes: SIZES,
    pages: new Map([...bySize].map(([size, r]) => [size, r.measures])),
    peakMbBySize: new Map([...bySize].map(([size, r]) => [size, r.peakMb])),
    pglite: pglite.measures,
    startupMs: pglite.startupMs,
    pdf,
    outbox,
  };
  const plans = bySize.get(largest)?.plans ?? [];
  console.log(`\nQuery plans at ${largest} cases: every query each page runs, explained`);
  for (const p of plans)
    console.log(
      `  ${p.page}: ${p.queries} queries, ${p.scans.length ? `reads sequentially: ${p.scans.join('; ')}` : 'each reads its large tables by index'}`,
    );
  console.log(`\n${targetRows(results, BARE, plans).join('\n')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
