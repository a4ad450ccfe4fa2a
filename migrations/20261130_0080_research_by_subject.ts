import { Kysely, sql } from 'kysely';

// Research as the SafeLives research form asks: for each subject of the case, whether the agency
// knows them, the key risks, children in the household, safeguarding flags, and the facts held kept
// apart from the professional opinion. An answer given after the closing date is marked late.
// Frozen: migrations never import application code.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('research_requests')
    .addColumn('answered_late', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema
    .createTable('research_subject_answers')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('research_request_id', 'integer', (c) =>
      c.notNull().references('research_requests.id').onDelete('cascade'),
    )
    .addColumn('subject_id', 'integer', (c) => c.notNull().references('referral_subjects.id').onDelete('cascade'))
    .addColumn('known', 'text', (c) => c.notNull().check(sql`known in ('known', 'not-known')`))
    .addColumn('key_risks', 'text')
    .addColumn('children_in_household', 'text', (c) =>
      c.check(sql`children_in_household in ('yes', 'no', 'not-known')`),
    )
    .addColumn('safeguarding_flags', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('facts_held', 'text')
    .addColumn('professional_opinion', 'text')
    .addUniqueConstraint('research_subject_answers_request_subject', ['research_request_id', 'subject_id'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('research_subject_answers').execute();
  await db.schema.alterTable('research_requests').dropColumn('answered_late').execute();
}
