import { Kysely } from 'kysely';

// An agency taken off a panel loses its research requests: they are marked withdrawn (answers kept
// for the record, shown to no one) and come back if the agency is invited again.
// Frozen: migrations never import application code.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('research_requests').addColumn('withdrawn_at', 'timestamptz').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('research_requests').dropColumn('withdrawn_at').execute();
}
