import { sql } from 'kysely';
import type { Db } from '../db/database';

/* The log of subject access requests: when each came in, its one-month deadline and its status. */

export type RequestStatus = 'open' | 'completed' | 'withdrawn';

export async function insertRequest(
  db: Db,
  request: { subjectName: string; receivedOn: string; dueOn: string },
  createdBy: number | null,
  createdAt: Date,
): Promise<number> {
  const row = await db
    .insertInto('subjectAccessRequests')
    .values({ ...request, createdBy, createdAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const columns = [
  'subjectAccessRequests.id',
  'subjectAccessRequests.subjectName',
  'subjectAccessRequests.receivedOn',
  'subjectAccessRequests.dueOn',
  'subjectAccessRequests.status',
  'subjectAccessRequests.completedOn',
  'subjectAccessRequests.version',
  'users.name as createdByName',
] as const;

export function listRequests(db: Db) {
  return db
    .selectFrom('subjectAccessRequests')
    .leftJoin('users', 'users.id', 'subjectAccessRequests.createdBy')
    .select(columns)
    .orderBy(sql`case when subject_access_requests.status = 'open' then 0 else 1 end`)
    .orderBy('subjectAccessRequests.dueOn')
    .orderBy('subjectAccessRequests.id', 'desc')
    .execute();
}

export function findRequest(db: Db, id: number) {
  return db
    .selectFrom('subjectAccessRequests')
    .leftJoin('users', 'users.id', 'subjectAccessRequests.createdBy')
    .select(columns)
    .where('subjectAccessRequests.id', '=', id)
    .executeTakeFirst();
}

/** Sets the status if the request is still at `version`; false when someone changed it meanwhile. */
export async function updateStatus(
  db: Db,
  id: number,
  version: number,
  status: RequestStatus,
  completedOn: string | null,
): Promise<boolean> {
  const result = await db
    .updateTable('subjectAccessRequests')
    .set({ status, completedOn, version: sql`version + 1` })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
