/**
 * The benchmark: `npm run bench`. Not a test: it reports speed as ratios, because absolute times
 * on shared machines drift.
 *
 * Seeds deterministic synthetic data at 1,000 and 100,000 cases in PostgreSQL (BENCH_DATABASE_URL,
 * else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test: a server on which it may
 * create and drop databases), starts the real app on each, and measures with autocannon at 20
 * concurrent connections: a bare route of the same process (the floor) and the main pages as a
 * signed-in chair; then the minutes PDF with a warm browser against Chromium printing the same HTML
 * directly and against a cold launch; then the outbox draining 1,000 messages to a local SMTP
 * server against Nodemailer sending the same messages directly. Prints medians, p99 and ratios.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import nodemailer from 'nodemailer';
import pg from 'pg';
import pino from 'pino';
import puppeteer from 'puppeteer-core';
import { kyselyOver } from '../src/db/database';
import { stampedBy } from '../src/db/clock-timestamps';
import { migrateToLatest } from '../src/db/migrate';
import { seedFoundation } from '../src/seed/demo-foundation';
import { enqueueMail } from '../src/mail/outbox';
import { MailWorker } from '../src/mail/mail.worker';
import { smtpTransport } from '../src/mail/transport';
import { systemClock } from '../src/clock';
import { findChromium } from '../src/pdf/chromium';
import { PdfRenderer, renderDirect } from '../src/pdf/renderer';
import { signInOverHttp, startAppProcess } from '../test/support/process';
import { startSmtpServer } from '../test/support/smtp';
import { seedSynthetic } from './synthetic';

const ADMIN_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SIZES = (process.env.BENCH_SIZES ?? '1000,100000').split(',').map(Number);
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);

interface Measure {
  name: string;
  median: number;
  p99: number;
  rps: number;
  errors: number;
}

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
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function load(name: string, url: string, cookie?: string): Promise<Measure> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers: cookie ? { cookie } : {},
  });
  const bad = result.non2xx + result.errors + result.timeouts;
  return { name, median: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, errors: bad };
}

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

async function benchPages(
  cases: number,
): Promise<{ measures: Measure[]; peakMb: number; minutesPanelId: number; dbUrl: string }> {
  return withDatabase(String(cases), async (dbUrl) => {
    const db = stampedBy(kyselyOver(new pg.Pool({ connectionString: dbUrl, max: 4 })), systemClock);
    await migrateToLatest(db);
    await seedFoundation(db, 'demo-password');
    const started = Date.now();
    const ids = await seedSynthetic(db, cases);
    console.log(`  ${cases} cases seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await db.destroy();

    const app = await startAppProcess(
      {
        NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? '--max-old-space-size=192',
        DATABASE_URL: dbUrl,
        DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'asbrac-bench-')),
        LOG_LEVEL: 'warn',
        NODE_ENV: 'production',
        SESSION_SECRET: randomBytes(32).toString('hex'),
      },
      60000,
      { compiled: true },
    );
    let peak = 0;
    const sampler = setInterval(() => {
      // The largest process of the tree is the server itself (Chromium's are counted apart);
      // adding RSS across processes would count shared pages more than once.
      const pids = [app.child.pid!, ...descendants(app.child.pid!)];
      const largest = Math.max(...pids.map(rssKb));
      if (largest > peak && process.env.BENCH_DEBUG)
        console.log(
          pids
            .map(
              (p) => `${p}:${rssKb(p)}:${readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 60)}`,
            )
            .join(' | '),
        );
      peak = Math.max(peak, largest);
    }, 200);
    try {
      const cookie = await signInOverHttp(app.baseUrl, 'chair@example.org');
      const measures: Measure[] = [];
      const pages: [string, string][] = [
        ['bare route (/ping)', '/ping'],
        ['agenda page', `/panels/${ids.panelId}/agenda`],
        ['case list with a search', `/referrals?q=${encodeURIComponent(ids.searchTerm)}`],
        ['case record (with its audit write)', `/referrals/${ids.referralId}`],
        ['actions page', '/actions'],
      ];
      for (const [name, url] of pages) {
        await load(name, `${app.baseUrl}${url}`, cookie); // warm-up run, not reported
        const m = await load(name, `${app.baseUrl}${url}`, name.startsWith('bare') ? undefined : cookie);
        measures.push(m);
        console.log(
          `  ${name}: median ${m.median} ms, p99 ${m.p99} ms, ${Math.round(m.rps)} req/s${m.errors ? `, ${m.errors} non-2xx or errors` : ''}`,
        );
      }
      console.log(`  peak RSS of the app process: ${Math.round(peak / 1024)} MB`);
      return { measures, peakMb: Math.round(peak / 1024), minutesPanelId: ids.panelId, dbUrl };
    } finally {
      clearInterval(sampler);
      app.child.kill('SIGTERM');
      await app.exited;
    }
  });
}

function sampleMinutesHtml(items: number): string {
  const rows = Array.from({ length: items }, (_, i) => {
    const actions = Array.from(
      { length: 4 },
      (_, k) =>
        `<tr><td>Action ${i + 1}.${k + 1}: visit and review the support plan</td><td>Agency ${k + 1}</td><td>Named officer</td><td>1${k} January 2027</td></tr>`,
    ).join('');
    return `<section><h2>Item ${i + 1}: ASB-2026-${String(1000 + i).padStart(4, '0')}</h2>
      <p>Subjects: Victim ${i + 1}, Perpetrator ${i + 1}. ${'Information shared by each agency and the risk discussion. '.repeat(12)}</p>
      <p>Decision: keep open and review at the next panel.</p>
      <table><thead><tr><th>Action</th><th>Agency</th><th>Person</th><th>Due</th></tr></thead><tbody>${actions}</tbody></table></section>`;
  }).join('');
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{font-family:sans-serif;font-size:11pt}table{width:100%;border-collapse:collapse}td,th{border:1px solid #999;padding:4px}tr{break-inside:avoid}</style></head><body><h1>Minutes</h1>${rows}</body></html>`;
}

async function timeRuns(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function benchPdf(): Promise<{ warm: number; floor: number; cold: number }> {
  const html = sampleMinutesHtml(15);
  const executablePath = findChromium(process.env.CHROMIUM_PATH);
  const renderer = new PdfRenderer({ chromiumPath: executablePath, logger: pino({ level: 'silent' }) });
  await renderer.render(html);
  const warm = median(await timeRuns(10, () => renderer.render(html)));
  await renderer.close();
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage();
  const printDirect = async () => {
    await page.setContent(html, { waitUntil: 'load' });
    await page.pdf({ format: 'A4', printBackground: true });
  };
  await printDirect();
  const floor = median(await timeRuns(10, printDirect));
  await browser.close();
  const cold = median(await timeRuns(3, () => renderDirect(html, { chromiumPath: executablePath })));
  return { warm, floor, cold };
}

async function benchOutbox(dbUrl: string): Promise<{ outboxPerSecond: number; directPerSecond: number }> {
  const smtp = await startSmtpServer();
  const db = stampedBy(kyselyOver(new pg.Pool({ connectionString: dbUrl, max: 4 })), systemClock);
  try {
    await migrateToLatest(db);
    const message = (i: number) => ({
      kind: 'bench',
      to: `person${i}@example.org`,
      subject: `Benchmark ${i}`,
      text: `Message ${i}`,
    });
    for (let i = 0; i < 1000; i++) await enqueueMail(db, message(i));
    // Both sides keep their SMTP connections open between messages (nodemailer's pool).
    const pooled = `${smtp.url}?pool=true&maxConnections=1`;
    const worker = new MailWorker({
      db,
      clock: systemClock,
      transport: smtpTransport(pooled),
      from: 'bench@example.org',
      messageIdDomain: 'bench',
      batchSize: 50,
    });
    let t = performance.now();
    await worker.drain();
    const outboxMs = performance.now() - t;
    const direct = nodemailer.createTransport(pooled);
    t = performance.now();
    for (let i = 0; i < 1000; i++) {
      const m = message(i);
      await direct.sendMail({ from: 'bench@example.org', to: m.to, subject: m.subject, text: m.text });
    }
    const directMs = performance.now() - t;
    direct.close();
    return { outboxPerSecond: 1000 / (outboxMs / 1000), directPerSecond: 1000 / (directMs / 1000) };
  } finally {
    await db.destroy();
    await smtp.close();
  }
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);
const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');

async function main(): Promise<void> {
  console.log(
    `ASBRAC Manager benchmark, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.version}, ${CONNECTIONS} connections, ${DURATION_S} s a page\n`,
  );
  const bySize = new Map<number, { measures: Measure[]; peakMb: number }>();
  for (const size of SIZES) {
    console.log(`Pages at ${size} cases`);
    const result = await benchPages(size);
    bySize.set(size, result);
  }
  console.log('\nMinutes PDF (15 cases)');
  const pdf = await benchPdf();
  console.log('\nOutbox (1,000 messages)');
  const outbox = await withDatabase('outbox', benchOutbox);

  const small = bySize.get(SIZES[0])!;
  const large = bySize.get(SIZES[SIZES.length - 1])!;
  const lines: string[] = [];
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');
  lines.push('| Measure | median ms | p99 ms | ratio | target |', '|---|---|---|---|---|');
  for (const size of SIZES) {
    const { measures } = bySize.get(size)!;
    const bare = measures[0];
    for (const m of measures) {
      const r = ratio(m.median, bare.median);
      const target = m === bare ? 'floor' : `≤ 15× bare: ${verdict(r <= 15)}`;
      lines.push(`| ${m.name} at ${size} | ${fmt(m.median)} | ${fmt(m.p99)} | ${fmt(r)}× bare | ${target} |`);
    }
  }
  if (SIZES.length > 1) {
    for (let i = 1; i < small.measures.length; i++) {
      const r = ratio(large.measures[i].median, small.measures[i].median);
      lines.push(
        `| ${small.measures[i].name}: ${SIZES[SIZES.length - 1]} against ${SIZES[0]} | | | ${fmt(r)}× | ≤ 1.5×: ${verdict(r <= 1.5)} |`,
      );
    }
  }
  lines.push(
    `| minutes PDF, warm browser | ${fmt(pdf.warm)} | | ${fmt(ratio(pdf.warm, pdf.floor))}× Chromium's own print | ≤ 1.5×: ${verdict(pdf.warm <= pdf.floor * 1.5)} |`,
  );
  lines.push(
    `| minutes PDF, cold launch | ${fmt(pdf.cold)} | | ${fmt(ratio(pdf.cold, pdf.warm))}× slower than warm | ≥ 3×: ${verdict(pdf.cold >= pdf.warm * 3)} |`,
  );
  lines.push(
    `| outbox, 1,000 messages | ${fmt((1000 / outbox.outboxPerSecond) * 1000)} total | | ${fmt(ratio(outbox.outboxPerSecond, outbox.directPerSecond))}× direct sending | ≥ 0.8×: ${verdict(outbox.outboxPerSecond >= outbox.directPerSecond * 0.8)} |`,
  );
  const peak = Math.max(...[...bySize.values()].map((v) => v.peakMb));
  lines.push(`| app memory, peak RSS | ${peak} MB | | | < 300 MB: ${verdict(peak < 300)} |`);
  console.log(`\n${lines.join('\n')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
