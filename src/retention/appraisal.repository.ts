import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { RetentionReviewStatus } from '../db/schema';

/* The review list of cases at the end of retention, and the certificates of what was destroyed. */

export async function listForReview(trx: Db, cases: { id: number; dueAt: Date }[], at: Date): Promise<number> {
  if (cases.length === 0) return 0;
  const rows = await trx
    .insertInto('retentionReviews')
    .values(cases.map((c) => ({ referralId: c.id, status: 'due' as const, dueAt: c.dueAt, listedAt: at })))
    .onConflict((oc) => oc.column('referralId').doNothing())
    .returning('referralId')
    .execute();
  return rows.length;
}

/** Extensions whose date has come go back on the review list. */
export async function returnExpiredExtensions(db: Db, now: Date): Promise<number> {
  const result = await db
    .updateTable('retentionReviews')
    .set({ status: 'due', version: sql`version + 1` })
    .where('status', '=', 'extended')
    .where('keepUntil', '<=', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

function reviewRows(db: Db) {
  return db
    .selectFrom('retentionReviews')
    .innerJoin('referrals', 'referrals.id', 'retentionReviews.referralId')
    .leftJoin('districts', 'districts.id', 'referrals.districtId')
    .leftJoin('users', 'users.id', 'retentionReviews.decidedBy')
    .select([
      'retentionReviews.referralId',
      'retentionReviews.status',
      'retentionReviews.dueAt',
      'retentionReviews.keepUntil',
      'retentionReviews.reason',
      'retentionReviews.heldSince',
      'retentionReviews.decidedAt',
      'retentionReviews.version',
      'users.name as decidedByName',
      'referrals.reference',
      'referrals.closedAt',
      'referrals.districtId',
      'districts.name as districtName',
    ]);
}

/** The reviews in these states, with what the page shows (no personal data), oldest first. */
export function reviewsWithStatus(db: Db, statuses: RetentionReviewStatus[], limit: number) {
  return reviewRows(db)
    .where('retentionReviews.status', 'in', statuses)
    .orderBy('retentionReviews.dueAt')
    .orderBy('retentionReviews.referralId')
    .limit(limit)
    .execute();
}

/** One review still open for a decision, as its page shows it. */
export function openReview(db: Db, referralId: number) {
  return reviewRows(db)
    .where('retentionReviews.referralId', '=', referralId)
    .where('retentionReviews.status', '<>', 'destroyed')
    .executeTakeFirst();
}

export function findReview(db: Db, referralId: number) {
  return reviewRows(db).where('retentionReviews.referralId', '=', referralId).executeTakeFirst();
}

export interface ReviewChange {
  status: RetentionReviewStatus;
  keepUntil: Date | null;
  reason: string | null;
  heldSince: Date | null;
}

/** Records a decision if the review is still at `version`; false when someone decided meanwhile. */
export async function decide(
  trx: Db,
  referralId: number,
  version: number,
  change: ReviewChange,
  by: number | null,
  at: Date,
): Promise<boolean> {
  const result = await trx
    .updateTable('retentionReviews')
    .set({ ...change, decidedBy: by, decidedAt: at, version: sql`version + 1` })
    .where('referralId', '=', referralId)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertCertificate(
  trx: Db,
  certificate: {
    referralId: number;
    caseReference: string | null;
    districtId: number | null;
    closedAt: Date;
    retentionYears: number;
    stores: Record<string, number>;
    approvedBy: number;
    destroyedAt: Date;
  },
): Promise<number> {
  const row = await trx
    .insertInto('destructionCertificates')
    .values({ ...certificate, stores: JSON.stringify(certificate.stores) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export function listCertificates(db: Db, limit: number) {
  return db
    .selectFrom('destructionCertificates')
    .leftJoin('districts', 'districts.id', 'destructionCertificates.districtId')
    .innerJoin('users', 'users.id', 'destructionCertificates.approvedBy')
    .select([
      'destructionCertificates.id',
      'destructionCertificates.referralId',
      'destructionCertificates.caseReference',
      'destructionCertificates.closedAt',
      'destructionCertificates.retentionYears',
      'destructionCertificates.stores',
      'destructionCertificates.destroyedAt',
      'districts.name as districtName',
      'users.name as approvedByName',
    ])
    .orderBy('destructionCertificates.id', 'desc')
    .limit(limit)
    .execute();
}

export function countCertificates(db: Db) {
  return db
    .selectFrom('destructionCertificates')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
}
