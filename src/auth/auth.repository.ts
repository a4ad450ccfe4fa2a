import type { Db } from '../db/database';

/** Failed sign-ins since `since` for one account key or one address. */
export async function failuresSince(db: Db, column: 'accountKey' | 'ip', value: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('loginFailures')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(column, '=', value)
    .where('at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function recordFailure(db: Db, accountKey: string, ip: string, at: Date): Promise<void> {
  await db.insertInto('loginFailures').values({ accountKey, ip, at }).execute();
}

export async function clearFailures(db: Db, accountKey: string): Promise<void> {
  await db.deleteFrom('loginFailures').where('accountKey', '=', accountKey).execute();
}
