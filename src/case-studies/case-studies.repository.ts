import { sql, type Insertable } from 'kysely';
import type { Db } from '../db/database';
import type { CaseStudyTable } from '../db/schema';

export type CaseStudyContent = Pick<
  Insertable<CaseStudyTable>,
  | 'title'
  | 'category'
  | 'placeType'
  | 'districtId'
  | 'agencyIds'
  | 'interventionIds'
  | 'interventionsOther'
  | 'whatWorked'
  | 'whatDidNot'
  | 'barriers'
  | 'outcome'
>;

function studies(db: Db) {
  return db
    .selectFrom('caseStudies')
    .innerJoin('users as author', 'author.id', 'caseStudies.authorId')
    .innerJoin('agencies as authorAgency', 'authorAgency.id', 'caseStudies.authorAgencyId')
    .leftJoin('districts', 'districts.id', 'caseStudies.districtId')
    .leftJoin('users as reviewer', 'reviewer.id', 'caseStudies.reviewedBy')
    .leftJoin('referrals as source', 'source.id', 'caseStudies.sourceReferralId')
    .selectAll('caseStudies')
    .select([
      'author.name as authorName',
      'author.email as authorEmail',
      'author.active as authorActive',
      'authorAgency.name as authorAgencyName',
      'districts.name as districtName',
      'reviewer.name as reviewedByName',
      'source.reference as sourceReference',
    ]);
}

export function findStudy(db: Db, id: number) {
  return studies(db).where('caseStudies.id', '=', id).executeTakeFirst();
}

export type StoredStudy = NonNullable<Awaited<ReturnType<typeof findStudy>>>;

export async function insertStudy(
  db: Db,
  study: CaseStudyContent & Pick<Insertable<CaseStudyTable>, 'authorId' | 'authorAgencyId' | 'sourceReferralId'>,
  status: 'draft' | 'submitted',
  at: Date,
): Promise<number> {
  const row = await db
    .insertInto('caseStudies')
    .values({ ...study, status, submittedAt: status === 'submitted' ? at : null, createdAt: at, updatedAt: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Saves the author's changes (a draft, or a returned study) unless it changed since `version`. */
export async function updateStudy(
  db: Db,
  id: number,
  version: number,
  content: CaseStudyContent,
  status: 'draft' | 'submitted' | 'returned',
  at: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('caseStudies')
    .set({
      ...content,
      status,
      ...(status === 'submitted' ? { submittedAt: at } : {}),
      updatedAt: at,
      version: sql`version + 1`,
    })
    .where('id', '=', id)
    .where('version', '=', version)
    .where('status', 'in', ['draft', 'returned'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function review(
  db: Db,
  id: number,
  version: number,
  decision: { status: 'approved' | 'returned'; reviewComments: string | null },
  by: number,
  at: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('caseStudies')
    .set({ ...decision, reviewedBy: by, reviewedAt: at, updatedAt: at, version: sql`version + 1` })
    .where('id', '=', id)
    .where('version', '=', version)
    .where('status', '=', 'submitted')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface LibraryFilters {
  category?: string;
  interventionId?: number;
  placeType?: string;
  outcome?: string;
  districtId?: number;
}

/** Approved studies matching every filter given, most recently approved first. */
export function library(db: Db, f: LibraryFilters, limit: number) {
  let q = studies(db).where('caseStudies.status', '=', 'approved');
  if (f.category) q = q.where('caseStudies.category', '=', f.category);
  if (f.interventionId)
    q = q.where(sql<boolean>`case_studies.intervention_ids @> array[${f.interventionId}]::integer[]`);
  if (f.placeType) q = q.where('caseStudies.placeType', '=', f.placeType);
  if (f.outcome) q = q.where('caseStudies.outcome', '=', f.outcome);
  if (f.districtId) q = q.where('caseStudies.districtId', '=', f.districtId);
  return q.orderBy('caseStudies.reviewedAt', 'desc').orderBy('caseStudies.id', 'desc').limit(limit).execute();
}

export function byAuthor(db: Db, authorId: number) {
  return studies(db).where('caseStudies.authorId', '=', authorId).orderBy('caseStudies.updatedAt', 'desc').execute();
}

export function waitingForApproval(db: Db) {
  return studies(db).where('caseStudies.status', '=', 'submitted').orderBy('caseStudies.submittedAt').execute();
}

/** The incident types of a case: its ASB problem categories. */
export async function caseCategories(db: Db, referralId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('referralIncidents')
    .select('type')
    .distinct()
    .where('referralId', '=', referralId)
    .where('type', 'is not', null)
    .execute();
  return rows.map((r) => r.type as string);
}

/** Approved studies of any of these categories, newest first. */
export function approvedInCategories(db: Db, categories: string[], limit: number) {
  if (categories.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('caseStudies')
    .select(['id', 'title', 'category', 'outcome', 'placeType'])
    .where('status', '=', 'approved')
    .where('category', 'in', categories)
    .orderBy('reviewedAt', 'desc')
    .limit(limit)
    .execute();
}

export function interventions(db: Db, activeOnly: boolean) {
  let q = db.selectFrom('caseStudyInterventions').select(['id', 'name', 'active']).orderBy('name');
  if (activeOnly) q = q.where('active', '=', true);
  return q.execute();
}

export async function interventionNameTaken(db: Db, name: string): Promise<boolean> {
  return Boolean(
    await db
      .selectFrom('caseStudyInterventions')
      .select('id')
      .where(sql`lower(name)`, '=', name.toLowerCase())
      .executeTakeFirst(),
  );
}

export async function insertIntervention(db: Db, name: string): Promise<number> {
  const row = await db.insertInto('caseStudyInterventions').values({ name }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function setInterventionActive(db: Db, id: number, active: boolean): Promise<boolean> {
  const result = await db.updateTable('caseStudyInterventions').set({ active }).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
