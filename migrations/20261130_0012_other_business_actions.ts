import { Kysely, sql } from 'kysely';

// Other business can carry actions: an action belongs to a case, or to the agenda item it was
// agreed on. Frozen: migrations never import application code.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('actions')
    .alterColumn('referral_id', (c) => c.dropNotNull())
    .execute();
  await sql`alter table actions add constraint actions_case_or_item_check
    check (referral_id is not null or agenda_item_id is not null)`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table actions drop constraint actions_case_or_item_check`.execute(db);
  await db.schema
    .alterTable('actions')
    .alterColumn('referral_id', (c) => c.setNotNull())
    .execute();
}
