import { Kysely, sql } from 'kysely';

// Retention: one row of settings (how long closed cases and audit rows are kept) and the marker of
// an anonymised case. Frozen: migrations never import application code.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('retention_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('closed_case_years', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(6)
        .check(sql`closed_case_years between 1 and 50`),
    )
    .addColumn('audit_years', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(2)
        .check(sql`audit_years between 1 and 50`),
    )
    .addColumn('updated_by', 'integer', (c) => c.references('users.id'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.insertInto('retention_settings').values({ id: 1 }).execute();

  await db.schema.alterTable('referrals').addColumn('anonymised_at', 'timestamptz').execute();
  // The job looks for closed cases not yet anonymised, oldest closure first.
  await sql`create index referrals_retention_idx on referrals (closed_at) where status = 'closed' and anonymised_at is null`.execute(
    db,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index referrals_retention_idx`.execute(db);
  await db.schema.alterTable('referrals').dropColumn('anonymised_at').execute();
  await db.schema.dropTable('retention_settings').execute();
}
