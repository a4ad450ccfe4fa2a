import { sql } from 'kysely';
import { CLOCK_STAMPED_COLUMNS } from '../../src/db/clock-timestamps';
import { createTestContext, type TestContext } from '../support/context';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2031-05-06T07:08:09Z' });
});
afterAll(() => ctx.close());

describe('times come from the application clock, never the database', () => {
  test('no time column of the schema takes its default from the database clock', async () => {
    const { rows } = await sql<{ tableName: string; columnName: string }>`
      select table_name, column_name from information_schema.columns
       where table_schema = 'public' and (column_default ilike '%now()%' or column_default ilike '%current_timestamp%')`.execute(
      ctx.db,
    );
    expect(rows).toEqual([]);
  });

  test('every stamped column exists and has no default', async () => {
    // The application's database turns the result's snake_case names into camelCase.
    const { rows } = await sql<{ tableName: string; columnName: string; columnDefault: string | null }>`
      select table_name, column_name, column_default from information_schema.columns where table_schema = 'public'`.execute(
      ctx.db,
    );
    for (const [table, columns] of Object.entries(CLOCK_STAMPED_COLUMNS)) {
      for (const column of columns) {
        expect(rows.find((r) => r.tableName === table && r.columnName === column)).toEqual({
          tableName: table,
          columnName: column,
          columnDefault: null,
        });
      }
    }
  });

  test('when a row is inserted without its times, then they are the clock’s time', async () => {
    const row = await ctx.db
      .insertInto('loginFailures')
      .values({ accountKey: 'nobody@example.org', ip: '127.0.0.1' })
      .returning(['at'])
      .executeTakeFirstOrThrow();
    expect(row.at).toEqual(new Date('2031-05-06T07:08:09Z'));
    const district = await ctx.db.selectFrom('districts').select('id').executeTakeFirstOrThrow();
    const chair = await ctx.db.selectFrom('users').select('id').where('role', '=', 'chair').executeTakeFirstOrThrow();
    const panel = await ctx.db
      .insertInto('panels')
      .values({
        districtId: district.id,
        startsAt: new Date('2031-06-01T09:00:00Z'),
        endsAt: new Date('2031-06-01T11:30:00Z'),
        chairUserId: chair.id,
        researchClosesOn: '2031-05-28',
        venue: 'Town hall',
      })
      .returning(['id', 'createdAt', 'updatedAt'])
      .executeTakeFirstOrThrow();
    expect(panel).toMatchObject({
      createdAt: new Date('2031-05-06T07:08:09Z'),
      updatedAt: new Date('2031-05-06T07:08:09Z'),
    });

    ctx.clock.advance(60_000);
    const updated = await ctx.db
      .updateTable('panels')
      .set({ venue: 'Civic centre' })
      .where('id', '=', panel.id)
      .returning(['createdAt', 'updatedAt'])
      .executeTakeFirstOrThrow();
    expect(updated).toEqual({
      createdAt: new Date('2031-05-06T07:08:09Z'),
      updatedAt: new Date('2031-05-06T07:09:09Z'),
    });
  });

  test('when several rows are inserted and only some give a time, then the others take the clock’s', async () => {
    const given = new Date('2030-01-01T00:00:00Z');
    const rows = await ctx.db
      .insertInto('loginFailures')
      .values([
        { accountKey: 'a@example.org', ip: '127.0.0.1', at: given },
        { accountKey: 'b@example.org', ip: '127.0.0.1' },
      ])
      .returning(['accountKey', 'at'])
      .execute();
    expect(rows).toEqual([
      { accountKey: 'a@example.org', at: given },
      { accountKey: 'b@example.org', at: ctx.clock.now() },
    ]);
  });
});
