import { seedReferrals } from '../../src/seed/demo-referrals';
import { seedPanels } from '../../src/seed/demo-panels';
import { seedAttendance } from '../../src/seed/demo-attendance';
import { seedMeeting } from '../../src/seed/demo-meeting';
import { seedMinutes } from '../../src/seed/demo-minutes';
import { addDays, londonDate } from '../../src/time';
import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn, type Agent } from '../support/http';
import { agencyOf, makeAction } from './meeting-builders';

const NOW = '2026-11-30T09:00:00Z';
let ctx: TestContext;
const today = londonDate(new Date(NOW));

beforeAll(async () => {
  ctx = await createTestContext({ now: NOW });
  await seedReferrals(ctx.db, ctx.clock);
  await seedPanels(ctx.db, ctx.clock);
  await seedAttendance(ctx.db);
  await seedMeeting(ctx.db, ctx.clock);
  await seedMinutes(ctx.db);
}, 60_000);
afterAll(() => ctx.close());

/** The count and link of each entry on the home page, by its key. */
async function todo(agent: Agent): Promise<Map<string, { count: number; href: string; text: string }>> {
  const res = await agent.get('/');
  expect(res.status).toBe(200);
  const entries = new Map<string, { count: number; href: string; text: string }>();
  for (const m of res.text.matchAll(
    /<li class="app-todo__entry[^"]*" id="todo-([a-z-]+)" data-count="(\d+)">\s*<a class="govuk-link" href="([^"]+)">([\s\S]*?)<\/a>([\s\S]*?)<\/li>\s*(?=<li class="app-todo__entry|<\/ul>)/g,
  ))
    entries.set(m[1], {
      count: Number(m[2]),
      href: m[3].replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'),
      text: (m[4] + m[5])
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    });
  return entries;
}

const n = (rows: { n: string | number | bigint }[] | { n: string | number | bigint }) =>
  Number(Array.isArray(rows) ? rows[0].n : rows.n);

async function userOf(email: string) {
  return ctx.db
    .selectFrom('users')
    .select(['id', 'name', 'agencyId'])
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
}

describe('the home page', () => {
  test('when the coordinator signs in, then it shows referrals to screen with days waiting, agendas, minutes to approve and circulate, overdue actions and failed deliveries', async () => {
    const waiting = await ctx.db
      .selectFrom('referrals')
      .select(['id', 'reference'])
      .where('status', '=', 'submitted')
      .orderBy('id')
      .execute();
    expect(waiting.length).toBeGreaterThan(0);
    // One was submitted sixty days ago: it comes first, with its days waiting.
    await ctx.db
      .updateTable('referrals')
      .set({ submittedAt: new Date(Date.parse(NOW) - 60 * 86_400_000) })
      .where('id', '=', waiting[0].id)
      .execute();
    const message = await ctx.db.selectFrom('outbox').select('id').orderBy('id').executeTakeFirstOrThrow();
    await ctx.db.updateTable('outbox').set({ status: 'failed' }).where('id', '=', message.id).execute();

    const admin = await signIn(ctx, DEMO.admin);
    const entries = await todo(admin);
    expect(entries.get('screen')).toMatchObject({
      count: waiting.length,
      href: '/referrals?status=submitted&sort=submitted-asc',
    });
    expect(entries.get('screen')!.text).toMatch(
      new RegExp(`^${waiting.length} referrals to screen ${waiting[0].reference}: waiting 60 days`),
    );

    const panelCount = async (status: 'scheduled' | 'concluded' | 'minutes-approved', future: boolean) => {
      let q = ctx.db
        .selectFrom('panels')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('status', '=', status);
      if (future) q = q.where('startsAt', '>', new Date(NOW));
      return n(await q.executeTakeFirstOrThrow());
    };
    expect(entries.get('agendas')).toMatchObject({ count: await panelCount('scheduled', true), href: '/panels' });
    expect(entries.get('agendas')!.count).toBeGreaterThan(0);
    expect(entries.get('minutes-approve')?.count).toBe(await panelCount('concluded', false));
    expect(entries.get('minutes-circulate')?.count).toBe(await panelCount('minutes-approved', false));
    expect(entries.get('minutes-circulate')!.count).toBeGreaterThan(0);
    const overdue = n(
      await ctx.db
        .selectFrom('actions')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('status', 'in', ['open', 'in-progress'])
        .where('dueOn', '<', today)
        .executeTakeFirstOrThrow(),
    );
    expect(entries.get('overdue')).toMatchObject({ count: overdue, href: '/actions?show=overdue' });
    expect(entries.get('failed-mail')).toMatchObject({ count: 1, href: '/admin/mail?status=failed' });
    expect(entries.has('research')).toBe(false);
  });

  test('when the chair signs in, then the agendas and minutes are the panels they chair, and there is no mail entry', async () => {
    const chair = await userOf(DEMO.chair);
    const chaired = (status: 'scheduled' | 'concluded') =>
      ctx.db
        .selectFrom('panels')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('status', '=', status)
        .where('chairUserId', '=', chair.id)
        .where('startsAt', status === 'scheduled' ? '>' : '<', new Date(NOW))
        .executeTakeFirstOrThrow();
    const allScheduled = n(
      await ctx.db
        .selectFrom('panels')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('status', '=', 'scheduled')
        .executeTakeFirstOrThrow(),
    );
    const entries = await todo(await signIn(ctx, DEMO.chair));
    expect(entries.get('agendas')?.count).toBe(n(await chaired('scheduled')));
    expect(entries.get('agendas')!.count).toBeLessThan(allScheduled);
    expect(entries.get('minutes-approve')?.count).toBe(n(await chaired('concluded')));
    expect(entries.has('screen')).toBe(true);
    expect(entries.has('failed-mail')).toBe(false);
    expect(entries.has('minutes-circulate')).toBe(false);
  });

  test("when an agency representative signs in, then it shows their agency's research and unanswered attendance, and their own and their agency's overdue actions", async () => {
    const police = await userOf(DEMO.police);
    const research = n(
      await ctx.db
        .selectFrom('researchRequests')
        .innerJoin('panels', 'panels.id', 'researchRequests.panelId')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('researchRequests.agencyId', '=', police.agencyId)
        .where('researchRequests.status', '=', 'requested')
        .where('researchRequests.withdrawnAt', 'is', null)
        .where('panels.status', '=', 'agenda-published')
        .where('panels.researchClosesOn', '>=', today)
        .executeTakeFirstOrThrow(),
    );
    const invitedUpcoming = await ctx.db
      .selectFrom('panelInvitations')
      .innerJoin('panels', 'panels.id', 'panelInvitations.panelId')
      .select('panels.id')
      .where('panelInvitations.agencyId', '=', police.agencyId)
      .where('panels.startsAt', '>', new Date(NOW))
      .where('panels.status', 'in', ['scheduled', 'agenda-published'])
      .execute();
    const answered = await ctx.db
      .selectFrom('attendanceResponses')
      .select('panelId')
      .where('agencyId', '=', police.agencyId)
      .execute();
    const unanswered = invitedUpcoming.filter((p) => !answered.some((a) => a.panelId === p.id)).length;
    const agencyOverdue = async () =>
      n(
        await ctx.db
          .selectFrom('actions')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('ownerAgencyId', '=', police.agencyId)
          .where('status', 'in', ['open', 'in-progress'])
          .where('dueOn', '<', today)
          .executeTakeFirstOrThrow(),
      );

    const rep = await signIn(ctx, DEMO.police);
    const before = await todo(rep);
    expect(before.get('research')).toMatchObject({ count: research, href: '/research' });
    expect(before.get('attendance')).toMatchObject({ count: unanswered, href: '/attendance' });
    expect(before.get('overdue-agency')?.count).toBe(await agencyOverdue());
    expect(before.has('screen')).toBe(false);
    expect(before.has('failed-mail')).toBe(false);

    // One more of theirs, overdue since yesterday, and named to this representative.
    const anyCase = await ctx.db
      .selectFrom('actions')
      .select(['referralId', 'panelId'])
      .where('ownerAgencyId', '=', await agencyOf(ctx, DEMO.police))
      .where('referralId', 'is not', null)
      .executeTakeFirstOrThrow();
    const id = await makeAction(ctx, {
      ...anyCase,
      referralId: anyCase.referralId!,
      ownerEmail: DEMO.police,
      dueOn: addDays(today, -1),
    });
    await ctx.db.updateTable('actions').set({ ownerName: police.name }).where('id', '=', id).execute();
    const after = await todo(rep);
    expect(after.get('overdue-mine')?.count).toBe((before.get('overdue-mine')?.count ?? -1) + 1);
    expect(after.get('overdue-agency')?.count).toBe(before.get('overdue-agency')!.count + 1);
    expect(after.get('overdue-mine')?.href).toBe('/actions?show=overdue');
  });

  test('when more than 1,000 actions are overdue, then home says "more than 1000" and links to the list, which says the same', async () => {
    const someCase = await ctx.db
      .selectFrom('actions')
      .select(['referralId', 'panelId', 'ownerAgencyId'])
      .where('referralId', 'is not', null)
      .executeTakeFirstOrThrow();
    const added = await ctx.db
      .insertInto('actions')
      .values(
        Array.from({ length: 1001 }, (_, i) => ({
          referralId: someCase.referralId,
          panelId: someCase.panelId,
          description: `Overdue action ${i}`,
          ownerAgencyId: someCase.ownerAgencyId,
          dueOn: addDays(today, -1 - (i % 30)),
          status: 'open' as const,
          createdAt: ctx.clock.now(),
        })),
      )
      .returning('id')
      .execute();
    try {
      const admin = await signIn(ctx, DEMO.admin);
      const entry = (await todo(admin)).get('overdue');
      expect(entry).toMatchObject({
        count: 1000,
        text: 'More than 1000 actions overdue',
        href: '/actions?show=overdue',
      });
      const list = await admin.get('/actions?show=overdue');
      expect(list.text).toContain('More than 1000 actions');
    } finally {
      await ctx.db
        .deleteFrom('actions')
        .where(
          'id',
          'in',
          added.map((a) => a.id),
        )
        .execute();
    }
    const admin = await signIn(ctx, DEMO.admin);
    expect((await todo(admin)).get('overdue')?.text).toMatch(/^\d+ actions? overdue$/);
  });
});
