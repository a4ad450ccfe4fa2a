import { sql, type Updateable } from 'kysely';
import type { Db } from '../db/database';
import type { MeetingRecordTable } from '../db/schema';

/** The district's name and the chair's, to head the meeting's pages. */
export function panelNames(db: Db, districtId: number, chairUserId: number) {
  return db
    .selectFrom('districts')
    .innerJoin('users', (j) => j.on('users.id', '=', chairUserId))
    .select(['districts.name as districtName', 'users.name as chairName'])
    .where('districts.id', '=', districtId)
    .executeTakeFirstOrThrow();
}

/** The agenda in order, each item with its case and what the meeting recorded for it (the meeting's pages and the minutes). */
export function itemsOf(db: Db, panelId: number) {
  return db
    .selectFrom('agendaItems')
    .leftJoin('referrals', 'referrals.id', 'agendaItems.referralId')
    .leftJoin('meetingRecords', 'meetingRecords.agendaItemId', 'agendaItems.id')
    .select([
      'agendaItems.id',
      'agendaItems.position',
      'agendaItems.kind',
      'agendaItems.title',
      'agendaItems.referralId',
      'agendaItems.minutesAllotted',
      'referrals.reference',
      'referrals.status as referralStatus',
      'meetingRecords.discussion',
      'meetingRecords.riskLevel',
      'meetingRecords.decision',
      'meetingRecords.closeReason',
      'meetingRecords.escalateTo',
      'meetingRecords.decisionNote',
      'meetingRecords.nextReviewOn',
      'meetingRecords.discussed',
      'meetingRecords.deferredReason',
      'meetingRecords.version as recordVersion',
    ])
    .where('agendaItems.panelId', '=', panelId)
    .where('agendaItems.removedAt', 'is', null)
    .orderBy('agendaItems.position')
    .orderBy('agendaItems.id')
    .execute();
}

/** One item of this panel's agenda, unless it was removed. */
export function findItem(db: Db, panelId: number, itemId: number) {
  return db
    .selectFrom('agendaItems')
    .selectAll()
    .where('id', '=', itemId)
    .where('panelId', '=', panelId)
    .where('removedAt', 'is', null)
    .executeTakeFirst();
}

export function invitedAgencies(db: Db, panelId: number) {
  return db
    .selectFrom('panelInvitations')
    .innerJoin('agencies', 'agencies.id', 'panelInvitations.agencyId')
    .select(['agencies.id', 'agencies.name', 'agencies.shortName'])
    .where('panelInvitations.panelId', '=', panelId)
    .orderBy('agencies.name')
    .execute();
}

/** When the case was last heard at a panel before this one (null when never). */
export async function lastHeardBefore(db: Db, referralId: number, panelId: number): Promise<Date | null> {
  const row = await db
    .selectFrom('agendaItems')
    .innerJoin('panels', 'panels.id', 'agendaItems.panelId')
    .select((eb) => eb.fn.max('panels.startsAt').as('at'))
    .where('agendaItems.referralId', '=', referralId)
    .where('agendaItems.removedAt', 'is', null)
    .where('panels.id', '!=', panelId)
    .where('panels.startsAt', '<', (eb) =>
      eb.selectFrom('panels as p').select('p.startsAt').where('p.id', '=', panelId),
    )
    .executeTakeFirst();
  return row?.at ? new Date(row.at) : null;
}

/** The item's record with the name of whoever saved it last. */
export function recordWithAuthor(db: Db, itemId: number) {
  return db
    .selectFrom('meetingRecords')
    .leftJoin('users', 'users.id', 'meetingRecords.updatedBy')
    .selectAll('meetingRecords')
    .select('users.name as updatedByName')
    .where('agendaItemId', '=', itemId)
    .executeTakeFirst();
}

export function findRecord(trx: Db, itemId: number) {
  return trx.selectFrom('meetingRecords').selectAll().where('agendaItemId', '=', itemId).executeTakeFirstOrThrow();
}

/** The record's version, locked for the rest of the transaction; undefined before the first save. */
export async function lockRecordVersion(trx: Db, itemId: number): Promise<number | undefined> {
  const row = await trx
    .selectFrom('meetingRecords')
    .select('version')
    .where('agendaItemId', '=', itemId)
    .forUpdate()
    .executeTakeFirst();
  return row?.version;
}

export type RecordValues = Omit<Required<Updateable<MeetingRecordTable>>, 'agendaItemId' | 'version'>;

export async function updateRecord(trx: Db, itemId: number, values: RecordValues): Promise<void> {
  await trx
    .updateTable('meetingRecords')
    .set({ ...values, version: sql<number>`version + 1` })
    .where('agendaItemId', '=', itemId)
    .execute();
}

export async function insertRecord(trx: Db, itemId: number, values: RecordValues): Promise<void> {
  await trx
    .insertInto('meetingRecords')
    .values({ ...values, agendaItemId: itemId, version: 1 })
    .execute();
}

export function sharedInformation(db: Db, itemId: number) {
  return db.selectFrom('sharedInformation').select(['agencyId', 'text']).where('agendaItemId', '=', itemId).execute();
}

/** Replaces what each agency shared on the item. */
export async function replaceSharedInformation(
  trx: Db,
  itemId: number,
  shared: { agencyId: number; text: string }[],
): Promise<void> {
  await trx.deleteFrom('sharedInformation').where('agendaItemId', '=', itemId).execute();
  if (shared.length)
    await trx
      .insertInto('sharedInformation')
      .values(shared.map((s) => ({ agendaItemId: itemId, ...s })))
      .execute();
}

/** The agencies' research answers for the item, by agency name. */
export function researchAnswers(db: Db, itemId: number) {
  return db
    .selectFrom('researchRequests')
    .innerJoin('agencies', 'agencies.id', 'researchRequests.agencyId')
    .select([
      'researchRequests.agencyId',
      'researchRequests.status',
      'researchRequests.summary',
      'researchRequests.answeredAt',
      'agencies.name as agencyName',
    ])
    .where('researchRequests.agendaItemId', '=', itemId)
    .orderBy('agencies.name')
    .execute();
}

/** The case heard on the item, as the meeting page summarises it. */
export function caseSummary(db: Db, referralId: number) {
  return db
    .selectFrom('referrals')
    .leftJoin('agencies', 'agencies.id', 'referrals.referringAgencyId')
    .select([
      'referrals.id',
      'referrals.reference',
      'referrals.status',
      'referrals.reason',
      'referrals.riskScore',
      'referrals.riskVerdict',
      'agencies.name as agencyName',
    ])
    .where('referrals.id', '=', referralId)
    .executeTakeFirstOrThrow();
}
