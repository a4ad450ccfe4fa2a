import type pg from 'pg';

/** The statements a connection keeps prepared: the app's pages send a few hundred different ones. */
export const PREPARED_PER_CONNECTION = 400;

/** PostgreSQL's answer to a prepared `select *` whose table has gained or lost columns since. */
const RESULT_TYPE_CHANGED = '0A000';
const UNNAMED = '';

type Query = (...args: unknown[]) => unknown;

/**
 * Sends each statement with parameters by name, so that PostgreSQL parses it once per connection
 * and may keep a generic plan for it, instead of parsing and planning it again on every request
 * (two thirds of a page's statement time when sent unnamed). Statements without parameters go as
 * they are: they may hold several statements, which only the simple protocol takes. Each
 * connection prepares at most `limit` different statements; past that, new ones go unnamed. A
 * statement whose result columns changed under it (another instance migrating) is sent again
 * unnamed, and unnamed from then on.
 */
export function prepareStatements(client: pg.PoolClient, limit = PREPARED_PER_CONNECTION): void {
  const names = new Map<string, string>();
  const query = client.query.bind(client) as Query;
  client.query = ((text: unknown, values?: unknown, callback?: unknown) => {
    if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0) return query(text, values, callback);
    let name = names.get(text);
    if (name === undefined) {
      if (names.size >= limit) return query(text, values, callback);
      name = `asbrac_${names.size + 1}`;
      names.set(text, name);
    }
    if (name === UNNAMED) return query(text, values, callback);
    const named = query({ name, text, values }, callback);
    if (!(named instanceof Promise)) return named;
    return named.catch((err: unknown) => {
      if ((err as { code?: string }).code !== RESULT_TYPE_CHANGED) throw err;
      names.set(text, UNNAMED);
      return query(text, values);
    });
  }) as typeof client.query;
}
