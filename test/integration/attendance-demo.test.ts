import { createTestContext, type TestContext } from '../support/context';
import { seedReferrals } from '../../src/seed/demo-referrals';
import { seedPanels } from '../../src/seed/demo-panels';
import { seedAttendance } from '../../src/seed/demo-attendance';
import { attendanceReport } from '../../src/reports/attendance-report';
import { registerCompleteness } from '../../src/register/register.service';
import { agencyId } from './attendance-builders';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  await seedReferrals(ctx.db, ctx.clock, ctx.config.baseUrl);
  await seedPanels(ctx.db, ctx.clock, ctx.config.baseUrl);
  await seedAttendance(ctx.db);
}, 60_000);
afterAll(() => ctx.close());

describe('the demo attendance', () => {
  test('when the demo is seeded, then every concluded panel has a complete register with confidentiality agreed by those present', async () => {
    const concluded = await ctx.db
      .selectFrom('panels')
      .select('id')
      .where('status', 'in', ['concluded', 'minutes-approved', 'minutes-circulated'])
      .execute();
    expect(concluded.length).toBeGreaterThan(0);
    for (const panel of concluded) expect(await registerCompleteness(ctx.db, panel.id)).toEqual([]);
    const entries = await ctx.db
      .selectFrom('registerEntries')
      .select(['status', 'confidentialityAgreed', 'confidentialityStatementId'])
      .execute();
    for (const e of entries) {
      const present = ['present', 'online', 'late', 'left-early'].includes(e.status);
      expect(e.confidentialityAgreed).toBe(present);
      expect(e.confidentialityStatementId !== null).toBe(present);
    }
  });

  test('when the report is drawn over the demo, then LPFT and adult care are below the threshold and below the reliable agencies', async () => {
    const first = await ctx.db
      .selectFrom('panels')
      .select((eb) => eb.fn.min('startsAt').as('at'))
      .executeTakeFirstOrThrow();
    const from = new Date(first.at).toISOString().slice(0, 7);
    const report = await attendanceReport(ctx.db, {
      from,
      to: ctx.clock.now().toISOString().slice(0, 7),
      districtId: null,
      threshold: 75,
    });
    const byId = new Map(report.rows.map((r) => [r.agencyId, r]));
    const rate = async (shortName: string) => byId.get(await agencyId(ctx, shortName))?.rate ?? 100;
    expect(await rate('LPFT')).toBeLessThan(75);
    expect(await rate('Adult Care')).toBeLessThan(75);
    expect(await rate('LPFT')).toBeLessThan(await rate('Police'));
    expect(await rate('Adult Care')).toBeLessThan(await rate('Probation'));
  });

  test('when the demo is seeded, then the next panel has some answers but none yet from LPFT or adult care; seeding again changes nothing', async () => {
    const next = await ctx.db
      .selectFrom('panels')
      .select('id')
      .where('status', 'in', ['scheduled', 'agenda-published'])
      .orderBy('startsAt')
      .executeTakeFirstOrThrow();
    const answers = await ctx.db
      .selectFrom('attendanceResponses')
      .select('agencyId')
      .where('panelId', '=', next.id)
      .execute();
    const invited = await ctx.db
      .selectFrom('panelInvitations')
      .select('agencyId')
      .where('panelId', '=', next.id)
      .execute();
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.length).toBeLessThan(invited.length);
    const ids = answers.map((a) => a.agencyId);
    expect(ids).not.toContain(await agencyId(ctx, 'LPFT'));
    expect(ids).not.toContain(await agencyId(ctx, 'Adult Care'));
    const before = await ctx.db
      .selectFrom('registerEntries')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    await seedAttendance(ctx.db);
    const after = await ctx.db
      .selectFrom('registerEntries')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });
});
