import type { Db } from '../db/database';

/*
 * The look-ups of districts, agencies and people that every feature uses to fill a select or name
 * a row. The agencies and users features own those tables' changes; reading a name goes here.
 * Plain functions taking the database (or a transaction) first.
 */

export function districts(db: Db) {
  return db.selectFrom('districts').select(['id', 'name']).orderBy('name').execute();
}

export async function districtExists(db: Db, id: number): Promise<boolean> {
  return Boolean(await db.selectFrom('districts').select('id').where('id', '=', id).executeTakeFirst());
}

/** The active chairs, to choose a panel's chair. */
export function activeChairs(db: Db) {
  return db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('role', '=', 'chair')
    .where('active', '=', true)
    .orderBy('name')
    .execute();
}

/** The active agencies by name, with whether each is a core member and of which district. */
export function activeAgencies(db: Db) {
  return db
    .selectFrom('agencies')
    .select(['id', 'name', 'shortName', 'coreMember', 'districtId'])
    .where('active', '=', true)
    .orderBy('name')
    .execute();
}

/** The active agencies by short name, to choose who presents an item. */
export function activeAgencyShortNames(db: Db) {
  return db
    .selectFrom('agencies')
    .select(['id', 'shortName'])
    .where('active', '=', true)
    .orderBy('shortName')
    .execute();
}

export async function districtName(db: Db, id: number): Promise<string> {
  const row = await db.selectFrom('districts').select('name').where('id', '=', id).executeTakeFirstOrThrow();
  return row.name;
}

/** Whether a user is an active member of an agency (who may be its single point of contact). */
export async function isActiveMemberOf(db: Db, userId: number, agencyId: number): Promise<boolean> {
  return Boolean(
    await db
      .selectFrom('users')
      .select('id')
      .where('id', '=', userId)
      .where('agencyId', '=', agencyId)
      .where('active', '=', true)
      .executeTakeFirst(),
  );
}
