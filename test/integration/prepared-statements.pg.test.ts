import { sql } from 'kysely';
import pg from 'pg';
import { openPostgres, type DatabaseHandle } from '../../src/db/database';
import { prepareStatements } from '../../src/db/prepared-statements';
import { createEmptyDatabase } from '../support/database';

// Prepared statements are PostgreSQL's own, per connection: this runs against TEST_DATABASE_URL.
if (!process.env.TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is required for this file');
const adminUrl = process.env.TEST_DATABASE_URL;

describe('statements sent by name on PostgreSQL', () => {
  let empty: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let database: DatabaseHandle;
  beforeAll(async () => {
    empty = await createEmptyDatabase(adminUrl);
    // One connection, so that every statement below meets the statements prepared before it.
    database = openPostgres(empty.url, 1);
    await sql`create table notes (id int primary key, body text not null)`.execute(database.db);
  });
  afterAll(async () => {
    await database?.close();
    await empty?.drop();
  });

  const prepared = async () =>
    (
      await sql<{
        statement: string;
      }>`select statement from pg_prepared_statements where statement like '%notes%'`.execute(database.db)
    ).rows.map((r) => r.statement);

  test('a statement with parameters is prepared once on its connection and answers each time with its own values', async () => {
    const { db } = database;
    for (const [id, text] of [
      [1, 'first'],
      [2, 'second'],
    ] as const)
      await sql`insert into notes (id, body) values (${id}, ${text})`.execute(db);
    const body = async (id: number) =>
      (await sql<{ body: string }>`select body from notes where id = ${id}`.execute(db)).rows[0]?.body;
    expect(await body(1)).toBe('first');
    expect(await body(2)).toBe('second');
    expect(await body(3)).toBeUndefined();
    const statements = await prepared();
    expect(statements.filter((s) => s === 'select body from notes where id = $1')).toHaveLength(1);
    expect(statements.filter((s) => s === 'insert into notes (id, body) values ($1, $2)')).toHaveLength(1);
  });

  test('statements without parameters go as they are, so that one text may hold several statements', async () => {
    const result = await sql`update notes set body = 'changed' where id = 1; select 1`.execute(database.db);
    expect(result).toBeDefined();
    expect((await sql<{ body: string }>`select body from notes where id = ${1}`.execute(database.db)).rows).toEqual([
      { body: 'changed' },
    ]);
    expect(await prepared()).not.toContain("update notes set body = 'changed' where id = 1; select 1");
  });

  test('inside a transaction a prepared statement sees the transaction, and a rollback undoes it', async () => {
    const { db } = database;
    await db
      .transaction()
      .execute(async (trx) => {
        await sql`update notes set body = ${'in the transaction'} where id = ${2}`.execute(trx);
        const seen = await sql<{ body: string }>`select body from notes where id = ${2}`.execute(trx);
        expect(seen.rows).toEqual([{ body: 'in the transaction' }]);
        throw new Error('roll back');
      })
      .catch((err: Error) => expect(err.message).toBe('roll back'));
    expect((await sql<{ body: string }>`select body from notes where id = ${2}`.execute(db)).rows).toEqual([
      { body: 'second' },
    ]);
  });

  test('when another instance adds a column under a prepared select *, the select answers with it, sent unnamed', async () => {
    const everything = async () =>
      (await sql<Record<string, unknown>>`select * from notes where id = ${2}`.execute(database.db)).rows;
    expect(await everything()).toEqual([{ id: 2, body: 'second' }]);
    const other = new pg.Client({ connectionString: empty.url });
    await other.connect();
    try {
      await other.query('alter table notes add column extra text');
    } finally {
      await other.end();
    }
    expect(await everything()).toEqual([{ id: 2, body: 'second', extra: null }]);
    expect(await everything()).toEqual([{ id: 2, body: 'second', extra: null }]);
  });

  test('past its limit a connection sends new statements unnamed, and they still answer', async () => {
    const client = new pg.Client({ connectionString: empty.url });
    await client.connect();
    try {
      prepareStatements(client as unknown as pg.PoolClient, 2);
      for (let n = 1; n <= 5; n++) {
        const { rows } = await client.query(`select $1::int + ${n} as total`, [10]);
        expect(rows).toEqual([{ total: 10 + n }]);
      }
      const { rows } = await client.query('select statement from pg_prepared_statements order by statement');
      expect(rows.map((r: { statement: string }) => r.statement)).toEqual([
        'select $1::int + 1 as total',
        'select $1::int + 2 as total',
      ]);
    } finally {
      await client.end();
    }
  });
});
