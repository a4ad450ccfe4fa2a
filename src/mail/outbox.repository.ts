import { sql, type Insertable } from 'kysely';
import type { Db } from '../db/database';
import type { OutboxMessage, OutboxTable } from '../db/schema';

export async function insertMessage(db: Db, message: Insertable<OutboxTable>): Promise<string> {
  const row = await db.insertInto('outbox').values(message).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Claims up to `limit` messages that are due, or whose claim by another worker has expired, and
 * marks them as being sent until `lockedUntil`. FOR UPDATE SKIP LOCKED lets any number of workers
 * claim from one database without sending a message twice.
 */
export function claimDue(db: Db, now: Date, lockedUntil: Date, limit: number): Promise<OutboxMessage[]> {
  const due = db
    .selectFrom('outbox')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'queued'), eb('nextAttemptAt', '<=', now)]),
        eb.and([eb('status', '=', 'sending'), eb('lockedUntil', '<', now)]),
      ]),
    )
    .orderBy('nextAttemptAt')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked();
  return db
    .updateTable('outbox')
    .set({ status: 'sending', lockedUntil, attempts: sql`attempts + 1` })
    .where('id', 'in', due)
    .returningAll()
    .execute();
}

/**
 * Extends this worker's lease on the messages it still holds. Only rows still carrying the lease it
 * was given are extended (a row whose lease ran out may have been claimed by another worker); the
 * ids returned are those it still holds.
 */
export async function renewLease(db: Db, ids: string[], heldUntil: Date, lockedUntil: Date): Promise<string[]> {
  if (!ids.length) return [];
  const rows = await db
    .updateTable('outbox')
    .set({ lockedUntil })
    .where('id', 'in', ids)
    .where('status', '=', 'sending')
    .where('lockedUntil', '=', heldUntil)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Gives claimed messages that were not attempted back to the queue, as if never claimed (a clean stop). */
export async function releaseClaim(db: Db, ids: string[], heldUntil: Date): Promise<number> {
  if (!ids.length) return 0;
  const result = await db
    .updateTable('outbox')
    .set({ status: 'queued', lockedUntil: null, attempts: sql`greatest(attempts - 1, 0)` })
    .where('id', 'in', ids)
    .where('status', '=', 'sending')
    .where('lockedUntil', '=', heldUntil)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface SentMessage {
  id: string;
  sentAt: Date;
  serverResponse: string;
}

/** Marks messages sent, in one statement however many they are. */
export async function markSent(db: Db, sent: readonly SentMessage[]): Promise<void> {
  if (!sent.length) return;
  await sql`
    update outbox set status = 'sent', sent_at = done.sent_at, locked_until = null,
      server_response = done.server_response, last_error = null
    from (
      select unnest(${sent.map((m) => m.id)}::bigint[]) as id,
        unnest(${sent.map((m) => m.sentAt.toISOString())}::timestamptz[]) as sent_at,
        unnest(${sent.map((m) => m.serverResponse)}::text[]) as server_response
    ) as done
    where outbox.id = done.id`.execute(db);
}

/** Records a failed attempt: queued again for `nextAttemptAt`, or failed for good. */
export async function markNotSent(
  db: Db,
  id: string,
  failed: boolean,
  lastError: string,
  nextAttemptAt: Date,
): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: failed ? 'failed' : 'queued', lockedUntil: null, lastError, nextAttemptAt })
    .where('id', '=', id)
    .execute();
}
