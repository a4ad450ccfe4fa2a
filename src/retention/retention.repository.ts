import { sql } from 'kysely';
import type { Db } from '../db/database';

/*
 * Retention reaches into every feature's tables on purpose: anonymising a case must clear its
 * personal data and free text wherever they are, in one transaction, and the list of columns is
 * the retention policy itself, so it is kept in one place.
 */

export function findSettings(db: Db) {
  return db
    .selectFrom('retentionSettings')
    .select(['closedCaseYears', 'auditYears', 'outboxBodyDays', 'version', 'updatedAt'])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
}

/** Saves the periods if the settings are still at `version`; false when someone saved meanwhile. */
export async function updateSettings(
  db: Db,
  change: { closedCaseYears: number; outboxBodyDays: number; version: number },
  updatedBy: number | null,
  at: Date,
): Promise<boolean> {
  const updated = await db
    .updateTable('retentionSettings')
    .set({
      closedCaseYears: change.closedCaseYears,
      outboxBodyDays: change.outboxBodyDays,
      updatedBy,
      updatedAt: at,
      version: sql`version + 1`,
    })
    .where('id', '=', 1)
    .where('version', '=', change.version)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

function closedNotAnonymisedBefore(db: Db, before: Date) {
  return db
    .selectFrom('referrals')
    .where('status', '=', 'closed')
    .where('anonymisedAt', 'is', null)
    .where('closedAt', 'is not', null)
    .where('closedAt', '<', before)
    .where((eb) =>
      eb.not(
        eb.exists(eb.selectFrom('retentionReviews').select('referralId').whereRef('referralId', '=', 'referrals.id')),
      ),
    );
}

/** Closed cases not yet anonymised that closed before `before`: how many, and the first `limit` of them. */
export async function closedCasesBefore(db: Db, before: Date, limit: number) {
  const base = closedNotAnonymisedBefore(db, before);
  const [{ total }, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
    base
      .leftJoin('districts', 'districts.id', 'referrals.districtId')
      .select(['referrals.id', 'referrals.reference', 'districts.name as districtName', 'referrals.closedAt'])
      .orderBy('referrals.closedAt')
      .orderBy('referrals.id')
      .limit(limit)
      .execute(),
  ]);
  return { total: Number(total), rows };
}

/** The next page of cases past their period and not yet listed for review, after `afterId`, along the partial index. */
export async function dueCaseIds(
  db: Db,
  before: Date,
  afterId: number,
  limit: number,
): Promise<{ id: number; closedAt: Date | null }[]> {
  return closedNotAnonymisedBefore(db, before)
    .select(['id', 'closedAt'])
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Clears the referral's own personal data; false when it is already anonymised or no longer closed. */
export async function anonymiseReferral(trx: Db, referralId: number, at: Date): Promise<boolean> {
  const updated = await trx
    .updateTable('referrals')
    .set({
      officerName: null,
      officerRole: null,
      officerPhone: null,
      officerEmail: null,
      reason: null,
      triedOther: null,
      triedDetails: null,
      consentReason: null,
      judgementReasons: null,
      screeningNote: null,
      closedReason: null,
      searchText: '',
      anonymisedAt: at,
    })
    .where('id', '=', referralId)
    .where('status', '=', 'closed')
    .where('anonymisedAt', 'is', null)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** Clears the free text about a case held by its subjects, incidents, history, agenda items and actions. */
export async function clearCaseRecords(trx: Db, referralId: number, removed: string): Promise<void> {
  await trx
    .updateTable('referralSubjects')
    .set({
      fullName: null,
      nameKey: null,
      dateOfBirth: null,
      address: null,
      addressKey: null,
      postcode: null,
      postcodeKey: null,
      description: null,
    })
    .where('referralId', '=', referralId)
    .execute();
  await trx
    .updateTable('referralIncidents')
    .set({ summary: null, agencyReference: null })
    .where('referralId', '=', referralId)
    .execute();
  await trx.updateTable('referralEvents').set({ note: null }).where('referralId', '=', referralId).execute();
  const items = trx.selectFrom('agendaItems').select('id').where('referralId', '=', referralId);
  await trx
    .updateTable('agendaItems')
    .set({ removedReason: null, title: null })
    .where('referralId', '=', referralId)
    .execute();
  await trx
    .updateTable('meetingRecords')
    .set({ discussion: null, decisionNote: null, deferredReason: null })
    .where('agendaItemId', 'in', items)
    .execute();
  await trx.updateTable('sharedInformation').set({ text: removed }).where('agendaItemId', 'in', items).execute();
  await trx
    .updateTable('clinicianAttendance')
    .set({ clinicianName: null })
    .where('agendaItemId', 'in', items)
    .execute();
  const actions = trx.selectFrom('actions').select('id').where('referralId', '=', referralId);
  await trx.updateTable('actionUpdates').set({ note: null }).where('actionId', 'in', actions).execute();
  await trx
    .updateTable('actions')
    .set({ description: removed, ownerName: null })
    .where('referralId', '=', referralId)
    .execute();
}
