import { sql } from 'kysely';
import type { Db } from '../db/database';

/* Changes to audit retention and purges of audit rows, each waiting for a second administrator. */

export async function insertApproval(
  trx: Db,
  request: { kind: 'audit-years' | 'audit-purge'; auditYears: number | null; purgeBefore: Date | null },
  requestedBy: number,
  at: Date,
): Promise<number> {
  const row = await trx
    .insertInto('retentionApprovals')
    .values({ ...request, requestedBy, requestedAt: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export function pendingApprovals(db: Db) {
  return db
    .selectFrom('retentionApprovals')
    .innerJoin('users', 'users.id', 'retentionApprovals.requestedBy')
    .select([
      'retentionApprovals.id',
      'retentionApprovals.kind',
      'retentionApprovals.auditYears',
      'retentionApprovals.purgeBefore',
      'retentionApprovals.requestedBy',
      'retentionApprovals.requestedAt',
      'users.name as requestedByName',
    ])
    .where('retentionApprovals.status', '=', 'pending')
    .orderBy('retentionApprovals.id')
    .execute();
}

export function findPendingApproval(trx: Db, id: number) {
  return trx
    .selectFrom('retentionApprovals')
    .select(['id', 'kind', 'auditYears', 'purgeBefore', 'requestedBy'])
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .forUpdate()
    .executeTakeFirst();
}

export async function closeApproval(
  trx: Db,
  id: number,
  status: 'approved' | 'refused' | 'withdrawn',
  by: number,
  at: Date,
): Promise<void> {
  await trx
    .updateTable('retentionApprovals')
    .set({ status, decidedBy: status === 'withdrawn' ? null : by, decidedAt: at })
    .where('id', '=', id)
    .execute();
}

export async function setAuditYears(trx: Db, auditYears: number, by: number, at: Date): Promise<void> {
  await trx
    .updateTable('retentionSettings')
    .set({ auditYears, updatedBy: by, updatedAt: at, version: sql`version + 1` })
    .where('id', '=', 1)
    .execute();
}

/** Deletes through the database's own purge function, which checks the second approval itself. */
export async function purgeApproved(trx: Db, approvalId: number, at: Date): Promise<number> {
  const { rows } = await sql<{ deleted: number }>`select purge_audit_events(${approvalId}, ${at}) as deleted`.execute(
    trx,
  );
  return Number(rows[0]?.deleted ?? 0);
}

export function countAuditBefore(db: Db, before: Date) {
  return db
    .selectFrom('auditEvents')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('at', '<', before)
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
}
