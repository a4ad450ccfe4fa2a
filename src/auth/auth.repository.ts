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

/** Failed sign-ins of one account from one address since `since`: how many, and the latest. */
export async function pairFailuresSince(
  db: Db,
  accountKey: string,
  ip: string,
  since: Date,
): Promise<{ count: number; latest: Date | null }> {
  const row = await db
    .selectFrom('loginFailures')
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.max('at').as('latest')])
    .where('accountKey', '=', accountKey)
    .where('ip', '=', ip)
    .where('at', '>', since)
    .executeTakeFirstOrThrow();
  return { count: Number(row.n), latest: row.latest === null ? null : new Date(row.latest) };
}

export async function recordFailure(db: Db, accountKey: string, ip: string, at: Date): Promise<void> {
  await db.insertInto('loginFailures').values({ accountKey, ip, at }).execute();
}

/**
 * After a sign-in: this pair's failures are forgotten, and the address is one the account uses.
 * Addresses not used since `forgetBefore` are forgotten (an address is personal data).
 */
export async function recordSuccess(
  db: Db,
  accountKey: string,
  ip: string,
  at: Date,
  forgetBefore: Date,
): Promise<void> {
  await db.deleteFrom('loginFailures').where('accountKey', '=', accountKey).where('ip', '=', ip).execute();
  await db
    .deleteFrom('signInAddresses')
    .where('accountKey', '=', accountKey)
    .where('lastSignedInAt', '<', forgetBefore)
    .execute();
  await db
    .insertInto('signInAddresses')
    .values({ accountKey, ip, lastSignedInAt: at })
    .onConflict((oc) => oc.columns(['accountKey', 'ip']).doUpdateSet({ lastSignedInAt: at }))
    .execute();
}

/** Whether the account signed in from this address since `since`. */
export async function knownAddress(db: Db, accountKey: string, ip: string, since: Date): Promise<boolean> {
  const row = await db
    .selectFrom('signInAddresses')
    .select('ip')
    .where('accountKey', '=', accountKey)
    .where('ip', '=', ip)
    .where('lastSignedInAt', '>', since)
    .executeTakeFirst();
  return row !== undefined;
}
