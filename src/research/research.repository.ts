import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { ResearchStatus } from '../db/schema';

/**
 * Only requests of agencies still invited to the panel, and not withdrawn, are shown or answered:
 * an agency taken off a panel sees nothing more of its cases through its research.
 */
function stillInvited<Q extends Db>(db: Q) {
  return db
    .selectFrom('researchRequests')
    .innerJoin('panelInvitations', (join) =>
      join
        .onRef('panelInvitations.panelId', '=', 'researchRequests.panelId')
        .onRef('panelInvitations.agencyId', '=', 'researchRequests.agencyId'),
    )
    .where('researchRequests.withdrawnAt', 'is', null);
}

export function invitedAgencies(db: Db, panelId: number) {
  return db
    .selectFrom('panelInvitations')
    .innerJoin('agencies', 'agencies.id', 'panelInvitations.agencyId')
    .select(['agencies.id', 'agencies.shortName'])
    .where('panelInvitations.panelId', '=', panelId)
    .orderBy('agencies.shortName')
    .execute();
}

/** The name of the panel's district, for the research page's heading. */
export async function districtNameOf(db: Db, panelId: number): Promise<string> {
  const row = await db
    .selectFrom('panels')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .select('districts.name')
    .where('panels.id', '=', panelId)
    .executeTakeFirst();
  return row?.name ?? '';
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
  return stillInvited(db)
    .select(['researchRequests.agendaItemId', 'researchRequests.agencyId', 'researchRequests.status'])
    .where('researchRequests.panelId', '=', panelId)
    .execute();
}

