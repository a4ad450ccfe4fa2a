import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { ResearchStatus } from '../db/schema';

export function invitedAgencies(db: Db, panelId: number) {
  return db
    .selectFrom('panelInvitations')
    .innerJoin('agencies', 'agencies.id', 'panelInvitations.agencyId')
    .select(['agencies.id', 'agencies.shortName'])
    .where('panelInvitations.panelId', '=', panelId)
    .orderBy('agencies.shortName')
    .execute();
}

/** The current case items of a panel's agenda, in order. */
export function caseItems(db: Db, panelId: number) {
  return db
    .selectFrom('agendaItems')
    .innerJoin('referrals', 'referrals.id', 'agendaItems.referralId')
    .select(['agendaItems.id', 'referrals.reference', 'referrals.id as referralId'])
    .where('agendaItems.panelId', '=', panelId)
    .where('agendaItems.removedAt', 'is', null)
    .orderBy('agendaItems.position')
    .execute();
}

export function panelRequests(db: Db, panelId: number) {
  return db
    .selectFrom('researchRequests')
    .select(['agendaItemId', 'agencyId', 'status'])
    .where('panelId', '=', panelId)
    .execute();
}

/** An agency's requests for the panels whose research is still open. */
export function agencyRequests(db: Db, agencyId: number | null) {
  return db
    .selectFrom('researchRequests')
    .innerJoin('panels', 'panels.id', 'researchRequests.panelId')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .innerJoin('agendaItems', 'agendaItems.id', 'researchRequests.agendaItemId')
    .innerJoin('referrals', 'referrals.id', 'agendaItems.referralId')
    .select([
      'researchRequests.id',
      'researchRequests.status',
      'researchRequests.answeredAt',
      'panels.id as panelId',
      'panels.startsAt',
      'panels.researchClosesOn',
      'districts.name as districtName',
      'referrals.reference',
    ])
    .where('researchRequests.agencyId', '=', agencyId)
    .where('agendaItems.removedAt', 'is', null)
    .where('panels.status', 'in', ['agenda-published', 'in-progress'])
    .orderBy('panels.researchClosesOn')
    .orderBy('panels.id')
    .orderBy('agendaItems.position')
    .execute();
}

/** A request on a current agenda item, with its case and panel. */
export function findRequest(db: Db, requestId: number) {
  return db
    .selectFrom('researchRequests')
    .innerJoin('agendaItems', 'agendaItems.id', 'researchRequests.agendaItemId')
    .innerJoin('referrals', 'referrals.id', 'agendaItems.referralId')
    .innerJoin('panels', 'panels.id', 'researchRequests.panelId')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .select([
      'researchRequests.id',
      'researchRequests.status',
      'researchRequests.summary',
      'researchRequests.version',
      'researchRequests.agencyId',
      'researchRequests.panelId',
      'referrals.id as referralId',
      'referrals.reference',
      'panels.startsAt',
      'panels.researchClosesOn',
      'panels.status as panelStatus',
      'districts.name as districtName',
    ])
    .where('researchRequests.id', '=', requestId)
    .where('agendaItems.removedAt', 'is', null)
    .executeTakeFirst();
}

export function caseSubjects(db: Db, referralId: number) {
  return db
    .selectFrom('referralSubjects')
    .select(['position', 'kind', 'fullName', 'dateOfBirth', 'address', 'postcode', 'description'])
    .where('referralId', '=', referralId)
    .orderBy('position')
    .execute();
}

/** Records an answer unless the request changed since `version`; false when it did. */
export async function saveAnswer(
  db: Db,
  requestId: number,
  version: number,
  answer: {
    status: Exclude<ResearchStatus, 'requested'>;
    summary: string | null;
    answeredBy: number;
    answeredAt: Date;
  },
): Promise<boolean> {
  const updated = await db
    .updateTable('researchRequests')
    .set((eb) => ({ ...answer, version: eb('version', '+', 1) }))
    .where('id', '=', requestId)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

/** Unanswered requests by panel and agency, for panels whose research closes on or after `day`. */
export function openRequestsByAgency(db: Db, day: string) {
  return db
    .selectFrom('researchRequests')
    .innerJoin('panels', 'panels.id', 'researchRequests.panelId')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .select([
      'panels.id as panelId',
      'panels.researchClosesOn',
      'panels.startsAt',
      'districts.name as districtName',
      'researchRequests.agencyId',
    ])
    .select((eb) => eb.fn.countAll<string>().as('open'))
    .where('researchRequests.status', '=', 'requested')
    .where('panels.status', '=', 'agenda-published')
    .where('panels.researchClosesOn', '>=', day)
    .groupBy(['panels.id', 'panels.researchClosesOn', 'panels.startsAt', 'districts.name', 'researchRequests.agencyId'])
    .execute();
}

/** Logs a reminder once; false when it had already been sent. */
export async function logReminder(trx: Db, subjectKey: string, at: Date): Promise<boolean> {
  const logged = await trx
    .insertInto('reminderLog')
    .values({ kind: 'research', subjectKey, sentAt: at })
    .onConflict((oc) => oc.doNothing())
    .returning('kind')
    .executeTakeFirst();
  return logged !== undefined;
}

/** One research request per current case item and invited agency; existing requests are kept. */
export async function addRequests(trx: Db, panelId: number, at: Date): Promise<void> {
  await sql`
    insert into research_requests (panel_id, agenda_item_id, agency_id, created_at)
    select i.panel_id, i.id, v.agency_id, ${at}::timestamptz
      from agenda_items i
      join panel_invitations v on v.panel_id = i.panel_id
     where i.panel_id = ${panelId} and i.referral_id is not null and i.removed_at is null
    on conflict (agenda_item_id, agency_id) do nothing`.execute(trx);
}

export async function deleteUnansweredOfAgencies(trx: Db, panelId: number, agencyIds: number[]): Promise<void> {
  await trx
    .deleteFrom('researchRequests')
    .where('panelId', '=', panelId)
    .where('agencyId', 'in', agencyIds)
    .where('status', '=', 'requested')
    .execute();
}

export async function deleteUnansweredOfRemovedItems(trx: Db, panelId: number): Promise<void> {
  await sql`delete from research_requests rr using agenda_items i where rr.agenda_item_id = i.id and i.panel_id = ${panelId} and i.removed_at is not null and rr.status = 'requested'`.execute(
    trx,
  );
}
