import { Migrator, sql, type MigrationProvider } from 'kysely';
import { migrations } from '../../migrations';
import type { Db } from './database';

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

/**
 * True when the database has run exactly the migrations this build has, no more and no fewer: one
 * read, where the migrator would look through the catalogue and take its lock (a third of a second
 * of start-up on the embedded database).
 */
async function upToDate(db: Db): Promise<boolean> {
  const table = await sql<{ present: boolean }>`select to_regclass('kysely_migration') is not null as present`.execute(
    db,
  );
  if (!table.rows[0]?.present) return false;
  const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
  const ran = rows.map((r) => r.name).sort();
  const ours = Object.keys(migrations).sort();
  return ran.length === ours.length && ran.every((name, i) => name === ours[i]);
}

/**
 * Brings the schema up to date. Kysely's PostgreSQL adapter takes an advisory lock for the
 * duration, so several instances starting at once run each migration exactly once.
 */
export async function migrateToLatest(db: Db): Promise<string[]> {
  if (await upToDate(db)) return [];
  const migrator = new Migrator({ db: db.withoutPlugins(), provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(`migration failed: ${JSON.stringify(error)}`);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
