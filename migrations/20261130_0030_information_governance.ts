import { Kysely, sql } from 'kysely';

// Information governance: appraisal before destruction (reviews and destruction certificates),
// outbox bodies cleared after sending, subject access requests, and audit purges that need a
// second administrator and cannot be done by the application's own database role.
// Frozen: migrations never import application code.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('retention_settings')
    .addColumn('outbox_body_days', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(30)
        .check(sql`outbox_body_days between 1 and 3650`),
    )
    .execute();
  await db.schema.alterTable('outbox').addColumn('body_cleared_at', 'timestamptz').execute();
  await sql`create index outbox_body_clearing_idx on outbox (sent_at) where status = 'sent' and body_cleared_at is null`.execute(
    db,
  );

  await db.schema
    .createTable('retention_reviews')
    .addColumn('referral_id', 'integer', (c) => c.primaryKey().references('referrals.id'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('due', 'extended', 'held', 'destroyed')`))
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('keep_until', 'timestamptz')
    .addColumn('reason', 'text')
    .addColumn('held_since', 'timestamptz')
    .addColumn('listed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_by', 'integer', (c) => c.references('users.id'))
    .addColumn('decided_at', 'timestamptz')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('retention_reviews_status_idx').on('retention_reviews').column('status').execute();

  await db.schema
    .createTable('destruction_certificates')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('referral_id', 'integer', (c) => c.notNull().unique().references('referrals.id'))
    .addColumn('case_reference', 'text')
    .addColumn('district_id', 'integer', (c) => c.references('districts.id'))
    .addColumn('closed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('retention_years', 'integer', (c) => c.notNull())
    .addColumn('stores', 'jsonb', (c) => c.notNull())
    .addColumn('approved_by', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('destroyed_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('retention_approvals')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('audit-years', 'audit-purge')`))
    .addColumn('audit_years', 'integer', (c) => c.check(sql`audit_years between 1 and 50`))
    .addColumn('purge_before', 'timestamptz')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'approved', 'refused', 'withdrawn')`),
    )
    .addColumn('requested_by', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_by', 'integer', (c) => c.references('users.id'))
    .addColumn('decided_at', 'timestamptz')
    .addColumn('executed_at', 'timestamptz')
    .addColumn('deleted_count', 'integer')
    .addCheckConstraint('retention_approvals_two_people', sql`decided_by is null or decided_by <> requested_by`)
    .execute();

  await db.schema
    .createTable('subject_access_requests')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('subject_name', 'text', (c) => c.notNull())
    .addColumn('received_on', 'date', (c) => c.notNull())
    .addColumn('due_on', 'date', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('open')
        .check(sql`status in ('open', 'completed', 'withdrawn')`),
    )
    .addColumn('completed_on', 'date')
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  // Only the table's owner may delete audit rows, and only with the purge flag set: the application's
  // own role (see the README) can set the flag but is not the owner, so it can delete only through
  // purge_audit_events, which runs as the owner and checks that a second administrator approved.
  await sql`
    create or replace function audit_events_append_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE'
        and current_setting('asbrac.audit_purge', true) = 'on'
        and current_user = (select pg_get_userbyid(c.relowner) from pg_class c where c.oid = tg_relid)
      then
        return old;
      end if;
      raise exception 'audit_events is append-only';
    end $$`.execute(db);
  await sql`
    create trigger audit_events_no_truncate before truncate on audit_events
    for each statement execute function audit_events_append_only()`.execute(db);
  await sql`
    create function purge_audit_events(p_approval integer, p_at timestamptz) returns integer
    language plpgsql security definer set search_path from current as $$
    declare
      a retention_approvals%rowtype;
      deleted integer;
    begin
      select * into a from retention_approvals where id = p_approval for update;
      if not found or a.kind <> 'audit-purge' or a.status <> 'approved' or a.executed_at is not null
        or a.decided_by is null or a.decided_by = a.requested_by or a.purge_before is null then
        raise exception 'audit purge % is not approved by a second administrator', p_approval;
      end if;
      perform set_config('asbrac.audit_purge', 'on', true);
      delete from audit_events where at < a.purge_before;
      get diagnostics deleted = row_count;
      perform set_config('asbrac.audit_purge', 'off', true);
      update retention_approvals set executed_at = p_at, deleted_count = deleted where id = p_approval;
      return deleted;
    end $$`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function purge_audit_events(integer, timestamptz)`.execute(db);
  await sql`drop trigger audit_events_no_truncate on audit_events`.execute(db);
  await sql`
    create or replace function audit_events_append_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' and current_setting('asbrac.audit_purge', true) = 'on' then
        return old;
      end if;
      raise exception 'audit_events is append-only';
    end $$`.execute(db);
  await db.schema.dropTable('subject_access_requests').execute();
  await db.schema.dropTable('retention_approvals').execute();
  await db.schema.dropTable('destruction_certificates').execute();
  await db.schema.dropTable('retention_reviews').execute();
  await sql`drop index outbox_body_clearing_idx`.execute(db);
  await db.schema.alterTable('outbox').dropColumn('body_cleared_at').execute();
  await db.schema.alterTable('retention_settings').dropColumn('outbox_body_days').execute();
}
