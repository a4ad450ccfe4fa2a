import { Kysely } from 'kysely';

// The reports count the cases escalated at the panels of a period, and leave out the deferred
// items: both find the meeting records of one decision, by this index.
// Frozen: migrations never import application code.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('meeting_records_decision_idx')
    .on('meeting_records')
    .columns(['decision', 'agenda_item_id'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('meeting_records_decision_idx').execute();
}
