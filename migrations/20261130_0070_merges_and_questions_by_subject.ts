import { Kysely, sql } from 'kysely';

// Screening can merge a duplicate referral into the case it repeats: the duplicate is kept, with
// its subjects, incidents and timeline, as "merged" and points at the case it joined.
// The risk matrix asks its own questions about victims, perpetrators and locations, each kind
// with its own high-risk threshold: the questions asked so far are about victims, and the new
// thresholds start as the old one.
// Frozen: migrations never import application code.

const STATUSES = `'draft', 'submitted', 'more-information-requested', 'rejected', 'awaiting-panel', 'active', 'closed'`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table referrals drop constraint referrals_status_check`.execute(db);
  await sql
    .raw(`alter table referrals add constraint referrals_status_check check (status in (${STATUSES}, 'merged'))`)
    .execute(db);
  await db.schema
    .alterTable('referrals')
    .addColumn('merged_into_id', 'integer', (c) => c.references('referrals.id'))
    .execute();
  await sql`create index referrals_merged_into_idx on referrals (merged_into_id) where merged_into_id is not null`.execute(
    db,
  );

  await db.schema
    .alterTable('risk_questions')
    .addColumn('subject_kind', 'text', (c) =>
      c
        .notNull()
        .defaultTo('victim')
        .check(sql`subject_kind in ('victim', 'perpetrator', 'location')`),
    )
    .execute();
  await db.schema
    .alterTable('risk_matrix_versions')
    .addColumn('perpetrator_threshold', 'integer', (c) => c.check(sql`perpetrator_threshold > 0`))
    .addColumn('location_threshold', 'integer', (c) => c.check(sql`location_threshold > 0`))
    .execute();
  await sql`update risk_matrix_versions set perpetrator_threshold = threshold, location_threshold = threshold`.execute(
    db,
  );
  await sql`alter table risk_matrix_versions alter column perpetrator_threshold set not null,
    alter column location_threshold set not null`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('risk_matrix_versions').dropColumn('perpetrator_threshold').execute();
  await db.schema.alterTable('risk_matrix_versions').dropColumn('location_threshold').execute();
  await db.schema.alterTable('risk_questions').dropColumn('subject_kind').execute();
  await db.schema.alterTable('referrals').dropColumn('merged_into_id').execute();
  await sql`alter table referrals drop constraint referrals_status_check`.execute(db);
  await sql
    .raw(`alter table referrals add constraint referrals_status_check check (status in (${STATUSES}))`)
    .execute(db);
}
