import { createTestContext, type TestContext } from '../support/context';
import { usingPostgres } from '../support/database';
import { explainReferralQueries, seedSyntheticReferrals } from '../../bench/explain-referrals';

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
});
