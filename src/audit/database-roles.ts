/*
 * The application's own PostgreSQL role, for deployments that run the app as a role other than
 * the one that owns the tables (README, "The audit trail cannot be changed by the app's role").
 * The owner runs the migrations; the app's role may read and write every table except that it may
 * only read and add audit rows, and may delete old audit rows only through purge_audit_events,
 * which runs as the owner and checks that a second administrator approved the purge. Not being
 * the owner, it cannot drop or disable the trigger, and setting asbrac.audit_purge itself is not
 * enough: the trigger lets only the table's owner delete.
 */

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function quoted(name: string, what: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`${what} must be a plain lower-case PostgreSQL name`);
  return `"${name}"`;
}

/** The statements an owner runs once (after `npm run migrate`) to give the app's role what it needs. */
export function appRoleGrants(appRole: string, ownerRole: string, schema = 'public'): string[] {
  const app = quoted(appRole, 'The app role');
  const owner = quoted(ownerRole, 'The owner role');
  const s = quoted(schema, 'The schema');
  return [
    `grant usage on schema ${s} to ${app}`,
    `grant select, insert, update, delete on all tables in schema ${s} to ${app}`,
    `revoke update, delete, truncate, references, trigger on ${s}.audit_events from ${app}`,
    `grant usage, select on all sequences in schema ${s} to ${app}`,
    `grant execute on function ${s}.purge_audit_events(integer, timestamptz) to ${app}`,
    `alter default privileges for role ${owner} in schema ${s} grant select, insert, update, delete on tables to ${app}`,
    `alter default privileges for role ${owner} in schema ${s} grant usage, select on sequences to ${app}`,
  ];
}
