import type { Db } from '../db/database';
import type { AttendanceAnswer } from '../db/schema';

export async function insertAttendanceTokens(
  trx: Db,
  rows: {
    panelId: number;
    agencyId: number;
    answer: AttendanceAnswer;
    tokenHash: string;
    expiresAt: Date;
    linkNonce?: string;
  }[],
): Promise<void> {
  await trx.insertInto('attendanceTokens').values(rows).execute();
}

/** Gives the token row reserved under `linkNonce` this hash; false when there is no such row. */
export async function issueReservedToken(db: Db, linkNonce: string, tokenHash: string): Promise<boolean> {
  const updated = await db
    .updateTable('attendanceTokens')
    .set({ tokenHash })
    .where('linkNonce', '=', linkNonce)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

/** Active representatives of the invited active agencies, and each agency's single point of contact. */
export function invitationRecipients(trx: Db, panelId: number, agencyIds?: number[]) {
  let q = trx
    .selectFrom('panelInvitations')
    .innerJoin('agencies', 'agencies.id', 'panelInvitations.agencyId')
    .innerJoin('users', 'users.agencyId', 'agencies.id')
    .select([
      'agencies.id as agencyId',
      'agencies.name as agencyName',
      'users.id as userId',
      'users.email',
      'users.name',
    ])
    .where('panelInvitations.panelId', '=', panelId)
    .where('agencies.active', '=', true)
    .where('users.active', '=', true)
    .where((eb) => eb.or([eb('users.role', '=', 'representative'), eb('agencies.spocUserId', '=', eb.ref('users.id'))]))
    .orderBy('agencies.name')
    .orderBy('users.id');
  if (agencyIds?.length) q = q.where('panelInvitations.agencyId', 'in', agencyIds);
  return q.execute();
}

export function panelForInvitation(trx: Db, panelId: number) {
  return trx
    .selectFrom('panels')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .select([
      'panels.id',
      'panels.startsAt',
      'panels.endsAt',
      'panels.venue',
      'panels.onlineLink',
      'panels.icsSequence',
      'panels.researchClosesOn',
      'districts.name as districtName',
    ])
    .where('panels.id', '=', panelId)
    .executeTakeFirstOrThrow();
}
