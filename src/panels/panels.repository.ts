import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Db } from '../db/database';
import type { Database, PanelInvitationTable, PanelStatus } from '../db/schema';
import type { CurrentUser } from '../http/context';

type PanelsEb = ExpressionBuilder<Database, 'panels'>;

/**
 * Who may see a panel: administrators and chairs see every panel; an agency's representatives
 * (its single point of contact included) see the panels their agency is invited to.
 */
export function visiblePanels(user: CurrentUser) {
  return (eb: PanelsEb): Expression<SqlBool> => {
    if (user.role === 'administrator' || user.role === 'chair') return eb.lit(true);
    return eb.exists(
      eb
        .selectFrom('panelInvitations')
        .select('panelInvitations.panelId')
        .whereRef('panelInvitations.panelId', '=', 'panels.id')
        .where('panelInvitations.agencyId', '=', user.agencyId),
    );
  };
}

export function findVisiblePanel(db: Db, user: CurrentUser, panelId: number) {
  return db
    .selectFrom('panels')
    .selectAll('panels')
    .where('panels.id', '=', panelId)
    .where(visiblePanels(user))
    .executeTakeFirst();
}

/** The panel with its district's name; undefined when there is none. */
export function panelWithDistrict(db: Db, panelId: number) {
  return db
    .selectFrom('panels')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .select([
      'panels.id',
      'panels.status',
      'panels.startsAt',
      'panels.endsAt',
      'panels.venue',
      'panels.districtId',
      'districts.name as districtName',
      'panels.chairUserId',
    ])
    .where('panels.id', '=', panelId)
    .executeTakeFirst();
}

/** The panel, its row locked until the transaction ends; undefined when there is none. */
export function lockPanel(trx: Db, panelId: number) {
  return trx.selectFrom('panels').selectAll().where('id', '=', panelId).forUpdate().executeTakeFirst();
}

/** Moves a panel to a status; concluding it also records when. */
export async function setPanelStatus(
  trx: Db,
  panelId: number,
  status: PanelStatus,
  at: Date,
  concludedAt?: Date,
): Promise<void> {
  await trx
    .updateTable('panels')
    .set({ status, ...(concludedAt ? { concludedAt } : {}), version: sql<number>`version + 1`, updatedAt: at })
    .where('id', '=', panelId)
    .execute();
}

/** The start of the district's first panel after a time among panels in these statuses, if any. */
export async function nextPanelStart(
  db: Db,
  districtId: number,
  after: Date,
  statuses: readonly PanelStatus[],
): Promise<Date | null> {
  const next = await db
    .selectFrom('panels')
    .select('startsAt')
    .where('districtId', '=', districtId)
    .where('startsAt', '>', after)
    .where('status', 'in', statuses)
    .orderBy('startsAt')
    .executeTakeFirst();
  return next?.startsAt ?? null;
}

