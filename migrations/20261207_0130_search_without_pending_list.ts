import { Kysely, sql } from 'kysely';

// A case search reads the trigram index, and with GIN's fast update also the index's pending list
// of entries not yet merged, page by page. Autovacuum merges that list only after many changes to
// referrals, so between vacuums it grows to its 4 MB limit and every search pays for reading it.
// Referrals change a few times a day and are searched all day: entries now go into the index as
// they are written. The agenda builder's check of a district's waiting cases against the other
// upcoming agendas reads the district's waiting cases by one index, not all its cases.
// Frozen: migrations never import application code.

const GIN = ['referrals_search_idx', 'referrals_subject_kinds_idx', 'case_studies_interventions_idx'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  for (const index of GIN) {
    await sql`alter index ${sql.ref(index)} set (fastupdate = off)`.execute(db);
    // What an earlier write left in the pending list is merged now.
    await sql`select gin_clean_pending_list(${index}::regclass)`.execute(db);
  }
  await db.schema
    .createIndex('referrals_district_status_idx')
    .on('referrals')
    .columns(['district_id', 'status'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('referrals_district_status_idx').execute();
  for (const index of GIN) await sql`alter index ${sql.ref(index)} reset (fastupdate)`.execute(db);
}
