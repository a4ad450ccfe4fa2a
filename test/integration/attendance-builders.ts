import type { TestContext } from '../support/context';
import type { PanelStatus } from '../../src/db/schema';
import { createAttendanceTokens } from '../../src/invitations/invitations';

/** Small builders for attendance tests: panels and invitations inserted directly, not through the panel pages. */

export async function agencyId(ctx: TestContext, shortName: string): Promise<number> {
  return (await ctx.db.selectFrom('agencies').select('id').where('shortName', '=', shortName).executeTakeFirstOrThrow())
    .id;
}

export async function userId(ctx: TestContext, email: string): Promise<number> {
  return (await ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
}

export async function districtIdOf(ctx: TestContext, name: string): Promise<number> {
  return (await ctx.db.selectFrom('districts').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
}

export interface PanelSpec {
  district?: string;
  startsAt: string;
  status?: PanelStatus;
  agencies: string[];
}

/** A panel of two hours in the district, chaired by the demo chair, inviting the agencies named. */
export async function makePanel(ctx: TestContext, spec: PanelSpec): Promise<number> {
  const startsAt = new Date(spec.startsAt);
  const panel = await ctx.db
    .insertInto('panels')
    .values({
      districtId: await districtIdOf(ctx, spec.district ?? 'City of Lincoln'),
      startsAt,
      endsAt: new Date(startsAt.getTime() + 2 * 3_600_000),
      venue: 'Committee Room 1',
      chairUserId: await userId(ctx, 'chair@example.org'),
      researchClosesOn: startsAt.toISOString().slice(0, 10),
      status: spec.status ?? 'agenda-published',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const shortName of spec.agencies) {
    await ctx.db
      .insertInto('panelInvitations')
      .values({ panelId: panel.id, agencyId: await agencyId(ctx, shortName), reason: 'core' })
      .execute();
  }
  return panel.id;
}

export async function setStatus(ctx: TestContext, panelId: number, status: PanelStatus): Promise<void> {
  await ctx.db.updateTable('panels').set({ status }).where('id', '=', panelId).execute();
}

/** The three one-click links of an invitation, as the lead's invitation module makes them. */
export async function makeTokens(ctx: TestContext, panelId: number, agencyShortName: string, expiresAt?: Date) {
  const panel = await ctx.db.selectFrom('panels').select('endsAt').where('id', '=', panelId).executeTakeFirstOrThrow();
  return createAttendanceTokens(ctx.db, {
    panelId,
    agencyId: await agencyId(ctx, agencyShortName),
    expiresAt: expiresAt ?? panel.endsAt,
  });
}

export async function answerOf(ctx: TestContext, panelId: number, agencyShortName: string) {
  return ctx.db
    .selectFrom('attendanceResponses')
    .selectAll()
    .where('panelId', '=', panelId)
    .where('agencyId', '=', await agencyId(ctx, agencyShortName))
    .executeTakeFirst();
}

export async function auditOf(ctx: TestContext, action: string, panelId?: number) {
  let q = ctx.db
    .selectFrom('auditEvents')
    .select(['action', 'outcome', 'userId', 'entityId', 'details'])
    .where('action', '=', action);
  if (panelId !== undefined) q = q.where('entityId', '=', String(panelId));
  return q.orderBy('id').execute();
}

export async function cliniciansOf(ctx: TestContext, agendaItemId: number) {
  return ctx.db
    .selectFrom('clinicianAttendance')
    .select(['attending', 'clinicianName'])
    .where('agendaItemId', '=', agendaItemId)
    .execute();
}