/** The core members that cover a district: countywide core agencies and the district's own. */
export async function coreAgencyIds(db: Db, districtId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('agencies')
    .select('id')
    .where('active', '=', true)
    .where('coreMember', '=', true)
    .where((eb) => eb.or([eb('districtId', 'is', null), eb('districtId', '=', districtId)]))
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

export function userRole(db: Db, userId: number) {
  return db.selectFrom('users').select(['role', 'active']).where('id', '=', userId).executeTakeFirst();
}

export async function countActiveAgencies(db: Db, agencyIds: number[]): Promise<number> {
  const found = await db
    .selectFrom('agencies')
    .select('id')
    .where('id', 'in', agencyIds)
    .where('active', '=', true)
    .execute();
  return found.length;
}

export interface PanelFilters {
  districtId: number | null;
  status: PanelStatus | null;
  when: 'upcoming' | 'past';
}

export async function listPanels(db: Db, user: CurrentUser, filters: PanelFilters, now: Date) {
  let q = db
    .selectFrom('panels')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .innerJoin('users as chair', 'chair.id', 'panels.chairUserId')
    .select([
      'panels.id',
      'panels.startsAt',
      'panels.endsAt',
      'panels.status',
      'panels.agendaVersion',
      'panels.researchClosesOn',
      'districts.name as districtName',
      'chair.name as chairName',
      (eb) =>
        eb
          .selectFrom('agendaItems')
          .select((e) => e.fn.countAll<string>().as('n'))
          .whereRef('agendaItems.panelId', '=', 'panels.id')
          .where('agendaItems.removedAt', 'is', null)
          .as('itemCount'),
    ])
    .where(visiblePanels(user));
  if (filters.districtId) q = q.where('panels.districtId', '=', filters.districtId);
  if (filters.status) q = q.where('panels.status', '=', filters.status);
  q =
    filters.when === 'upcoming'
      ? q.where('panels.endsAt', '>=', now).orderBy('panels.startsAt', 'asc')
      : q.where('panels.endsAt', '<', now).orderBy('panels.startsAt', 'desc');
  const rows = await q.orderBy('panels.id').limit(200).execute();
  return rows.map((r) => ({ ...r, itemCount: Number(r.itemCount ?? 0) }));
}

export function invitedAgencies(db: Db, panelId: number) {
  return db
    .selectFrom('panelInvitations')
    .innerJoin('agencies', 'agencies.id', 'panelInvitations.agencyId')
    .select(['agencies.id', 'agencies.name', 'agencies.shortName', 'panelInvitations.reason'])
    .where('panelInvitations.panelId', '=', panelId)
    .orderBy('agencies.name')
    .execute();
}

export function invitations(trx: Db, panelId: number) {
  return trx.selectFrom('panelInvitations').select(['agencyId', 'reason']).where('panelId', '=', panelId).execute();
}

export async function isInvited(db: Db, panelId: number, agencyId: number): Promise<boolean> {
  const row = await db
    .selectFrom('panelInvitations')
    .select('agencyId')
    .where('panelId', '=', panelId)
    .where('agencyId', '=', agencyId)
    .executeTakeFirst();
  return row !== undefined;
}

export function panelNames(db: Db, panelId: number) {
  return db
    .selectFrom('panels')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .innerJoin('users as chair', 'chair.id', 'panels.chairUserId')
    .leftJoin('panelSeries', 'panelSeries.id', 'panels.seriesId')
    .select(['districts.name as districtName', 'chair.name as chairName', 'panelSeries.rule as seriesRule'])
    .where('panels.id', '=', panelId)
    .executeTakeFirstOrThrow();
}

export interface NewPanel {
  districtId: number;
  seriesId?: number;
  startsAt: Date;
  endsAt: Date;
  venue: string | null;
  onlineLink: string | null;
  chairUserId: number;
  researchClosesOn: string;
  createdBy: number;
  createdAt: Date;
}

export async function insertPanel(trx: Db, panel: NewPanel): Promise<number> {
  const row = await trx
    .insertInto('panels')
    .values({ ...panel, updatedAt: panel.createdAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertSeries(
  trx: Db,
  series: { districtId: number; rule: string; createdBy: number; createdAt: Date },
): Promise<number> {
  const row = await trx.insertInto('panelSeries').values(series).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function insertInvitations(
  trx: Db,
  panelId: number,
  invited: { agencyId: number; reason: PanelInvitationTable['reason'] }[],
  at: Date,
): Promise<void> {
  if (invited.length === 0) return;
  await trx
    .insertInto('panelInvitations')
    .values(invited.map((i) => ({ panelId, agencyId: i.agencyId, reason: i.reason, invitedAt: at })))
    .execute();
}

export async function updatePanel(
  trx: Db,
  panelId: number,
  changes: {
    startsAt: Date;
    endsAt: Date;
    venue: string | null;
    onlineLink: string | null;
    chairUserId: number;
    researchClosesOn: string;
    moved: boolean;
  },
  at: Date,
): Promise<void> {
  const { moved, ...set } = changes;
  await trx
    .updateTable('panels')
    .set({
      ...set,
      icsSequence: moved ? sql<number>`ics_sequence + 1` : sql<number>`ics_sequence`,
      version: sql<number>`version + 1`,
      updatedAt: at,
    })
    .where('id', '=', panelId)
    .execute();
}

export async function cancelPanel(trx: Db, panelId: number, reason: string, at: Date): Promise<void> {
  await trx
    .updateTable('panels')
    .set({
      status: 'cancelled',
      cancelledReason: reason,
      icsSequence: sql<number>`ics_sequence + 1`,
      version: sql<number>`version + 1`,
      updatedAt: at,
    })
    .where('id', '=', panelId)
    .execute();
}

/** Takes agencies off a panel. */
export async function uninvite(trx: Db, panelId: number, agencyIds: number[]): Promise<void> {
  await trx.deleteFrom('panelInvitations').where('panelId', '=', panelId).where('agencyId', 'in', agencyIds).execute();
}

/** Invites the referring agency of each case on the agenda, so it can present and research. */
export async function inviteReferrers(trx: Db, panelId: number, at: Date): Promise<void> {
  await sql`
    insert into panel_invitations (panel_id, agency_id, reason, invited_at)
    select distinct ${panelId}::int, r.referring_agency_id, 'referrer', ${at}::timestamptz
      from agenda_items i join referrals r on r.id = i.referral_id
      join agencies a on a.id = r.referring_agency_id and a.active
     where i.panel_id = ${panelId} and i.removed_at is null
    on conflict (panel_id, agency_id) do nothing`.execute(trx);
}

export async function markAgendaPublished(trx: Db, panelId: number, version: number, at: Date): Promise<void> {
  await trx
    .updateTable('panels')
    .set({ agendaVersion: version, status: 'agenda-published', updatedAt: at })
    .where('id', '=', panelId)
    .execute();
}

export async function bumpAgendaRevision(trx: Db, panelId: number): Promise<void> {
  await trx
    .updateTable('panels')
    .set({ agendaRevision: sql<number>`agenda_revision + 1` })
    .where('id', '=', panelId)
    .execute();
}

/**
 * Panels not cancelled that could clash with one planned between `from` and `to` (a district's
 * panels within a fortnight either side, and anything overlapping), other than `exceptId`.
 */
export function panelsNear(db: Db, from: Date, to: Date, exceptId: number | null) {
  let q = db
    .selectFrom('panels')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .select([
      'panels.id',
      'panels.districtId',
      'districts.name as districtName',
      'panels.startsAt',
      'panels.endsAt',
      'panels.chairUserId',
      'panels.venue',
    ])
    .where('panels.status', '!=', 'cancelled')
    .where('panels.startsAt', '<', new Date(to.getTime() + 14 * 86_400_000))
    .where('panels.endsAt', '>', new Date(from.getTime() - 14 * 86_400_000));
  if (exceptId !== null) q = q.where('panels.id', '!=', exceptId);
  return q.orderBy('panels.startsAt').execute();
}
