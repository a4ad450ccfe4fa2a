import type { Insertable } from 'kysely';
import type { Db } from '../db/database';
import type { AuditEventTable } from '../db/schema';

export async function insertEvent(db: Db, event: Insertable<AuditEventTable>): Promise<void> {
  await db.insertInto('auditEvents').values(event).execute();
}
