import type { Db } from '../db/database';

/** Marks a duplicate as merged into a case; false when it is no longer waiting for screening. */
export async function markMerged(
  db: Db,
  id: number,
  intoId: number,
  by: { userId: number; at: Date; note: string | null },
): Promise<boolean> {
  const result = await db
    .updateTable('referrals')
    .set((eb) => ({
      status: 'merged',
      mergedIntoId: intoId,
      screenedBy: by.userId,
      screenedAt: by.at,
      screeningNote: by.note,
      version: eb('version', '+', 1),
      updatedAt: by.at,
    }))
    .where('id', '=', id)
    .where('status', '=', 'submitted')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Moves a referral to another district. */
export async function setDistrict(db: Db, id: number, districtId: number, at: Date): Promise<void> {
  await db
    .updateTable('referrals')
    .set((eb) => ({ districtId, version: eb('version', '+', 1), updatedAt: at }))
    .where('id', '=', id)
    .execute();
}

/** The referrals merged into a case, oldest first. */
export function mergedInto(db: Db, caseId: number) {
  return db
    .selectFrom('referrals')
    .innerJoin('agencies', 'agencies.id', 'referrals.referringAgencyId')
    .select([
      'referrals.id',
      'referrals.reference',
      'referrals.submittedAt',
      'referrals.screenedAt',
      'agencies.shortName as agencyShortName',
    ])
    .where('referrals.mergedIntoId', '=', caseId)
    .orderBy('referrals.screenedAt')
    .orderBy('referrals.id')
    .execute();
}

/** The case's reference and district, for the words of a merge or a move. */
export function caseLabel(db: Db, id: number) {
  return db
    .selectFrom('referrals')
    .leftJoin('districts', 'districts.id', 'referrals.districtId')
    .select([
      'referrals.id',
      'referrals.reference',
      'referrals.status',
      'referrals.districtId',
      'districts.name as districtName',
    ])
    .where('referrals.id', '=', id)
    .executeTakeFirst();
}
