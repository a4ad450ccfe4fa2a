import { sql } from 'kysely';
import type { Db } from '../db/database';

/** What the audit viewer filters by; every field optional, all of them together (AND). */
export interface AuditFilter {
  userId: number | null;
  agencyId: number | null;
  referralId: number | null;
  /** An action, or the start of one ending in a dot ("referral." for every referral action). */
  action: string | null;
  from: Date | null;
  /** Exclusive. */
  to: Date | null;
}

function filtered(db: Db, f: AuditFilter) {
  let q = db
    .selectFrom('auditEvents')
    .leftJoin('users', 'users.id', 'auditEvents.userId')
    .leftJoin('agencies', 'agencies.id', 'auditEvents.agencyId');
  if (f.userId !== null) q = q.where('auditEvents.userId', '=', f.userId);
  if (f.agencyId !== null) q = q.where('auditEvents.agencyId', '=', f.agencyId);
  if (f.referralId !== null)
    q = q.where('auditEvents.entityType', '=', 'referral').where('auditEvents.entityId', '=', String(f.referralId));
  if (f.action !== null)
    q = f.action.endsWith('.')
      ? q.where('auditEvents.action', 'like', `${f.action.replace(/[\\%_]/g, '\\$&')}%`)
      : q.where('auditEvents.action', '=', f.action);
  if (f.from !== null) q = q.where('auditEvents.at', '>=', f.from);
  if (f.to !== null) q = q.where('auditEvents.at', '<', f.to);
  return q;
}

/** The rows matching, newest first, with the names of who and which agency (ids alone in the table). */
export function findEvents(db: Db, f: AuditFilter, limit: number, offset: number) {
  return filtered(db, f)
    .leftJoin('referrals', (join) =>
      join
        .on('auditEvents.entityType', '=', 'referral')
        // Compared as text: entity ids of other kinds need not be numbers.
        .on(sql<boolean>`referrals.id::text = audit_events.entity_id`),
    )
    .select([
      'auditEvents.id',
      'auditEvents.at',
      'auditEvents.userId',
      'auditEvents.action',
      'auditEvents.outcome',
      'auditEvents.entityType',
      'auditEvents.entityId',
      'auditEvents.ip',
      'auditEvents.requestId',
      'auditEvents.details',
      'users.name as userName',
      'users.email as userEmail',
      'agencies.shortName as agencyName',
      'referrals.reference as caseReference',
    ])
    .orderBy('auditEvents.at', 'desc')
    .orderBy('auditEvents.id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

export async function countEvents(db: Db, f: AuditFilter): Promise<number> {
  const row = await filtered(db, f)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The case with this reference, for the case filter. */
export async function referralIdByReference(db: Db, reference: string): Promise<number | undefined> {
  const row = await db.selectFrom('referrals').select('id').where('reference', '=', reference).executeTakeFirst();
  return row?.id;
}

/** Who can be chosen in the user filter: everyone, or one agency's staff. */
export function usersForFilter(db: Db, agencyId: number | null) {
  let q = db.selectFrom('users').select(['id', 'name', 'email']).orderBy('name').orderBy('id');
  if (agencyId !== null) q = q.where('agencyId', '=', agencyId);
  return q.execute();
}

export function agenciesForFilter(db: Db) {
  return db.selectFrom('agencies').select(['id', 'name', 'shortName']).orderBy('name').execute();
}
