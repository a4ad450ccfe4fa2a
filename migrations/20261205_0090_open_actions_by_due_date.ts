import { Kysely, sql } from 'kysely';

// The actions list shows the incomplete actions soonest due first, a page at a time: this index
// holds just those, in that order, so a page reads its 50 rows however many actions the
// partnership has completed over the years.
// Frozen: migrations never import application code.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('actions_incomplete_due_idx')
    .on('actions')
    .columns(['due_on', 'id'])
    .where(sql.ref('status'), 'in', ['open', 'in-progress'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('actions_incomplete_due_idx').execute();
}
