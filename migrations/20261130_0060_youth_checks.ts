import { Kysely, sql } from 'kysely';

// Young-person checks: the first point of contact for youth checks (a user of an agency, designated
// by administrators, like the single point of contact), the checks asked of it and answered, and one
// row of settings (working days to answer, months kept after the answer). Times are written by the
// application from its clock, so no time column has a default. Frozen: migrations never import
// application code.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('agencies')
    .addColumn('youth_check_contact_user_id', 'integer', (c) => c.references('users.id'))
    .execute();

  await db.schema
    .createTable('youth_check_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('due_working_days', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(2)
        .check(sql`due_working_days between 1 and 20`),
    )
    .addColumn('retention_months', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(12)
        .check(sql`retention_months between 1 and 120`),
    )
    .addColumn('updated_by', 'integer', (c) => c.references('users.id'))
    .addColumn('updated_at', 'timestamptz')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.insertInto('youth_check_settings').values({ id: 1 }).execute();

  await db.schema
    .createTable('youth_checks')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('requested_by', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('requester_agency_id', 'integer', (c) => c.notNull().references('agencies.id'))
    .addColumn('district_id', 'integer', (c) => c.notNull().references('districts.id'))
    // Personal data: null once the retention period after the answer has passed.
    .addColumn('young_person_name', 'text')
    .addColumn('date_of_birth', 'date')
    .addColumn('address', 'text')
    .addColumn('concern', 'text')
    .addColumn('case_reference', 'text')
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
    .addColumn('due_on', 'date', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('requested', 'answered')`))
    .addColumn('known_to_youth_offending', 'boolean')
    .addColumn('known_to_childrens_services', 'boolean')
    .addColumn('lead_professional_name', 'text')
    .addColumn('lead_professional_agency', 'text')
    .addColumn('lead_professional_contact', 'text')
    .addColumn('answer_note', 'text')
    .addColumn('answered_by', 'integer', (c) => c.references('users.id'))
    .addColumn('answered_at', 'timestamptz')
    .addColumn('referral_id', 'integer', (c) => c.references('referrals.id'))
    .addColumn('cleared_at', 'timestamptz')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await sql`create index youth_checks_open_idx on youth_checks (due_on) where status = 'requested'`.execute(db);
  await sql`create index youth_checks_requester_idx on youth_checks (requested_by, requested_at desc)`.execute(db);
  await sql`create index youth_checks_retention_idx on youth_checks (coalesce(answered_at, requested_at)) where cleared_at is null`.execute(
    db,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('youth_checks').execute();
  await db.schema.dropTable('youth_check_settings').execute();
  await db.schema.alterTable('agencies').dropColumn('youth_check_contact_user_id').execute();
}
