import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../db/database';
import type { Database } from '../db/schema';
import type { Clock } from '../clock';
import { seedFoundation } from './demo-foundation';
import { seedReferrals } from './demo-referrals';
import { seedPanels } from './demo-panels';
import { seedResearch } from './demo-research';
import { seedAttendance } from './demo-attendance';
import { seedMeeting } from './demo-meeting';
import { seedMinutes } from './demo-minutes';
import { seedYouthChecksAndCaseStudies } from './demo-youth-and-case-studies';

/**
 * The seeding transaction as a database whose `transaction()` runs its work in that same
 * transaction: the features' services open their own transactions, and inside the seed they all
 * become part of the one that adds the demo data, so that it is added whole or not at all.
 */
function oneTransaction(trx: Transaction<Database>): Db {
  const flat: Db = new Proxy(trx, {
    get(target, property) {
      if (property === 'transaction') {
        return () => ({ execute: <T>(work: (inner: Db) => Promise<T>) => work(flat) });
      }
      if (property === 'withPlugin') {
        return (plugin: Parameters<Db['withPlugin']>[0]) => oneTransaction(target.withPlugin(plugin));
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return flat;
}

/**
 * All demo data, each feature's part in order, in one transaction: a crash part-way (kill -9 on
 * the first start) leaves an empty database, and the next start adds it all. Returns false if the
 * database was not empty.
 */
export async function seedDemoData(
  db: Db,
  clock: Clock,
  password: string,
  baseUrl: string,
  logger?: Logger,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const seed = oneTransaction(trx);
    if (!(await seedFoundation(seed, password))) return false;
    logger?.info('adding demo data');
    await seedReferrals(seed, clock, baseUrl);
    // After the referrals: past panels hear the active cases; the next one lists those awaiting.
    await seedPanels(seed, clock, baseUrl);
    // After the panels: each held answer gets its research on each subject.
    await seedResearch(seed, clock);
    // After the panels: it answers and registers whatever panels exist.
    await seedAttendance(seed);
    // After attendance: records the meetings of the past panels, with their actions.
    await seedMeeting(seed, clock);
    // Last: approves the minutes of whatever panels have concluded, and circulates one.
    await seedMinutes(seed);
    // Independent of the panels: Future4Me answers youth checks; the case study library.
    await seedYouthChecksAndCaseStudies(seed, clock);
    return true;
  });
}
