import { Kysely, sql } from 'kysely';

// Every time the application later compares is written by the application from its own clock, so
// the database's now() is no longer the default of any of these columns: an insert that leaves one
// out fails instead of taking the database server's time. Frozen: migrations never import
// application code.
const STAMPED: Record<string, string[]> = {
  agencies: ['created_at', 'updated_at'],
  users: ['password_changed_at', 'created_at', 'updated_at'],
  login_failures: ['at'],
  audit_events: ['at'],
  outbox: ['next_attempt_at', 'created_at'],
  risk_matrix_versions: ['created_at'],
  referrals: ['created_at', 'updated_at'],
  referral_links: ['created_at'],
  panel_series: ['created_at'],
  panels: ['created_at', 'updated_at'],
  panel_invitations: ['invited_at'],
  agenda_items: ['created_at'],
  research_requests: ['created_at'],
  reminder_log: ['sent_at'],
  confidentiality_statements: ['created_at'],
  attendance_tokens: ['created_at'],
  clinician_attendance: ['updated_at'],
  register_entries: ['created_at'],
  meeting_records: ['updated_at'],
  actions: ['created_at'],
  minutes_drafts: ['updated_at'],
  minutes_copies: ['created_at'],
  retention_settings: ['updated_at'],
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  for (const [table, columns] of Object.entries(STAMPED)) {
    for (const column of columns) {
      await db.schema
        .alterTable(table)
        .alterColumn(column, (c) => c.dropDefault())
        .execute();
    }
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function down(db: Kysely<any>): Promise<void> {
  for (const [table, columns] of Object.entries(STAMPED)) {
    for (const column of columns) {
      await db.schema
        .alterTable(table)
        .alterColumn(column, (c) => c.setDefault(sql`now()`))
        .execute();
    }
  }
}
