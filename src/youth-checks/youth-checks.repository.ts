import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { Insertable } from 'kysely';
import type { YouthCheckTable } from '../db/schema';

export type NewCheck = Omit<Insertable<YouthCheckTable>, 'status' | 'version'>;

export async function insertCheck(db: Db, check: NewCheck): Promise<number> {
  const row = await db
    .insertInto('youthChecks')
    .values({ ...check, status: 'requested' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const CHECK_COLUMNS = [
  'youthChecks.id',
  'youthChecks.requestedBy',
  'youthChecks.requesterAgencyId',
  'youthChecks.districtId',
  'youthChecks.youngPersonName',
  'youthChecks.address',
  'youthChecks.concern',
  'youthChecks.caseReference',
  'youthChecks.requestedAt',
  'youthChecks.dueOn',
  'youthChecks.status',
  'youthChecks.knownToYouthOffending',
  'youthChecks.knownToChildrensServices',
  'youthChecks.leadProfessionalName',
  'youthChecks.leadProfessionalAgency',
  'youthChecks.leadProfessionalContact',
  'youthChecks.answerNote',
  'youthChecks.answeredAt',
  'youthChecks.referralId',
  'youthChecks.clearedAt',
  'youthChecks.version',
  'districts.name as districtName',
  'requester.name as requesterName',
  'requester.email as requesterEmail',
  'requesterAgency.name as requesterAgencyName',
  'answerer.name as answeredByName',
] as const;

function checks(db: Db) {
  return db
    .selectFrom('youthChecks')
    .innerJoin('districts', 'districts.id', 'youthChecks.districtId')
    .innerJoin('users as requester', 'requester.id', 'youthChecks.requestedBy')
    .innerJoin('agencies as requesterAgency', 'requesterAgency.id', 'youthChecks.requesterAgencyId')
    .leftJoin('users as answerer', 'answerer.id', 'youthChecks.answeredBy')
    .select(CHECK_COLUMNS)
    .select(sql<string | null>`youth_checks.date_of_birth::text`.as('dateOfBirth'));
}

export function findCheck(db: Db, id: number) {
  return checks(db).where('youthChecks.id', '=', id).executeTakeFirst();
}

export type StoredCheck = NonNullable<Awaited<ReturnType<typeof findCheck>>>;

/** Every check, open ones first by due date, then answered ones, newest first (the first point of contact's list). */
export function listAll(db: Db, limit: number) {
  return checks(db)
    .orderBy(sql`case when youth_checks.status = 'requested' then 0 else 1 end`)
    .orderBy('youthChecks.dueOn')
    .orderBy('youthChecks.requestedAt', 'desc')
    .limit(limit)
    .execute();
}

/** A requester's own checks, newest first. */
export function listRequestedBy(db: Db, userId: number, limit: number) {
  return checks(db)
    .where('youthChecks.requestedBy', '=', userId)
    .orderBy('youthChecks.requestedAt', 'desc')
    .limit(limit)
    .execute();
}

export interface Answer {
  knownToYouthOffending: boolean;
  knownToChildrensServices: boolean;
  leadProfessionalName: string | null;
  leadProfessionalAgency: string | null;
  leadProfessionalContact: string | null;
  answerNote: string | null;
}

/** Records the answer unless someone answered or changed the check since `version`. */
export async function saveAnswer(
  db: Db,
  id: number,
  version: number,
  answer: Answer,
  by: number,
  at: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('youthChecks')
    .set({ ...answer, status: 'answered', answeredBy: by, answeredAt: at, version: sql`version + 1` })
    .where('id', '=', id)
    .where('version', '=', version)
    .where('status', '=', 'requested')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Links the referral made from a check; only once. */
export async function linkReferral(db: Db, id: number, referralId: number): Promise<boolean> {
  const result = await db
    .updateTable('youthChecks')
    .set({ referralId, version: sql`version + 1` })
    .where('id', '=', id)
    .where('referralId', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export function settings(db: Db) {
  return db.selectFrom('youthCheckSettings').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
}

export async function saveSettings(
  db: Db,
  version: number,
  changes: { dueWorkingDays: number; retentionMonths: number },
  by: number | null,
  at: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('youthCheckSettings')
    .set({ ...changes, updatedBy: by, updatedAt: at, version: sql`version + 1` })
    .where('id', '=', 1)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Removes the personal data of checks answered (or, never answered, asked for) before `cutoff`.
 * District, agencies, dates and the yes/no answers stay, so the reports keep their counts.
 */
export async function clearBefore(db: Db, cutoff: Date, at: Date): Promise<number[]> {
  const rows = await db
    .updateTable('youthChecks')
    .set({
      youngPersonName: null,
      dateOfBirth: null,
      address: null,
      concern: null,
      caseReference: null,
      leadProfessionalName: null,
      leadProfessionalAgency: null,
      leadProfessionalContact: null,
      answerNote: null,
      clearedAt: at,
    })
    .where('clearedAt', 'is', null)
    .where(sql<boolean>`coalesce(answered_at, requested_at) < ${cutoff}`)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** The requester's agency and its type, to know whether its officers ask for checks. */
export function agencyOf(db: Db, agencyId: number) {
  return db
    .selectFrom('agencies')
    .select(['id', 'type', 'districtId', 'youthCheckContactUserId'])
    .where('id', '=', agencyId)
    .executeTakeFirst();
}

/** Every check asked for in [from, to): its district, the London month it was asked in, when due and answered. */
export function forReport(db: Db, from: Date, to: Date) {
  return db
    .selectFrom('youthChecks')
    .innerJoin('districts', 'districts.id', 'youthChecks.districtId')
    .select([
      'districts.name as districtName',
      sql<string>`to_char(youth_checks.requested_at at time zone 'Europe/London', 'YYYY-MM')`.as('month'),
      'youthChecks.dueOn',
      sql<string | null>`(youth_checks.answered_at at time zone 'Europe/London')::date::text`.as('answeredOn'),
    ])
    .where('youthChecks.requestedAt', '>=', from)
    .where('youthChecks.requestedAt', '<', to)
    .execute();
}
