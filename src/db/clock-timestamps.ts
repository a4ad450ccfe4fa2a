import {
  ColumnNode,
  ColumnUpdateNode,
  DefaultInsertValueNode,
  InsertQueryNode,
  type Kysely,
  PrimitiveValueListNode,
  TableNode,
  UpdateQueryNode,
  ValueListNode,
  ValueNode,
  ValuesNode,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import type { Clock } from '../clock';

/**
 * The time columns the application stamps itself, by table (SQL names). The database has no
 * default for any of them: every time the application later compares comes from its Clock, so a
 * test that pins the clock sees the same "now" in the rows it wrote as in the code that reads them.
 */
export const CLOCK_STAMPED_COLUMNS: Readonly<Record<string, readonly string[]>> = Object.freeze({
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
});

function tableName(node: OperationNode | undefined): string | undefined {
  return node && TableNode.is(node) ? node.table.identifier.name : undefined;
}

function columnName(node: OperationNode): string | undefined {
  return ColumnNode.is(node) ? node.column.name : undefined;
}

/** Fills the stamped columns an insert leaves out (or leaves to DEFAULT) with the clock's time. */
function stampInsert(node: InsertQueryNode, columns: readonly string[], at: Date): InsertQueryNode {
  if (!node.values || !ValuesNode.is(node.values) || !node.columns) return node;
  const present = node.columns.map(columnName);
  const missing = columns.filter((c) => !present.includes(c));
  const stampedPositions = present.flatMap((c, i) => (c && columns.includes(c) ? [i] : []));
  const rows = node.values.values.map((row) => {
    if (PrimitiveValueListNode.is(row)) return PrimitiveValueListNode.create([...row.values, ...missing.map(() => at)]);
    const values = row.values.map((v, i) =>
      stampedPositions.includes(i) && DefaultInsertValueNode.is(v) ? ValueNode.create(at) : v,
    );
    return ValueListNode.create([...values, ...missing.map(() => ValueNode.create(at))]);
  });
  return InsertQueryNode.cloneWith(node, {
    columns: [...node.columns, ...missing.map((c) => ColumnNode.create(c))],
    values: ValuesNode.create(rows),
  });
}

/** An update of a row with `updated_at` sets it to the clock's time unless the query sets it itself. */
function stampUpdate(node: UpdateQueryNode, columns: readonly string[], at: Date): UpdateQueryNode {
  if (!columns.includes('updated_at') || !node.updates) return node;
  if (node.updates.some((u) => columnName(u.column) === 'updated_at')) return node;
  return UpdateQueryNode.cloneWithUpdates(node, [
    ColumnUpdateNode.create(ColumnNode.create('updated_at'), ValueNode.create(at)),
  ]);
}

/** Stamps inserts and updates with the application's clock. Added after the CamelCasePlugin, so it sees SQL names. */
export class ClockTimestampsPlugin implements KyselyPlugin {
  constructor(private readonly clock: Clock) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const { node } = args;
    if (InsertQueryNode.is(node)) {
      const columns = CLOCK_STAMPED_COLUMNS[tableName(node.into) ?? ''];
      return columns ? stampInsert(node, columns, this.clock.now()) : node;
    }
    if (UpdateQueryNode.is(node)) {
      const columns = CLOCK_STAMPED_COLUMNS[tableName(node.table) ?? ''];
      return columns ? stampUpdate(node, columns, this.clock.now()) : node;
    }
    return node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/** The database as the application uses it: every stamped column written from `clock`. */
export function stampedBy<DB>(db: Kysely<DB>, clock: Clock): Kysely<DB> {
  return db.withPlugin(new ClockTimestampsPlugin(clock));
}
