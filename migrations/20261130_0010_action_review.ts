import { Kysely, sql } from 'kysely';

// Reviewing an earlier action at a panel records the outcome, the reason it was not completed and
// what happens next; an action can end escalated, or closed by the panel for another reason.
// Frozen: migrations never import application code.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table actions drop constraint actions_status_check`.execute(db);
  await sql`alter table actions add constraint actions_status_check check (status in
    ('open', 'in-progress', 'completed', 'not-possible', 'not-done', 'escalated', 'closed'))`.execute(db);
  await db.schema
    .alterTable('action_updates')
    .addColumn('review_outcome', 'text', (c) => c.check(sql`review_outcome in ('completed', 'not-completed')`))
    .addColumn('review_reason', 'text', (c) => c.check(sql`review_reason in ('not-possible', 'not-done', 'other')`))
    .addColumn('review_reason_text', 'text')
    .addColumn('next_step', 'text', (c) => c.check(sql`next_step in ('carry-forward', 'escalate', 'close')`))
    .addColumn('escalated_to', 'text')
    .addColumn('new_owner_agency_id', 'integer', (c) => c.references('agencies.id'))
    .addColumn('new_owner_name', 'text')
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const column of [
    'review_outcome',
    'review_reason',
    'review_reason_text',
    'next_step',
    'escalated_to',
    'new_owner_agency_id',
    'new_owner_name',
  ])
    await db.schema.alterTable('action_updates').dropColumn(column).execute();
  await sql`alter table actions drop constraint actions_status_check`.execute(db);
  await sql`alter table actions add constraint actions_status_check check (status in
    ('open', 'in-progress', 'completed', 'not-possible', 'not-done'))`.execute(db);
}
