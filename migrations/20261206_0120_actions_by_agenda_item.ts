import { Kysely } from 'kysely';

// The meeting item lists the actions agreed on it, by its agenda item; deleting an agenda item
// removes them by the same key.
// Frozen: migrations never import application code.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('actions_agenda_item_idx').on('actions').column('agenda_item_id').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('actions_agenda_item_idx').execute();
}
