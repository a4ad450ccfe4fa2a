import { sql } from 'kysely';
import type { Db } from '../db/database';
import { cappedCountQuery } from '../db/capped-count';
import type { ReferralStatus, SubjectKind } from '../db/schema';
import type { Visibility } from './case-access.repository';
import type { ListFilters, Sort } from './referral-list-query';

/** `%`, `_` and `\` typed by a user are searched for literally. */
function likePattern(word: string): string {
  return `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function filtered(db: Db, visible: Visibility, f: ListFilters) {
  let q = db.selectFrom('referrals').where(visible);
  if (f.status) q = q.where('referrals.status', '=', f.status);
  if (f.districtId) q = q.where('referrals.districtId', '=', f.districtId);
  if (f.subjectKind) q = q.where('referrals.subjectKinds', '@>', sql<SubjectKind[]>`array[${f.subjectKind}]::text[]`);
  if (f.verdict) q = q.where('referrals.riskVerdict', '=', f.verdict);
  if (f.agencyId) q = q.where('referrals.referringAgencyId', '=', f.agencyId);
  if (f.submittedFrom) q = q.where('referrals.submittedAt', '>=', f.submittedFrom);
  if (f.submittedBefore) q = q.where('referrals.submittedAt', '<', f.submittedBefore);
  for (const word of f.words) q = q.where('referrals.searchText', 'ilike', likePattern(word));
  return q;
}

/** Each order matches an index, so a page is read from the index rather than sorted. */
function ordered<Q extends ReturnType<typeof filtered>>(q: Q, sort: Sort): Q {
  switch (sort) {
    case 'waiting':
      return q.orderBy(sql`referrals.last_submitted_at asc nulls first`).orderBy('referrals.id', 'asc') as Q;
    case 'submitted-asc':
      return q.orderBy(sql`referrals.submitted_at asc nulls first`).orderBy('referrals.id', 'asc') as Q;
    case 'reference':
      return q.orderBy('referrals.reference', 'asc').orderBy('referrals.id', 'asc') as Q;
    case 'score':
      return q.orderBy('referrals.riskScore', 'desc').orderBy('referrals.id', 'desc') as Q;
    case 'updated':
      return q.orderBy('referrals.updatedAt', 'desc').orderBy('referrals.id', 'desc') as Q;
    case 'submitted-desc':
      return q.orderBy(sql`referrals.submitted_at desc nulls last`).orderBy('referrals.id', 'desc') as Q;
  }
}

export function listQuery(db: Db, visible: Visibility, f: ListFilters, sort: Sort, limit: number, offset: number) {
  return ordered(filtered(db, visible, f), sort)
    .innerJoin('agencies', 'agencies.id', 'referrals.referringAgencyId')
    .leftJoin('districts', 'districts.id', 'referrals.districtId')
    .select([
      'referrals.id',
      'referrals.reference',
      'referrals.status',
      'referrals.riskScore',
      'referrals.riskVerdict',
      'referrals.criteria',
      'referrals.submittedAt',
      'referrals.lastSubmittedAt',
      'referrals.updatedAt',
      'referrals.subjectKinds',
      'districts.name as districtName',
      'agencies.shortName as agencyShortName',
    ])
    .limit(limit)
    .offset(offset);
}

export function listPage(db: Db, visible: Visibility, f: ListFilters, sort: Sort, limit: number, offset: number) {
  return listQuery(db, visible, f, sort, limit, offset).execute();
}

/** How many referrals match, counting no further than `cap` + 1. */
export function countQuery(db: Db, visible: Visibility, f: ListFilters, cap: number) {
  return cappedCountQuery(db, ordered(filtered(db, visible, f), 'submitted-desc').select('referrals.id'), cap);
}

export async function countMatching(db: Db, visible: Visibility, f: ListFilters, cap: number): Promise<number> {
  const { n } = await countQuery(db, visible, f, cap).executeTakeFirstOrThrow();
  return Number(n);
}

/** The subjects of a page of referrals, for the list's "who or where" column. */
export function subjectsOf(db: Db, referralIds: number[]) {
  if (!referralIds.length) return Promise.resolve([]);
  return db
    .selectFrom('referralSubjects')
    .select(['referralId', 'position', 'kind', 'fullName', 'address', 'postcode', 'description'])
    .where('referralId', 'in', referralIds)
    .orderBy('referralId')
    .orderBy('position')
    .execute();
}

/** How many visible referrals have this status (the status index narrows it first). */
export async function countWithStatus(db: Db, visible: Visibility, status: ReferralStatus): Promise<number> {
  const row = await db
    .selectFrom('referrals')
    .where('referrals.status', '=', status)
    .where(visible)
    .select(sql<string>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
