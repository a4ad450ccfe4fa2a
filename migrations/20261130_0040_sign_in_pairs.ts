import { Kysely } from 'kysely';

// Sign-in throttling by account and address: the addresses each account has signed in from, so
// that failures spread across many addresses cannot lock the owner out from a familiar one; and
// an index for counting one pair's failures. Frozen: migrations never import application code.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sign_in_addresses')
    .addColumn('account_key', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('last_signed_in_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('sign_in_addresses_pkey', ['account_key', 'ip'])
    .execute();
  await db.schema
    .createIndex('login_failures_pair_idx')
    .on('login_failures')
    .columns(['account_key', 'ip', 'at'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('login_failures_pair_idx').execute();
  await db.schema.dropTable('sign_in_addresses').execute();
}
