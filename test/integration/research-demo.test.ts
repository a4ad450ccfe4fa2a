import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn } from '../support/http';
import { seedReferrals } from '../../src/seed/demo-referrals';
import { seedPanels } from '../../src/seed/demo-panels';
import { seedResearch } from '../../src/seed/demo-research';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-11-30T09:00:00Z' });
  await seedReferrals(ctx.db, ctx.clock);
  await seedPanels(ctx.db, ctx.clock);
  await seedResearch(ctx.db, ctx.clock);
});

afterAll(async () => {
  await ctx.close();
});

describe('demo research', () => {
  test("when the chair opens a published panel's research in the demo, then several agencies' answers are there with facts and opinion for each subject", async () => {
    const held = await ctx.db
      .selectFrom('researchRequests')
      .innerJoin('researchSubjectAnswers', 'researchSubjectAnswers.researchRequestId', 'researchRequests.id')
      .select(['researchRequests.panelId', 'researchRequests.agencyId'])
      .where('researchSubjectAnswers.known', '=', 'known')
      .execute();
    const panelId = held[0].panelId;
    expect(new Set(held.filter((h) => h.panelId === panelId).map((h) => h.agencyId)).size).toBeGreaterThanOrEqual(3);
    const chair = await signIn(ctx, DEMO.chair);
    const page = await chair.get(`/panels/${panelId}/research`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Facts held');
    expect(page.text).toContain('Professional opinion');
    expect(page.text).toContain('Lincolnshire Partnership NHS Foundation Trust');
  });
});
