import { Kysely, sql } from 'kysely';

// Case studies for the good-practice toolkit: the interventions list the administrator keeps (with
// the partnership's usual ones to start with), and the studies themselves, from draft to approval.
// Times are written by the application from its clock. Frozen: migrations never import application
// code.

const INTERVENTIONS = [
  'Warning letter',
  'Acceptable behaviour contract',
  'Community protection notice',
  'Injunction',
  'Closure order',
  'Mediation',
  'Target hardening',
  'Support referral',
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('case_study_interventions')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();
  await sql`create unique index case_study_interventions_name_idx on case_study_interventions (lower(name))`.execute(
    db,
  );
  await db
    .insertInto('case_study_interventions')
    .values(INTERVENTIONS.map((name) => ({ name })))
    .execute();

  await db.schema
    .createTable('case_studies')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('author_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('author_agency_id', 'integer', (c) => c.notNull().references('agencies.id'))
    .addColumn('source_referral_id', 'integer', (c) => c.references('referrals.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('place_type', 'text')
    .addColumn('district_id', 'integer', (c) => c.references('districts.id'))
    .addColumn('agency_ids', sql`integer[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('intervention_ids', sql`integer[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('interventions_other', 'text')
    .addColumn('what_worked', 'text')
    .addColumn('what_did_not', 'text')
    .addColumn('barriers', 'text')
    .addColumn('outcome', 'text')
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('draft', 'submitted', 'returned', 'approved')`),
    )
    .addColumn('review_comments', 'text')
    .addColumn('reviewed_by', 'integer', (c) => c.references('users.id'))
    .addColumn('reviewed_at', 'timestamptz')
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await sql`create index case_studies_library_idx on case_studies (category, reviewed_at desc) where status = 'approved'`.execute(
    db,
  );
  await sql`create index case_studies_interventions_idx on case_studies using gin (intervention_ids)`.execute(db);
  await sql`create index case_studies_author_idx on case_studies (author_id)`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('case_studies').execute();
  await db.schema.dropTable('case_study_interventions').execute();
}
