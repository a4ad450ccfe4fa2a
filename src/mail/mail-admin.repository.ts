import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { OutboxStatus } from '../db/schema';

export async function page(db: Db, status: OutboxStatus | undefined, limit: number, offset: number) {
  let q = db.selectFrom('outbox');
  if (status) q = q.where('status', '=', status);
  const [rows, total] = await Promise.all([
    q
      .select([
        'id',
        'kind',
        'toAddress',
        'subject',
        'status',
        'attempts',
        'lastError',
        'createdAt',
        'sentAt',
        'nextAttemptAt',
      ])
      .orderBy('id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

export async function countsByStatus(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('outbox')
    .select(['status', sql<string>`count(*)`.as('n')])
    .groupBy('status')
    .execute();
  return new Map(rows.map((r) => [r.status, Number(r.n)]));
}

export function find(db: Db, id: string) {
  return db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Queues a failed message again; false when it is not (or no longer) failed. */
export async function requeueFailed(db: Db, id: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({ status: 'queued', nextAttemptAt: at, attempts: 0, lastError: null })
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
