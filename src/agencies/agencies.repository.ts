import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { NewAgency } from '../db/schema';

export function listWithSpoc(db: Db, includeInactive = true) {
  let q = db
    .selectFrom('agencies')
    .leftJoin('users as spoc', 'spoc.id', 'agencies.spocUserId')
    .leftJoin('users as youthContact', 'youthContact.id', 'agencies.youthCheckContactUserId')
    .leftJoin('districts', 'districts.id', 'agencies.districtId')
    .select([
      'agencies.id',
      'agencies.name',
      'agencies.shortName',
      'agencies.type',
      'agencies.coreMember',
      'agencies.attendanceRequired',
      'agencies.active',
      'agencies.spocUserId',
      'spoc.name as spocName',
      'youthContact.name as youthCheckContactName',
      'districts.name as districtName',
    ])
    .orderBy('agencies.name');
  if (!includeInactive) q = q.where('agencies.active', '=', true);
  return q.execute();
}

export function findById(db: Db, id: number) {
  return db.selectFrom('agencies').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insert(db: Db, agency: NewAgency): Promise<number> {
  const row = await db.insertInto('agencies').values(agency).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export interface AgencyChanges {
  name: string;
  shortName: string;
  type: string;
  districtId: number | null;
  coreMember: boolean;
  attendanceRequired: boolean;
  active: boolean;
  spocUserId: number | null;
  youthCheckContactUserId: number | null;
}

export async function update(db: Db, id: number, version: number, changes: AgencyChanges): Promise<boolean> {
  const result = await db
    .updateTable('agencies')
    .set({ ...changes, version: sql`version + 1` })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Names and short names must be unique (case-insensitively); returns which are already used. */
export async function clashes(db: Db, name: string, shortName: string, exceptId?: number) {
  let q = db
    .selectFrom('agencies')
    .select(['name', 'shortName'])
    .where((eb) =>
      eb.or([eb(sql`lower(name)`, '=', name.toLowerCase()), eb(sql`lower(short_name)`, '=', shortName.toLowerCase())]),
    );
  if (exceptId) q = q.where('id', '!=', exceptId);
  const rows = await q.execute();
  return {
    name: rows.some((r) => r.name.toLowerCase() === name.toLowerCase()),
    shortName: rows.some((r) => r.shortName.toLowerCase() === shortName.toLowerCase()),
  };
}

/** A user who moves agency, or is deactivated, stops being any agency's single point of contact. */
export async function clearSpoc(db: Db, userId: number): Promise<void> {
  await db.updateTable('agencies').set({ spocUserId: null }).where('spocUserId', '=', userId).execute();
  await db
    .updateTable('agencies')
    .set({ youthCheckContactUserId: null })
    .where('youthCheckContactUserId', '=', userId)
    .execute();
}

/** The active first points of contact for youth checks of active agencies. */
export function findYouthCheckContacts(db: Db) {
  return db
    .selectFrom('agencies')
    .innerJoin('users', 'users.id', 'agencies.youthCheckContactUserId')
    .select(['agencies.id as agencyId', 'agencies.name as agencyName', 'users.id as userId', 'users.email'])
    .where('agencies.active', '=', true)
    .where('users.active', '=', true)
    .orderBy('agencies.id')
    .execute();
}