/** An agency's requests for the panels whose research is still open. */
export function agencyRequests(db: Db, agencyId: number | null) {
  return stillInvited(db)
    .innerJoin('panels', 'panels.id', 'researchRequests.panelId')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .innerJoin('agendaItems', 'agendaItems.id', 'researchRequests.agendaItemId')
    .innerJoin('referrals', 'referrals.id', 'agendaItems.referralId')
    .select([
      'researchRequests.id',
      'researchRequests.status',
      'researchRequests.answeredAt',
      'researchRequests.answeredLate',
      'panels.id as panelId',
      'panels.status as panelStatus',
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
  return stillInvited(db)
    .innerJoin('agendaItems', 'agendaItems.id', 'researchRequests.agendaItemId')
    .innerJoin('referrals', 'referrals.id', 'agendaItems.referralId')
    .innerJoin('panels', 'panels.id', 'researchRequests.panelId')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .select([
      'researchRequests.id',
      'researchRequests.status',
      'researchRequests.summary',
      'researchRequests.version',
      'researchRequests.answeredAt',
      'researchRequests.answeredLate',
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

/** The subjects of a case, with what an agency needs to find them in its records. */
export function caseSubjects(db: Db, referralId: number) {
  return db
    .selectFrom('referralSubjects')
    .select([
      'id',
      'position',
      'kind',
      'fullName',
      sql<string | null>`date_of_birth::text`.as('dateOfBirth'),
      'approximateAge',
      'address',
      'postcode',
      'description',
    ])
    .where('referralId', '=', referralId)
    .orderBy('position')
    .execute();
}

export type CaseSubject = Awaited<ReturnType<typeof caseSubjects>>[number];

/** The research on each subject recorded with these requests. */
export function subjectAnswers(db: Db, requestIds: readonly number[]) {
  if (requestIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('researchSubjectAnswers')
    .select([
      'researchRequestId',
      'subjectId',
      'known',
      'keyRisks',
      'childrenInHousehold',
      'safeguardingFlags',
      'factsHeld',
      'professionalOpinion',
    ])
    .where('researchRequestId', 'in', requestIds)
    .orderBy('id')
    .execute();
}

/** Replaces the research on each subject of a request with what was just answered. */
export async function replaceSubjectAnswers(
  trx: Db,
  requestId: number,
  answers: readonly {
    subjectId: number;
    known: 'known' | 'not-known';
    keyRisks: string | null;
    childrenInHousehold: 'yes' | 'no' | 'not-known' | null;
    safeguardingFlags: string[];
    factsHeld: string | null;
    professionalOpinion: string | null;
  }[],
): Promise<void> {
  await trx.deleteFrom('researchSubjectAnswers').where('researchRequestId', '=', requestId).execute();
  if (answers.length === 0) return;
  await trx
    .insertInto('researchSubjectAnswers')
    .values(answers.map((a) => ({ ...a, researchRequestId: requestId })))
    .execute();
}

/** Every invited agency's request for each case on a panel, with its answer. */
export function panelAnswers(db: Db, panelId: number) {
  return stillInvited(db)
    .innerJoin('agencies', 'agencies.id', 'researchRequests.agencyId')
    .leftJoin('users', 'users.id', 'researchRequests.answeredBy')
    .select([
      'researchRequests.id',
      'researchRequests.agendaItemId',
      'researchRequests.agencyId',
      'researchRequests.status',
      'researchRequests.summary',
      'researchRequests.answeredAt',
      'researchRequests.answeredLate',
      'agencies.shortName',
      'agencies.name as agencyName',
      'users.name as answeredByName',
    ])
    .where('researchRequests.panelId', '=', panelId)
    .orderBy('agencies.shortName')
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
    answeredLate: boolean;
  },
): Promise<boolean> {
  const updated = await db
    .updateTable('researchRequests')
    .set((eb) => ({ ...answer, version: eb('version', '+', 1) }))
    .where('id', '=', requestId)
    .where('version', '=', version)
    .where('withdrawnAt', 'is', null)
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
    .where('researchRequests.withdrawnAt', 'is', null)
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

/**
 * One research request per current case item and invited agency; existing requests are kept, and
 * those withdrawn when the agency was taken off the panel come back now it is invited again.
 */
export async function addRequests(trx: Db, panelId: number, at: Date): Promise<void> {
  await sql`
    insert into research_requests (panel_id, agenda_item_id, agency_id, created_at)
    select i.panel_id, i.id, v.agency_id, ${at}::timestamptz
      from agenda_items i
      join panel_invitations v on v.panel_id = i.panel_id
     where i.panel_id = ${panelId} and i.referral_id is not null and i.removed_at is null
    on conflict (agenda_item_id, agency_id) do update set withdrawn_at = null
      where research_requests.withdrawn_at is not null`.execute(trx);
}

/** Unanswered requests of these agencies go; answered ones are kept, withdrawn. */
export async function withdrawOfAgencies(trx: Db, panelId: number, agencyIds: number[], at: Date): Promise<number> {
  await trx
    .deleteFrom('researchRequests')
    .where('panelId', '=', panelId)
    .where('agencyId', 'in', agencyIds)
    .where('status', '=', 'requested')
    .execute();
  const withdrawn = await trx
    .updateTable('researchRequests')
    .set({ withdrawnAt: at })
    .where('panelId', '=', panelId)
    .where('agencyId', 'in', agencyIds)
    .where('withdrawnAt', 'is', null)
    .executeTakeFirst();
  return Number(withdrawn.numUpdatedRows);
}

export async function deleteUnansweredOfRemovedItems(trx: Db, panelId: number): Promise<void> {
  await sql`delete from research_requests rr using agenda_items i where rr.agenda_item_id = i.id and i.panel_id = ${panelId} and i.removed_at is not null and rr.status = 'requested'`.execute(
    trx,
  );
}

/** Clears the text of the research on these agenda items (a destroyed case), keeping statuses. */
export async function eraseTextOfItems(trx: Db, agendaItemIds: readonly number[]): Promise<void> {
  if (agendaItemIds.length === 0) return;
  await trx.updateTable('researchRequests').set({ summary: null }).where('agendaItemId', 'in', agendaItemIds).execute();
  await trx
    .updateTable('researchSubjectAnswers')
    .set({ keyRisks: null, factsHeld: null, professionalOpinion: null })
    .where('researchRequestId', 'in', (eb) =>
      eb.selectFrom('researchRequests').select('id').where('agendaItemId', 'in', agendaItemIds),
    )
    .execute();
}
