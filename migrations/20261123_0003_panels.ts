import { Kysely, sql } from 'kysely';

// Panels and everything around one: invited agencies, the agenda and its published versions,
// research requests, attendance answers and the register, the meeting record and actions.
// Frozen: migrations never import application code.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;

  await db.schema
    .createTable('panel_series')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('district_id', 'integer', (c) => c.notNull().references('districts.id'))
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('panels')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('district_id', 'integer', (c) => c.notNull().references('districts.id'))
    .addColumn('series_id', 'integer', (c) => c.references('panel_series.id'))
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
    .addColumn('venue', 'text')
    .addColumn('online_link', 'text')
    .addColumn('chair_user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('research_closes_on', 'date', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('scheduled')
        .check(
          sql`status in ('scheduled', 'agenda-published', 'in-progress', 'concluded', 'minutes-approved', 'minutes-circulated', 'cancelled')`,
        ),
    )
    .addColumn('cancelled_reason', 'text')
    // iCalendar SEQUENCE: raised whenever the invitation's date, time, place or status changes.
    .addColumn('ics_sequence', 'integer', (c) => c.notNull().defaultTo(0))
    // The published agenda's version (0: never published); later changes make a new version.
    .addColumn('agenda_version', 'integer', (c) => c.notNull().defaultTo(0))
    // Raised by every change to the agenda, so a stale agenda form is refused.
    .addColumn('agenda_revision', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('confidentiality_statement_id', 'integer')
    .addColumn('concluded_at', 'timestamptz')
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addCheckConstraint('panels_ends_after_start', sql`ends_at > starts_at`)
    .execute();
  await db.schema
    .createIndex('panels_district_starts_idx')
    .on('panels')
    .columns(['district_id', 'starts_at'])
    .execute();
  await db.schema.createIndex('panels_status_starts_idx').on('panels').columns(['status', 'starts_at']).execute();
  await db.schema.createIndex('panels_starts_idx').on('panels').column('starts_at').execute();

  await db.schema
    .createTable('panel_invitations')
    .addColumn('panel_id', 'integer', (c) => c.notNull().references('panels.id').onDelete('cascade'))
    .addColumn('agency_id', 'integer', (c) => c.notNull().references('agencies.id'))
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`reason in ('core', 'referrer', 'added')`))
    .addColumn('invited_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('panel_invitations_pkey', ['panel_id', 'agency_id'])
    .execute();
  await db.schema
    .createIndex('panel_invitations_agency_idx')
    .on('panel_invitations')
    .columns(['agency_id', 'panel_id'])
    .execute();

  await db.schema
    .createTable('agenda_items')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('panel_id', 'integer', (c) => c.notNull().references('panels.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('review', 'new', 'anniversary', 'other-business')`),
    )
    .addColumn('referral_id', 'integer', (c) => c.references('referrals.id'))
    .addColumn('title', 'text')
    .addColumn('presenting_agency_id', 'integer', (c) => c.references('agencies.id'))
    .addColumn('minutes_allotted', 'integer', (c) => c.notNull().check(sql`minutes_allotted between 1 and 240`))
    .addColumn('involves_children', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('added_manually', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('removed_at', 'timestamptz')
    .addColumn('removed_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addCheckConstraint(
      'agenda_items_case_or_title',
      sql`(kind = 'other-business' and title is not null) or (kind <> 'other-business' and referral_id is not null)`,
    )
    .execute();
  await db.schema.createIndex('agenda_items_panel_idx').on('agenda_items').columns(['panel_id', 'position']).execute();
  await db.schema.createIndex('agenda_items_referral_idx').on('agenda_items').column('referral_id').execute();
  // No case twice on one agenda (removed items do not count).
  await sql`create unique index agenda_items_case_once on agenda_items (panel_id, referral_id) where referral_id is not null and removed_at is null`.execute(
    db,
  );

  await db.schema
    .createTable('agenda_versions')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('panel_id', 'integer', (c) => c.notNull().references('panels.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('published_at', 'timestamptz', (c) => c.notNull())
    .addColumn('published_by', 'integer', (c) => c.references('users.id'))
    .addColumn('changes', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('items', 'jsonb', (c) => c.notNull())
    .addUniqueConstraint('agenda_versions_panel_version', ['panel_id', 'version'])
    .execute();

  await db.schema
    .createTable('research_requests')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('panel_id', 'integer', (c) => c.notNull().references('panels.id').onDelete('cascade'))
    .addColumn('agenda_item_id', 'integer', (c) => c.notNull().references('agenda_items.id').onDelete('cascade'))
    .addColumn('agency_id', 'integer', (c) => c.notNull().references('agencies.id'))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('requested')
        .check(sql`status in ('requested', 'information-held', 'nothing-held')`),
    )
    .addColumn('summary', 'text')
    .addColumn('answered_by', 'integer', (c) => c.references('users.id'))
    .addColumn('answered_at', 'timestamptz')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('research_requests_item_agency', ['agenda_item_id', 'agency_id'])
    .execute();
  await db.schema
    .createIndex('research_requests_agency_idx')
    .on('research_requests')
    .columns(['agency_id', 'status', 'panel_id'])
    .execute();
  await db.schema
    .createIndex('research_requests_panel_idx')
    .on('research_requests')
    .columns(['panel_id', 'agency_id'])
    .execute();

  // Once a day per kind and subject: reminders are never sent twice, whichever instance runs the job.
  await db.schema
    .createTable('reminder_log')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject_key', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('reminder_log_pkey', ['kind', 'subject_key'])
    .execute();

  await db.schema
    .createTable('confidentiality_statements')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('version', 'integer', (c) => c.notNull().unique())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db
    .insertInto('confidentiality_statements')
    .values({
      version: 1,
      text:
        "The information discussed at this meeting is shared in confidence under the partnership's data sharing agreement, " +
        'for the purpose of reducing the risk of anti-social behaviour to the people and places on the agenda. ' +
        'It must not be shared outside this meeting, or used for any other purpose, without the agreement of the agency that provided it. ' +
        'Minutes are OFFICIAL-SENSITIVE and must be stored and sent securely. Anyone with a conflict of interest in a case must say so before it is discussed.',
    })
    .execute();

  await db.schema
    .createTable('attendance_responses')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('panel_id', 'integer', (c) => c.notNull().references('panels.id').onDelete('cascade'))
    .addColumn('agency_id', 'integer', (c) => c.notNull().references('agencies.id'))
    .addColumn('answer', 'text', (c) => c.notNull().check(sql`answer in ('attending', 'deputy', 'apologies')`))
    .addColumn('attendees', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('mode', 'text', (c) => c.check(sql`mode in ('in-person', 'online')`))
    .addColumn('deputy_name', 'text')
    .addColumn('deputy_role', 'text')
    .addColumn('apology_reason', 'text')
    .addColumn('information_in_advance', 'boolean')
    .addColumn('information_received_on', 'date')
    .addColumn('answered_by', 'integer', (c) => c.references('users.id'))
    .addColumn('answered_via', 'text', (c) => c.notNull().check(sql`answered_via in ('signed-in', 'link')`))
    .addColumn('answered_at', 'timestamptz', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addUniqueConstraint('attendance_responses_panel_agency', ['panel_id', 'agency_id'])
    .execute();

  await db.schema
    .createTable('attendance_tokens')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('panel_id', 'integer', (c) => c.notNull().references('panels.id').onDelete('cascade'))
    .addColumn('agency_id', 'integer', (c) => c.notNull().references('agencies.id'))
    .addColumn('answer', 'text', (c) => c.notNull().check(sql`answer in ('attending', 'deputy', 'apologies')`))
    // Only a hash is stored: the token itself exists only in the e-mail.
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('clinician_attendance')
    .addColumn('agenda_item_id', 'integer', (c) => c.notNull().references('agenda_items.id').onDelete('cascade'))
    .addColumn('agency_id', 'integer', (c) => c.notNull().references('agencies.id'))
    .addColumn('attending', 'boolean', (c) => c.notNull())
    .addColumn('clinician_name', 'text')
    .addColumn('updated_by', 'integer', (c) => c.references('users.id'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('clinician_attendance_pkey', ['agenda_item_id', 'agency_id'])
    .execute();

  await db.schema
    .createTable('register_entries')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('panel_id', 'integer', (c) => c.notNull().references('panels.id').onDelete('cascade'))
    .addColumn('agency_id', 'integer', (c) => c.references('agencies.id'))
    .addColumn('person_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text')
    .addColumn('is_observer', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('present', 'online', 'late', 'left-early', 'absent', 'apologies')`),
    )
    .addColumn('arrived_at', 'text')
    .addColumn('left_at', 'text')
    .addColumn('confidentiality_agreed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('confidentiality_statement_id', 'integer', (c) => c.references('confidentiality_statements.id'))
    .addColumn('agreed_at', 'timestamptz')
    .addColumn('recorded_by', 'integer', (c) => c.references('users.id'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createIndex('register_entries_panel_idx')
    .on('register_entries')
    .columns(['panel_id', 'agency_id'])
    .execute();

  await db.schema
    .createTable('meeting_records')
    .addColumn('agenda_item_id', 'integer', (c) => c.primaryKey().references('agenda_items.id').onDelete('cascade'))
    .addColumn('discussion', 'text')
    .addColumn('risk_level', 'text', (c) => c.check(sql`risk_level in ('high', 'medium', 'low')`))
    .addColumn('decision', 'text', (c) => c.check(sql`decision in ('review', 'close', 'escalate', 'deferred')`))
    .addColumn('close_reason', 'text', (c) =>
      c.check(sql`close_reason in ('risk-reduced', 'moved-away', 'other-process', 'other')`),
    )
    .addColumn('escalate_to', 'text', (c) =>
      c.check(sql`escalate_to in ('marac', 'mappa', 'adult-safeguarding', 'child-safeguarding', 'other')`),
    )
    .addColumn('decision_note', 'text')
    .addColumn('next_review_on', 'date')
    .addColumn('deferred_reason', 'text')
    .addColumn('discussed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('updated_by', 'integer', (c) => c.references('users.id'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('shared_information')
    .addColumn('agenda_item_id', 'integer', (c) => c.notNull().references('agenda_items.id').onDelete('cascade'))
    .addColumn('agency_id', 'integer', (c) => c.notNull().references('agencies.id'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('shared_information_pkey', ['agenda_item_id', 'agency_id'])
    .execute();

  await db.schema
    .createTable('actions')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('referral_id', 'integer', (c) => c.notNull().references('referrals.id'))
    .addColumn('panel_id', 'integer', (c) => c.notNull().references('panels.id'))
    .addColumn('agenda_item_id', 'integer', (c) => c.references('agenda_items.id'))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('owner_agency_id', 'integer', (c) => c.notNull().references('agencies.id'))
    .addColumn('owner_name', 'text')
    .addColumn('due_on', 'date', (c) => c.notNull())
    .addColumn('priority', 'text', (c) =>
      c
        .notNull()
        .defaultTo('medium')
        .check(sql`priority in ('high', 'medium', 'low')`),
    )
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('open')
        .check(sql`status in ('open', 'in-progress', 'completed', 'not-possible', 'not-done')`),
    )
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('closed_at', 'timestamptz')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .createIndex('actions_owner_idx')
    .on('actions')
    .columns(['owner_agency_id', 'status', 'due_on'])
    .execute();
  await db.schema.createIndex('actions_referral_idx').on('actions').columns(['referral_id', 'status']).execute();
  await db.schema.createIndex('actions_panel_idx').on('actions').column('panel_id').execute();
  await db.schema.createIndex('actions_status_due_idx').on('actions').columns(['status', 'due_on']).execute();

  await db.schema
    .createTable('action_updates')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('action_id', 'integer', (c) => c.notNull().references('actions.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.references('users.id'))
    .addColumn('panel_id', 'integer', (c) => c.references('panels.id'))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text')
    .addColumn('note', 'text')
    .addColumn('new_due_on', 'date')
    .execute();
  await db.schema.createIndex('action_updates_action_idx').on('action_updates').columns(['action_id', 'at']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'action_updates',
    'actions',
    'shared_information',
    'meeting_records',
    'register_entries',
    'clinician_attendance',
    'attendance_tokens',
    'attendance_responses',
    'confidentiality_statements',
    'reminder_log',
    'research_requests',
    'agenda_versions',
    'agenda_items',
    'panel_invitations',
    'panels',
    'panel_series',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
