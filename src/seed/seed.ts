import type { Db } from '../db/database';
import { seedFoundation } from './demo-foundation';

/** All demo data, each feature's part in order. Returns false if the database was not empty. */
export async function seedDemoData(db: Db, password: string): Promise<boolean> {
  return seedFoundation(db, password);
}
