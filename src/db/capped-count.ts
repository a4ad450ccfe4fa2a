import { sql, type SelectQueryBuilder } from 'kysely';
import type { Database } from './schema';
import type { Db } from './database';

/**
 * A count of the rows `rows` selects that stops at `cap` + 1: more than that is "more than `cap`".
 * Beyond a few thousand nobody pages through a list, and an exact count of most of a large table
 * reads all of it. Give `rows` the order of the index that serves it, so the count reads from it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function cappedCountQuery(db: Db, rows: SelectQueryBuilder<Database, any, any>, cap: number) {
  return db.selectFrom(rows.limit(cap + 1).as('counted')).select(sql<string>`count(*)`.as('n'));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function cappedCount(db: Db, rows: SelectQueryBuilder<Database, any, any>, cap: number) {
  const { n } = await cappedCountQuery(db, rows, cap).executeTakeFirstOrThrow();
  return Number(n);
}
