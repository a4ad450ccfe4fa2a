import { Kysely, sql } from 'kysely';

// The case list counts the cases a user may see, up to its cap, in its own order. Whether a case
// is visible depends on its status and referring agency, which the order's index did not hold, so
// the count read each case's row as well: at a million cases, a thousand scattered pages for every
// list shown. The index now carries both, and the count is read from the index alone.
// Frozen: migrations never import application code.

const ORDER = sql.raw('submitted_at desc nulls last, id desc');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index referrals_submitted_idx`.execute(db);
  await sql`create index referrals_submitted_idx on referrals (${ORDER}) include (status, referring_agency_id)`.execute(
    db,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index referrals_submitted_idx`.execute(db);
  await sql`create index referrals_submitted_idx on referrals (${ORDER})`.execute(db);
}
