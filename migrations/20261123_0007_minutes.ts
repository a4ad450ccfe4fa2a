import { Kysely, sql } from 'kysely';

// Minutes: the editable draft of a concluded panel, the approved (frozen) versions with their PDF,
// the per-agency copies made for circulation, and one delivery row per e-mail sent.
// Frozen: migrations never import application code.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;

  await db.schema
    .createTable('minutes_drafts')
    .addColumn('panel_id', 'integer', (c) => c.primaryKey().references('panels.id').onDelete('cascade'))
    .addColumn('introduction', 'text')
    .addColumn('other_business', 'text')
    // { "<agenda item id>": "summary that replaces the recorded discussion" }
    .addColumn('item_summaries', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('updated_by', 'integer', (c) => c.references('users.id'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('minutes_versions')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('panel_id', 'integer', (c) => c.notNull().references('panels.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('content', 'jsonb', (c) => c.notNull())
    // Null only for seeded versions, printed and stored on their first download.
    .addColumn('pdf', 'bytea')
    .addColumn('pdf_sha256', 'text')
    .addColumn('correction_reason', 'text')
    .addColumn('approved_by', 'integer', (c) => c.references('users.id'))
    .addColumn('approved_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('minutes_versions_panel_version', ['panel_id', 'version'])
    .execute();

  // The copy printed for one recipient agency, stored so that what was sent can be served again byte
  // for byte. Null bytes only for seeded copies, printed and stored on their first request.
  await db.schema
    .createTable('minutes_copies')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('minutes_version_id', 'integer', (c) =>
      c.notNull().references('minutes_versions.id').onDelete('cascade'),
    )
    .addColumn('agency_id', 'integer', (c) => c.notNull().references('agencies.id'))
    .addColumn('pdf', 'bytea')
    .addColumn('pdf_sha256', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('minutes_copies_version_agency', ['minutes_version_id', 'agency_id'])
    .execute();

  await db.schema
    .createTable('minutes_circulations')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('panel_id', 'integer', (c) => c.notNull().references('panels.id').onDelete('cascade'))
    .addColumn('minutes_version_id', 'integer', (c) => c.notNull().references('minutes_versions.id'))
    .addColumn('circulated_by', 'integer', (c) => c.references('users.id'))
    .addColumn('circulated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  // One row per e-mail: a resend adds a row for the same recipient, pointing at its new outbox message.
  await db.schema
    .createTable('minutes_deliveries')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('circulation_id', 'integer', (c) =>
      c.notNull().references('minutes_circulations.id').onDelete('cascade'),
    )
    .addColumn('panel_id', 'integer', (c) => c.notNull().references('panels.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('agency_id', 'integer', (c) => c.notNull().references('agencies.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('copy_id', 'integer', (c) => c.notNull().references('minutes_copies.id'))
    // The hash of the copy attached: what was sent, checkable against the stored copy.
    .addColumn('pdf_sha256', 'text')
    .addColumn('outbox_id', 'bigint', (c) => c.notNull().references('outbox.id'))
    .addColumn('resend_of', 'integer', (c) => c.references('minutes_deliveries.id'))
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('minutes_deliveries_panel_idx')
    .on('minutes_deliveries')
    .columns(['panel_id', 'user_id'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'minutes_deliveries',
    'minutes_circulations',
    'minutes_copies',
    'minutes_versions',
    'minutes_drafts',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
