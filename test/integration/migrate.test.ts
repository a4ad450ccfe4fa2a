import { sql } from 'kysely';
import { migrations } from '../../migrations';
import { migrateToLatest } from '../../src/db/migrate';
import type { DatabaseHandle } from '../../src/db/database';
import { openTestDatabase } from '../support/database';

// Start-up migrates: a database that has run every migration of this build is left as it is, one
// that lacks some runs them, and one that has run a migration this build does not know is refused.

let database: DatabaseHandle;
const names = Object.keys(migrations).sort();
const last = names[names.length - 1];

beforeAll(async () => {
  database = await openTestDatabase();
}, 60_000);
afterAll(() => database.close());

const ran = async () =>
  (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(database.db)).rows.map(
    (r) => r.name,
  );

describe('migrating at start-up', () => {
  test('when every migration has run, then none runs again', async () => {
    expect(await ran()).toEqual(names);
    expect(await migrateToLatest(database.db)).toEqual([]);
    expect(await ran()).toEqual(names);
  });

  test('when the last migration has not run, then it runs, and only it', async () => {
    await migrations[last].down!(database.db.withoutPlugins());
    await sql`delete from kysely_migration where name = ${last}`.execute(database.db);
    expect(await migrateToLatest(database.db)).toEqual([last]);
    expect(await ran()).toEqual(names);
  });

  test('when the database has run a migration this build does not have, then start-up is refused', async () => {
    await sql`insert into kysely_migration (name, timestamp) values ('29991231_9999_from_a_later_build', '2999-12-31T00:00:00Z')`.execute(
      database.db,
    );
    await expect(migrateToLatest(database.db)).rejects.toThrow(/29991231_9999_from_a_later_build/);
    await sql`delete from kysely_migration where name = '29991231_9999_from_a_later_build'`.execute(database.db);
    expect(await migrateToLatest(database.db)).toEqual([]);
  });
});
