import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { NewUser, Role } from '../db/schema';
import { userColumns, withAgencyColumns } from './user-columns';

export function findByEmail(db: Db, email: string) {
  return db
    .selectFrom('users')
    .innerJoin('agencies', 'agencies.id', 'users.agencyId')
    .select([...userColumns, 'users.passwordHash', 'agencies.active as agencyActive'])
    .where(sql<string>`lower(users.email)`, '=', email.toLowerCase())
    .executeTakeFirst();
}

/** The user with their agency, as the signed-in user is shown everywhere. */
export function findWithAgency(db: Db, id: number) {
  return db
    .selectFrom('users')
    .innerJoin('agencies', 'agencies.id', 'users.agencyId')
    .select(withAgencyColumns)
    .where('users.id', '=', id)
    .executeTakeFirst();
}

export interface UserFilter {
  agencyId?: number;
  role?: Role;
  includeInactive?: boolean;
}

export function list(db: Db, filter: UserFilter = {}) {
  let q = db
    .selectFrom('users')
    .innerJoin('agencies', 'agencies.id', 'users.agencyId')
    .select([...userColumns, 'agencies.name as agencyName', 'agencies.shortName as agencyShortName'])
    .orderBy('agencies.name')
    .orderBy('users.name');
  if (filter.agencyId) q = q.where('users.agencyId', '=', filter.agencyId);
  if (filter.role) q = q.where('users.role', '=', filter.role);
  if (!filter.includeInactive) q = q.where('users.active', '=', true);
  return q.execute();
}

export async function insert(db: Db, user: NewUser): Promise<number> {
  const row = await db.insertInto('users').values(user).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export interface UserChanges {
  email: string;
  name: string;
  jobTitle: string | null;
  phone: string | null;
  role: Role;
  agencyId: number;
  isDeputy: boolean;
  active: boolean;
}

/** Applies the changes if the row is still at `version`; returns false when someone saved meanwhile. */
export async function update(db: Db, id: number, version: number, changes: UserChanges): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ ...changes, version: sql`version + 1` })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function setPassword(db: Db, id: number, passwordHash: string, at: Date): Promise<void> {
  await db
    .updateTable('users')
    .set({ passwordHash, passwordChangedAt: at, version: sql`version + 1` })
    .where('id', '=', id)
    .execute();
}

export async function emailTaken(db: Db, email: string, exceptId?: number): Promise<boolean> {
  let q = db
    .selectFrom('users')
    .select('id')
    .where(sql<string>`lower(email)`, '=', email.toLowerCase());
  if (exceptId) q = q.where('id', '!=', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

export function findById(db: Db, id: number) {
  return db.selectFrom('users').select(userColumns).where('id', '=', id).executeTakeFirst();
}

export async function findPasswordHash(db: Db, id: number): Promise<string | undefined> {
  const row = await db.selectFrom('users').select('passwordHash').where('id', '=', id).executeTakeFirst();
  return row?.passwordHash;
}
