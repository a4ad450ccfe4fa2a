import { createTestContext, type TestContext } from '../support/context';
import { usingPostgres } from '../support/database';
import { explainReferralQueries, seedSyntheticReferrals } from '../../bench/explain-referrals';

// Query plans are PostgreSQL's: this runs against the server in TEST_DATABASE_URL (as CI does),
// and is skipped on the embedded database, whose planner is not the one in production.
const onPostgres = usingPostgres ? describe : describe.skip;

onPostgres('the referral list at 100,000 referrals', () => {
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
      expect({ name: report.name, usesIndex: report.usesIndex, scansTable: report.scansTable }).toEqual({ name: report.name, usesIndex: true, scansTable: false });
    }
    const search = reports.find((r) => r.name === 'search for a name')!;
    expect(search.plan).toContain('referrals_search_idx');
  });
});
