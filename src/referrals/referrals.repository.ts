import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { Insertable, Updateable } from 'kysely';
import type { ReferralStatus, ReferralTable, RiskVerdict, SubjectKind } from '../db/schema';

export async function insertReferral(db: Db, row: Insertable<ReferralTable>): Promise<number> {
  const inserted = await db.insertInto('referrals').values(row).returning('id').executeTakeFirstOrThrow();
  return inserted.id;
}

export interface ReferralFields {
  districtId: number | null;
  officerName: string | null;
  officerRole: string | null;
  officerPhone: string | null;
  officerEmail: string | null;
  reason: string | null;
  triedActions: string[];
  triedOther: string | null;
  triedDetails: string | null;
  lawfulBasis: string | null;
  consent: 'yes' | 'no' | null;
  consentReason: string | null;
  riskMatrixVersionId: number;
  riskScore: number;
  riskVerdict: RiskVerdict;
  criteria: string[];
  judgement: 'agree' | 'high' | 'lower' | null;
  judgementReasons: string | null;
  escalationCount: number;
  subjectKinds: SubjectKind[];
  searchText: string;
}

/** Saves the referral's own fields if it is still at `version`; false when someone saved meanwhile. */
export async function updateReferral(
  db: Db,
  id: number,
  version: number,
  fields: ReferralFields,
  at: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('referrals')
    .set({ ...fields, version: sql`version + 1`, updatedAt: at })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface SubjectRow {
  kind: SubjectKind | null;
  fullName: string | null;
  nameKey: string | null;
  dateOfBirth: string | null;
  approximateAge: number | null;
  gender: string | null;
  address: string | null;
  addressKey: string | null;
  postcode: string | null;
  postcodeKey: string | null;
  description: string | null;
  vulnerabilities: string[];
}

export interface Children {
  subjects: SubjectRow[];
  /** Links by subject place in `subjects`. */
  links: { from: number; relation: string; to: number }[];
  incidents: {
    incidentDate: string | null;
    type: string | null;
    summary: string | null;
    agencyReference: string | null;
  }[];
  answers: Record<number, string>;
}

/** Replaces the subjects, links, incidents and risk answers of a referral with these. */
export async function replaceChildren(db: Db, referralId: number, children: Children): Promise<void> {
  await db.deleteFrom('referralSubjectLinks').where('referralId', '=', referralId).execute();
  await db.deleteFrom('referralSubjects').where('referralId', '=', referralId).execute();
  await db.deleteFrom('referralIncidents').where('referralId', '=', referralId).execute();
  await db.deleteFrom('referralRiskAnswers').where('referralId', '=', referralId).execute();
  let subjectIds: number[] = [];
  if (children.subjects.length) {
    const rows = await db
      .insertInto('referralSubjects')
      .values(children.subjects.map((s, i) => ({ ...s, referralId, position: i + 1 })))
      .returning(['id', 'position'])
      .execute();
    subjectIds = rows.sort((a, b) => a.position - b.position).map((r) => r.id);
  }
  if (children.links.length) {
    await db
      .insertInto('referralSubjectLinks')
      .values(
        children.links.map((l) => ({
          referralId,
          fromSubjectId: subjectIds[l.from],
          relation: l.relation,
          toSubjectId: subjectIds[l.to],
        })),
      )
      .execute();
  }
  if (children.incidents.length) {
    await db
      .insertInto('referralIncidents')
      .values(children.incidents.map((inc, i) => ({ ...inc, referralId, position: i + 1 })))
      .execute();
  }
  const answers = Object.entries(children.answers);
  if (answers.length) {
    await db
      .insertInto('referralRiskAnswers')
      .values(answers.map(([questionId, answer]) => ({ referralId, questionId: Number(questionId), answer })))
      .execute();
  }
}

export function findReferral(db: Db, id: number) {
  return db
    .selectFrom('referrals')
    .innerJoin('agencies', 'agencies.id', 'referrals.referringAgencyId')
    .leftJoin('districts', 'districts.id', 'referrals.districtId')
    .leftJoin('users as creator', 'creator.id', 'referrals.createdBy')
    .leftJoin('users as submitter', 'submitter.id', 'referrals.submittedBy')
    .leftJoin('users as screener', 'screener.id', 'referrals.screenedBy')
    .selectAll('referrals')
    .select([
      'agencies.name as agencyName',
      'agencies.shortName as agencyShortName',
      'districts.name as districtName',
      'creator.name as createdByName',
      'submitter.name as submittedByName',
      'submitter.email as submittedByEmail',
      'submitter.active as submittedByActive',
      'screener.name as screenedByName',
    ])
    .where('referrals.id', '=', id)
    .executeTakeFirst();
}

/** Locks the referral row for the rest of the transaction, so two screeners cannot both decide. */
export function lockReferral(db: Db, id: number) {
  return db
    .selectFrom('referrals')
    .select(['id', 'status', 'version', 'reference', 'referringAgencyId'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function findSubjects(db: Db, referralId: number) {
  return db
    .selectFrom('referralSubjects')
    .select([
      'id',
      'position',
      'kind',
      'fullName',
      'nameKey',
      sql<string | null>`date_of_birth::text`.as('dateOfBirth'),
      'approximateAge',
      'gender',
      'address',
      'addressKey',
      'postcode',
      'postcodeKey',
      'description',
      'vulnerabilities',
    ])
    .where('referralId', '=', referralId)
    .orderBy('position')
    .execute();
}

export function findSubjectLinks(db: Db, referralId: number) {
  return db
    .selectFrom('referralSubjectLinks')
    .select(['fromSubjectId', 'relation', 'toSubjectId'])
    .where('referralId', '=', referralId)
    .orderBy('id')
    .execute();
}

export function findIncidents(db: Db, referralId: number) {
  return db
    .selectFrom('referralIncidents')
    .select([
      'position',
      sql<string | null>`incident_date::text`.as('incidentDate'),
      'type',
      'summary',
      'agencyReference',
    ])
    .where('referralId', '=', referralId)
    .orderBy('position')
    .execute();
}

export function findAnswers(db: Db, referralId: number) {
  return db
    .selectFrom('referralRiskAnswers')
    .select(['questionId', 'answer'])
    .where('referralId', '=', referralId)
    .execute();
}

/** Cases linked to this one, in either direction. */
export async function findCaseLinks(db: Db, referralId: number) {
  const columns = [
    'referralLinks.id',
    'referralLinks.kind',
    'other.id as otherId',
    'other.reference as otherReference',
    'other.status as otherStatus',
  ] as const;
  const outgoing = await db
    .selectFrom('referralLinks')
    .innerJoin('referrals as other', 'other.id', 'referralLinks.linkedReferralId')
    .select(columns)
    .where('referralLinks.referralId', '=', referralId)
    .execute();
  const incoming = await db
    .selectFrom('referralLinks')
    .innerJoin('referrals as other', 'other.id', 'referralLinks.referralId')
    .select(columns)
    .where('referralLinks.linkedReferralId', '=', referralId)
    .execute();
  return [
    ...outgoing.map((l) => ({ ...l, direction: 'to' as const })),
    ...incoming.map((l) => ({ ...l, direction: 'from' as const })),
  ];
}

export function findEvents(db: Db, referralId: number) {
  return db
    .selectFrom('referralEvents')
    .leftJoin('users', 'users.id', 'referralEvents.userId')
    .leftJoin('agencies', 'agencies.id', 'referralEvents.agencyId')
    .select([
      'referralEvents.id',
      'referralEvents.at',
      'referralEvents.kind',
      'referralEvents.note',
      'referralEvents.details',
      'users.name as userName',
      'agencies.shortName as agencyShortName',
    ])
    .where('referralEvents.referralId', '=', referralId)
    .orderBy('referralEvents.at')
    .orderBy('referralEvents.id')
    .execute();
}

export async function insertEvent(
  db: Db,
  event: {
    referralId: number;
    at: Date;
    userId: number | null;
    agencyId: number | null;
    kind: string;
    note?: string | null;
    details?: Record<string, unknown>;
  },
): Promise<void> {
  await db
    .insertInto('referralEvents')
    .values({ ...event, note: event.note ?? null, details: JSON.stringify(event.details ?? {}) })
    .execute();
}

/**
 * The next number of the year's reference sequence. The counter row is updated in the caller's
 * transaction, so concurrent submissions queue on the row lock and never share a number.
 */
export async function nextReferenceNumber(db: Db, year: number): Promise<number> {
  const row = await db
    .insertInto('referralReferenceCounters')
    .values({ year, lastNumber: 1 })
    .onConflict((oc) => oc.column('year').doUpdateSet({ lastNumber: sql`referral_reference_counters.last_number + 1` }))
    .returning('lastNumber')
    .executeTakeFirstOrThrow();
  return row.lastNumber;
}

export async function setStatus(
  db: Db,
  id: number,
  from: ReferralStatus,
  to: ReferralStatus,
  changes: Omit<Updateable<ReferralTable>, 'status' | 'version' | 'updatedAt'>,
  at: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('referrals')
    .set({ ...changes, status: to, version: sql`version + 1`, updatedAt: at })
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertCaseLinks(
  db: Db,
  referralId: number,
  linkedIds: number[],
  kind: 'repeat' | 'duplicate',
  at: Date,
): Promise<void> {
  if (!linkedIds.length) return;
  await db
    .insertInto('referralLinks')
    .values(linkedIds.map((linkedReferralId) => ({ referralId, linkedReferralId, kind, createdAt: at })))
    .onConflict((oc) => oc.columns(['referralId', 'linkedReferralId', 'kind']).doNothing())
    .execute();
}

export async function deleteReferral(db: Db, id: number): Promise<void> {
  await db.deleteFrom('referrals').where('id', '=', id).execute();
}

export interface SubjectKeys {
  position: number;
  kind: SubjectKind | null;
  nameKey: string | null;
  dateOfBirth: string | null;
  addressKey: string | null;
  postcodeKey: string | null;
}

/** The matching keys of a referral's subjects, as stored. */
export function subjectKeysOf(db: Db, referralId: number): Promise<SubjectKeys[]> {
  return db
    .selectFrom('referralSubjects')
    .select([
      'position',
      'kind',
      'nameKey',
      sql<string | null>`date_of_birth::text`.as('dateOfBirth'),
      'addressKey',
      'postcodeKey',
    ])
    .where('referralId', '=', referralId)
    .orderBy('position')
    .execute();
}

/**
 * Subjects of other submitted referrals that look like these: a person with the same name and
 * date of birth, or anyone at the same address and postcode.
 */
export async function findSubjectMatches(
  db: Db,
  subjects: SubjectKeys[],
  opts: { excludeReferralId: number; statuses?: readonly ReferralStatus[]; submittedSince?: Date },
) {
  const people = subjects.filter((s) => s.kind !== 'location' && s.nameKey && s.dateOfBirth);
  const places = subjects.filter((s) => s.addressKey && s.postcodeKey);
  if (!people.length && !places.length) return [];
  let q = db
    .selectFrom('referralSubjects as s')
    .innerJoin('referrals as r', 'r.id', 's.referralId')
    .leftJoin('districts as d', 'd.id', 'r.districtId')
    .innerJoin('agencies as a', 'a.id', 'r.referringAgencyId')
    .select([
      'r.id as referralId',
      'r.reference',
      'r.status',
      'r.submittedAt',
      'd.name as districtName',
      'a.shortName as agencyShortName',
      's.position',
      's.kind',
      's.nameKey',
      sql<string | null>`s.date_of_birth::text`.as('dateOfBirth'),
      's.addressKey',
      's.postcodeKey',
    ])
    .where('r.id', '!=', opts.excludeReferralId)
    .where('r.status', '!=', 'draft')
    .where((eb) =>
      eb.or([
        ...people.map((p) =>
          eb.and([
            eb('s.kind', 'in', ['victim', 'perpetrator']),
            eb('s.nameKey', '=', p.nameKey),
            eb('s.dateOfBirth', '=', sql<Date>`${p.dateOfBirth}::date`),
          ]),
        ),
        ...places.map((p) => eb.and([eb('s.postcodeKey', '=', p.postcodeKey), eb('s.addressKey', '=', p.addressKey)])),
      ]),
    );
  if (opts.statuses) q = q.where('r.status', 'in', opts.statuses);
  if (opts.submittedSince) q = q.where('r.submittedAt', '>=', opts.submittedSince);
  return q.orderBy('r.submittedAt', 'desc').limit(200).execute();
}

export function activeAdministrators(db: Db) {
  return db
    .selectFrom('users')
    .innerJoin('agencies', 'agencies.id', 'users.agencyId')
    .select(['users.id', 'users.email'])
    .where('users.role', '=', 'administrator')
    .where('users.active', '=', true)
    .where('agencies.active', '=', true)
    .execute();
}

/** The referrer's own details, to start a new referral form with. */
export function officerDefaults(db: Db, userId: number) {
  return db
    .selectFrom('users')
    .innerJoin('agencies', 'agencies.id', 'users.agencyId')
    .select(['users.jobTitle', 'users.phone', 'agencies.districtId'])
    .where('users.id', '=', userId)
    .executeTakeFirstOrThrow();
}

/** The e-mail address of whoever submitted the referral, if anyone has. */
export async function submitterEmail(db: Db, referralId: number): Promise<string | undefined> {
  const row = await db
    .selectFrom('referrals')
    .innerJoin('users', 'users.id', 'referrals.submittedBy')
    .select('users.email')
    .where('referrals.id', '=', referralId)
    .executeTakeFirst();
  return row?.email;
}
