import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import request from 'supertest';
import { loadConfig } from '../src/config';
import { openPostgres } from '../src/db/database';
import { createServices } from '../src/services';
import { createApp } from '../src/app';
import { systemClock } from '../src/clock';

export interface PagePlans {
  page: string;
  queries: number;
  /** "table (query n)" for each large table a query reads from start to end, or why the page was not explained. */
  scans: string[];
}

/** Tables this big or bigger must be read by index. */
const LARGE_ROWS = 10_000;

/** A node of `explain (format json)`; the counts are there with `analyze, buffers`. */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  'Heap Fetches'?: number;
  Plans?: PlanNode[];
}

/** The node and every node under it. */
export const planNodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(planNodes)];

const seqScans = (plan: PlanNode): string[] =>
  planNodes(plan).flatMap((n) => (n['Node Type'] === 'Seq Scan' && n['Relation Name'] ? [n['Relation Name']] : []));

type Explained = { 'QUERY PLAN': [{ Plan: PlanNode }] };

// eslint-disable-next-line @typescript-eslint/no-require-imports -- pg's own conversion of a value to the text it sends, untyped
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (value: unknown) => string | null };

/**
 * The plan PostgreSQL may keep for a statement the app prepares (src/db/prepared-statements.ts),
 * which is made without the values: the statement is prepared, and explained with a generic plan
 * forced, as PostgreSQL 15 has no `explain (generic_plan)`.
 */
async function genericPlan(client: pg.Client, text: string, values: unknown[]): Promise<PlanNode> {
  const literals = values.map((v) => {
    const prepared = prepareValue(v);
    return prepared === null ? 'null' : client.escapeLiteral(prepared);
  });
  await client.query(`prepare asbrac_explained as ${text}`);
  try {
    await client.query('set plan_cache_mode = force_generic_plan');
    const plan = await client.query<Explained>(
      `explain (format json) execute asbrac_explained(${literals.join(', ')})`,
    );
    return plan.rows[0]['QUERY PLAN'][0].Plan;
  } finally {
    await client.query('reset plan_cache_mode');
    await client.query('deallocate asbrac_explained');
  }
}

/**
 * Asks each page once, of an app in this process whose database connections note every statement
 * they send, then explains each statement twice: planned for its own values, and with the generic
 * plan a prepared statement may run on. A page passes when no plan reads a large table sequentially.
 */
export async function explainPages(dbUrl: string, chairEmail: string, pages: [string, string][]): Promise<PagePlans[]> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'asbrac-bench-plans-'));
  const config = loadConfig({
    NODE_ENV: 'development',
    DATA_DIR: dataDir,
    DATABASE_URL: dbUrl,
    SEED_DEMO_DATA: 'false',
    SESSION_SECRET: 'bench-plans-session-secret-0123456789abcdef',
    BASE_URL: 'http://127.0.0.1',
    LOG_LEVEL: 'silent',
  });
  const database = openPostgres(dbUrl, 2);
  let noted: { text: string; values: unknown[] }[] | null = null;
  database.pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      if (noted && typeof args[0] === 'string') noted.push({ text: args[0], values: (args[1] as unknown[]) ?? [] });
      return query(...args);
    };
  });
  const services = createServices({ config, database, clock: systemClock, logger: pino({ level: 'silent' }) });
  const app = createApp(services);
  const explainer = new pg.Client({ connectionString: dbUrl });
  await explainer.connect();
  try {
    const large = new Set(
      (
        await explainer.query<{ relname: string }>(
          `select relname from pg_class where relkind = 'r' and relnamespace = 'public'::regnamespace and reltuples >= $1`,
          [LARGE_ROWS],
        )
      ).rows.map((r) => r.relname),
    );
    const agent = request.agent(app);
    const login = await agent.get('/login');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)![1];
    const signedIn = await agent
      .post('/login')
      .set('origin', 'http://127.0.0.1')
      .type('form')
      .send({ _csrf: csrf, email: chairEmail, password: 'demo-password' });
    if (signedIn.status !== 303) throw new Error(`sign-in for the plans failed: ${signedIn.status}`);
    const reports: PagePlans[] = [];
    for (const [page, url] of pages) {
      noted = [];
      const res = await agent.get(url);
      const statements = noted;
      noted = null;
      // A page that did not answer is reported as not met, and the other pages are still explained.
      const scans: string[] = res.status === 200 ? [] : [`the page itself (it answered ${res.status})`];
      for (const [i, s] of statements.entries()) {
        if (!/^\s*(select|with|insert|update|delete)\b/i.test(s.text)) continue;
        const plan = await explainer.query<Explained>(`explain (format json) ${s.text}`, s.values);
        for (const table of seqScans(plan.rows[0]['QUERY PLAN'][0].Plan))
          if (large.has(table)) scans.push(`${table} (query ${i + 1})`);
        if (s.values.length === 0) continue;
        for (const table of seqScans(await genericPlan(explainer, s.text, s.values)))
          if (large.has(table)) scans.push(`${table} (query ${i + 1}, generic plan)`);
      }
      reports.push({ page, queries: statements.length, scans });
    }
    return reports;
  } finally {
    await explainer.end();
    await services.shutdown();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
