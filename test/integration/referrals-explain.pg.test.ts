import { CompiledQuery, sql } from 'kysely';
import { createTestContext, type TestContext } from '../support/context';
import { usingPostgres } from '../support/database';
import { explainReferralQueries, person, seedSyntheticReferrals } from '../../bench/explain-referrals';
import { planNodes, type PlanNode } from '../../bench/plans';
import { visibleReferrals } from '../../src/referrals/case-access';
import { countQuery } from '../../src/referrals/referral-list.repository';
import { COUNT_CAP } from '../../src/referrals/referrals.service';

// Query plans are PostgreSQL's: this runs against the server in TEST_DATABASE_URL (as CI does),
// and runs only against PostgreSQL (a *.pg.test.ts file), whose planner is the one in production.
if (!usingPostgres) throw new Error('TEST_DATABASE_URL is required for this file');
describe('the referral list at 100,000 referrals', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
    await seedSyntheticReferrals(ctx.db, 100_000);
  }, 120_000);
  afterAll(() => ctx?.close());

  test('every list, filter, search and count query reads an index, never the whole referrals table', async () => {
    const reports = await explainReferralQueries(ctx.db);
    expect(reports.length).toBeGreaterThanOrEqual(15);
    for (const report of reports) {
      expect({ name: report.name, usesIndex: report.usesIndex, scansTable: report.scansTable }).toEqual({
        name: report.name,
        usesIndex: true,
        scansTable: false,
      });
    }
    const search = reports.find((r) => r.name === 'search for a name')!;
    expect(search.plan).toContain('referrals_search_idx');
  });

  test('a search for a rare name reads a few pages of the trigram index, with nothing written left waiting in a pending list', async () => {
    const rare = await ctx.db
      .selectFrom('referralSubjects')
      .select('fullName')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const [first, last] = rare.fullName!.toLowerCase().split(' ');
    const explained = await sql<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>`
      explain (analyze, buffers, format json)
      select id from referrals where search_text ilike ${`%${first}%`} and search_text ilike ${`%${last}%`}`.execute(
      ctx.db,
    );
    const indexScan = planNodes(explained.rows[0]['QUERY PLAN'][0].Plan).find(
      (n) => n['Node Type'] === 'Bitmap Index Scan' && n['Index Name'] === 'referrals_search_idx',
    )!;
    expect(indexScan['Actual Rows']).toBeGreaterThan(0);
    // 100,000 referrals written with GIN's fast update leave about 450 pending pages, all read by every search.
    expect(indexScan['Shared Hit Blocks']! + indexScan['Shared Read Blocks']!).toBeLessThan(100);
  });

  test("the case list's count of the cases an administrator may see reads the index alone, no row of the table", async () => {
    // As autovacuum leaves the table: its rows marked visible to every transaction.
    await sql`vacuum referrals`.execute(ctx.db);
    const compiled = countQuery(
      ctx.db,
      visibleReferrals(person('administrator', 1)),
      { words: [] },
      COUNT_CAP,
    ).compile();
    const explained = await ctx.db.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      CompiledQuery.raw(`explain (analyze, buffers, format json) ${compiled.sql}`, [...compiled.parameters]),
    );
    const reads = planNodes(explained.rows[0]['QUERY PLAN'][0].Plan).filter((n) => n['Relation Name'] === 'referrals');
    // The first cap + 1 visible cases in the list's order, each taken from the index.
    expect(reads.map((n) => [n['Node Type'], n['Index Name'], n['Actual Rows'], n['Heap Fetches']])).toEqual([
      ['Index Only Scan', 'referrals_submitted_idx', COUNT_CAP + 1, 0],
    ]);
  });
});
