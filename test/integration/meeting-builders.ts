import type { TestContext } from '../support/context';
import { DEMO } from '../support/http';
import { makeReferral } from './referrals-builders';

/** Small builders for meeting and action tests: panels, invitations, agenda items and research, inserted directly. */

export async function agencyOf(ctx: TestContext, email: string): Promise<number> {
  return (await ctx.db.selectFrom('users').select('agencyId').where('email', '=', email).executeTakeFirstOrThrow())
    .agencyId;
}

export async function userId(ctx: TestContext, email: string): Promise<number> {
  return (await ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
}

export async function makePanel(
  ctx: TestContext,
  opts: {
    startsAt: string;
    status?: 'scheduled' | 'agenda-published' | 'in-progress' | 'concluded';
    agencyEmails?: string[];
    districtName?: string;
  },
): Promise<{ id: number; agencyIds: number[] }> {
  const district = await ctx.db
    .selectFrom('districts')
    .select('id')
    .where('name', '=', opts.districtName ?? 'Boston')
    .executeTakeFirstOrThrow();
  const start = new Date(opts.startsAt);
  const panel = await ctx.db
    .insertInto('panels')
    .values({
      districtId: district.id,
      startsAt: start,
      endsAt: new Date(start.getTime() + 2 * 3600_000),
      venue: 'Municipal Buildings',
      chairUserId: await userId(ctx, DEMO.chair),
      researchClosesOn: start.toISOString().slice(0, 10),
      status: opts.status ?? 'agenda-published',
      agendaVersion: 1,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const agencyIds: number[] = [];
  for (const email of opts.agencyEmails ?? [DEMO.police, DEMO.lpft, DEMO.housing]) {
    const agencyId = await agencyOf(ctx, email);
    if (agencyIds.includes(agencyId)) continue;
    agencyIds.push(agencyId);
    await ctx.db.insertInto('panelInvitations').values({ panelId: panel.id, agencyId, reason: 'core' }).execute();
  }
  return { id: panel.id, agencyIds };
}

export async function addItem(
  ctx: TestContext,
  panelId: number,
  referralId: number,
  kind: 'new' | 'review' = 'new',
): Promise<number> {
  const { n } = await ctx.db
    .selectFrom('agendaItems')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('panelId', '=', panelId)
    .executeTakeFirstOrThrow();
  const row = await ctx.db
    .insertInto('agendaItems')
    .values({ panelId, position: Number(n) + 1, kind, referralId, minutesAllotted: 15 })
    .returning('id')
    .executeTakeFirstOrThrow();
  await ctx.db
    .insertInto('referralEvents')
    .values({
      referralId,
      at: ctx.clock.now(),
      userId: null,
      agencyId: null,
      kind: 'listed',
      note: null,
      details: JSON.stringify({ panelId }),
    })
    .execute();
  return row.id;
}

export async function answerResearch(
  ctx: TestContext,
  panelId: number,
  itemId: number,
  email: string,
  summary: string | null,
): Promise<void> {
  await ctx.db
    .insertInto('researchRequests')
    .values({
      panelId,
      agendaItemId: itemId,
      agencyId: await agencyOf(ctx, email),
      status: summary ? 'information-held' : 'nothing-held',
      summary,
      answeredAt: ctx.clock.now(),
    })
    .execute();
}

export async function completeRegister(ctx: TestContext, panelId: number): Promise<void> {
  const invited = await ctx.db
    .selectFrom('panelInvitations')
    .select('agencyId')
    .where('panelId', '=', panelId)
    .execute();
  for (const { agencyId } of invited) {
    await ctx.db
      .insertInto('registerEntries')
      .values({ panelId, agencyId, personName: 'A Representative', status: 'present', confidentialityAgreed: true })
      .execute();
  }
}

/** A case accepted for panel (awaiting-panel), referred by the police. */
export async function awaitingCase(ctx: TestContext, referrer: string = DEMO.police) {
  return makeReferral(ctx, referrer, {}, { submit: true, screen: 'accept' });
}

/** An action inserted directly (no e-mail), for list and transition tests. */
export async function makeAction(
  ctx: TestContext,
  opts: {
    referralId: number;
    panelId: number;
    ownerEmail: string;
    dueOn: string;
    status?: 'open' | 'in-progress' | 'completed' | 'not-possible' | 'not-done';
    description?: string;
  },
): Promise<number> {
  const row = await ctx.db
    .insertInto('actions')
    .values({
      referralId: opts.referralId,
      panelId: opts.panelId,
      description: opts.description ?? 'Visit the household and report back.',
      ownerAgencyId: await agencyOf(ctx, opts.ownerEmail),
      dueOn: opts.dueOn,
      status: opts.status ?? 'open',
      createdAt: ctx.clock.now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The fields of the three date boxes. */
export const dateFields = (iso: string) => ({
  day: String(Number(iso.slice(8, 10))),
  month: String(Number(iso.slice(5, 7))),
  year: iso.slice(0, 4),
});
