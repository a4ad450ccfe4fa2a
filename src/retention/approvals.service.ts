import { DateTime } from 'luxon';
import type { Db } from '../db/database';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../http/context';
import { NotFoundError, RefusedError } from '../http/errors';
import * as approvals from './approvals.repository';
import { findSettings } from './retention.repository';

/*
 * Two administrators for anything that shortens the audit trail: one asks for a new audit period or
 * a purge of old audit rows, and a different one approves it. The purge itself runs in the
 * database's purge_audit_events, which checks the approval again, so the application's role
 * cannot delete audit rows any other way (see the README on the database roles).
 */

export type SignedInActor = Actor & { userId: number };

/** Rows older than the audit period, as of `now`. */
export const auditCutoff = (now: Date, auditYears: number) =>
  DateTime.fromJSDate(now).minus({ years: auditYears }).toJSDate();

export async function requestAuditYears(db: Db, actor: SignedInActor, auditYears: number, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { auditYears: current } = await findSettings(trx);
    if (current === auditYears)
      throw new RefusedError({ auditYears: `Audit records are already kept for ${auditYears} years` });
    const id = await approvals.insertApproval(
      trx,
      { kind: 'audit-years', auditYears, purgeBefore: null },
      actor.userId,
      now,
    );
    await recordAudit(trx, actor, {
      action: 'retention.approval-requested',
      entityType: 'retention-approval',
      entityId: id,
      details: { kind: 'audit-years', from: current, to: auditYears },
    });
    return id;
  });
}

export async function requestPurge(db: Db, actor: SignedInActor, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { auditYears } = await findSettings(trx);
    const purgeBefore = auditCutoff(now, auditYears);
    const id = await approvals.insertApproval(trx, { kind: 'audit-purge', auditYears, purgeBefore }, actor.userId, now);
    await recordAudit(trx, actor, {
      action: 'retention.approval-requested',
      entityType: 'retention-approval',
      entityId: id,
      details: { kind: 'audit-purge', auditYears, before: purgeBefore.toISOString() },
    });
    return id;
  });
}

export type ApprovalDecision = 'approve' | 'refuse' | 'withdraw';

/** A second administrator approves or refuses; the one who asked may withdraw. Approval takes effect at once. */
export async function decideApproval(
  db: Db,
  actor: SignedInActor,
  id: number,
  decision: ApprovalDecision,
  now: Date,
): Promise<{ kind: string; deleted: number | null }> {
  return db.transaction().execute(async (trx) => {
    const request = await approvals.findPendingApproval(trx, id);
    if (!request) throw new NotFoundError();
    const own = request.requestedBy === actor.userId;
    if (decision === 'withdraw' && !own)
      throw new RefusedError({ '': 'Only the administrator who asked can withdraw it' });
    if (decision !== 'withdraw' && own)
      throw new RefusedError({ '': 'Another administrator must approve or refuse what you asked for' });
    const status = decision === 'approve' ? 'approved' : decision === 'refuse' ? 'refused' : 'withdrawn';
    await approvals.closeApproval(trx, id, status, actor.userId, now);
    let deleted: number | null = null;
    if (status === 'approved' && request.kind === 'audit-years' && request.auditYears !== null)
      await approvals.setAuditYears(trx, request.auditYears, actor.userId, now);
    if (status === 'approved' && request.kind === 'audit-purge') deleted = await approvals.purgeApproved(trx, id, now);
    await recordAudit(trx, actor, {
      action: `retention.approval-${status}`,
      entityType: 'retention-approval',
      entityId: id,
      details: { kind: request.kind, requestedBy: request.requestedBy, auditYears: request.auditYears, deleted },
    });
    if (deleted !== null)
      await recordAudit(trx, actor, {
        action: 'audit.purged',
        entityType: 'audit-events',
        details: { deleted, approvalId: id, before: request.purgeBefore?.toISOString() ?? null },
      });
    return { kind: request.kind, deleted };
  });
}
