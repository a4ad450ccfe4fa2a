import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn } from '../support/http';
import { seedReferrals } from '../../src/seed/demo-referrals';
import { seedPanels, type SeededPanels } from '../../src/seed/demo-panels';

let ctx: TestContext;
let seeded: SeededPanels;

beforeAll(async () => {
  ctx = await createTestContext();
  await seedReferrals(ctx.db, ctx.clock);
  seeded = await seedPanels(ctx.db, ctx.clock);
});

afterAll(async () => {
  await ctx.close();
});

describe('demo panels', () => {
  it('when the demo is seeded, then every district has three concluded panels and two to come, the nearer published with research partly answered', async () => {
    const districts = await ctx.db.selectFrom('districts').select('id').execute();
    expect(seeded.byDistrict.size).toBe(districts.length);
    const now = ctx.clock.now();
    for (const { past, next } of seeded.byDistrict.values()) {
      const pastPanels = await ctx.db
        .selectFrom('panels')
        .select(['status', 'startsAt'])
        .where('id', 'in', past)
        .execute();
      expect(pastPanels.map((p) => p.status)).toEqual(['concluded', 'concluded', 'concluded']);
      expect(pastPanels.every((p) => p.startsAt < now)).toBe(true);
      const [near, later] = await Promise.all(
        next.map((id) => ctx.db.selectFrom('panels').selectAll().where('id', '=', id).executeTakeFirstOrThrow()),
      );
      expect(near.startsAt > now).toBe(true);
      expect(later.startsAt > near.startsAt).toBe(true);
      expect(near.status).toBe('agenda-published');
      expect(near.agendaVersion).toBe(1);
      expect(later.status).toBe('scheduled');
      const research = await ctx.db
        .selectFrom('researchRequests')
        .select('status')
        .where('panelId', '=', near.id)
        .execute();
      expect(research.length).toBeGreaterThan(0);
      expect(research.some((r) => r.status === 'requested')).toBe(true);
      expect(research.some((r) => r.status !== 'requested')).toBe(true);
    }
    const heard = await ctx.db
      .selectFrom('agendaItems')
      .innerJoin('referrals', 'referrals.id', 'agendaItems.referralId')
      .select('referrals.status')
      .where(
        'agendaItems.panelId',
        'in',
        [...seeded.byDistrict.values()].flatMap((d) => d.past),
      )
      .execute();
    expect(heard.length).toBeGreaterThan(0);
    expect(new Set(heard.map((h) => h.status))).toEqual(new Set(['active']));
  });

  it('when the demo is seeded, then no chair sits at two panels at once and no venue is booked twice', async () => {
    const panels = await ctx.db
      .selectFrom('panels')
      .select(['id', 'startsAt', 'endsAt', 'chairUserId', 'venue'])
      .where('status', '!=', 'cancelled')
      .execute();
    expect(panels.length).toBeGreaterThan(10);
    const overlapping = panels.flatMap((a) =>
      panels.filter(
        (b) =>
          a.id < b.id &&
          a.startsAt < b.endsAt &&
          b.startsAt < a.endsAt &&
          (a.chairUserId === b.chairUserId || (a.venue !== null && a.venue === b.venue)),
      ),
    );
    expect(overlapping).toEqual([]);
  });

  it('when the chair opens the panels list filtered by status, then the seeded panels are there', async () => {
    const chair = await signIn(ctx, DEMO.chair);
    const published = await chair.get('/panels?status=agenda-published');
    expect(published.status).toBe(200);
    expect(published.text.match(/govuk-tag--blue">Agenda published/g)?.length).toBe(7);
    const concluded = await chair.get('/panels?status=concluded');
    expect(concluded.text.match(/govuk-tag--green">Concluded/g)?.length).toBe(21);
    const police = await signIn(ctx, DEMO.police);
    const research = await police.get('/research');
    expect(research.status).toBe(200);
    expect(research.text).toContain('Information held');
  });
});
