import type { Db } from '../db/database';
import type { Actor } from '../http/context';
import { insertEvent } from './audit.repository';

export interface AuditEvent {
  action: string;
  outcome?: 'success' | 'denied' | 'failure';
  entityType?: string;
  entityId?: string | number | null;
  /** Identifiers and codes only: never names, addresses or free text. */
  details?: Record<string, string | number | boolean | null | string[] | number[]>;
}

/** Appends one row to the audit trail. Pass the transaction when the audited change is in one. */
export async function recordAudit(db: Db, actor: Actor, event: AuditEvent): Promise<void> {
  await insertEvent(db, {
    userId: actor.userId,
    agencyId: actor.agencyId,
    ip: actor.ip,
    requestId: actor.requestId,
    action: event.action,
    outcome: event.outcome ?? 'success',
    entityType: event.entityType ?? null,
    entityId: event.entityId === undefined || event.entityId === null ? null : String(event.entityId),
    details: JSON.stringify(event.details ?? {}),
  });
}
