import { Kysely, sql } from 'kysely';

// The draft minutes can correct the information shared and the actions as the minutes give them;
// the meeting's own record stays as it was. Frozen: migrations never import application code.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('minutes_drafts')
    .addColumn('corrections', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('minutes_drafts').dropColumn('corrections').execute();
}
