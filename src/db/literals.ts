import { sql } from 'kysely';

/**
 * One of the app's own constants (statuses), written into a statement instead of sent as its parameters.
 * A prepared statement's generic plan is made without its parameters' values, so only values
 * written in the text let that plan use a partial index whose predicate names them (the
 * incomplete actions' index), or the statistics of the values. Never for values a user gave.
 */
export const literal = <T extends string>(value: T) => sql.lit<T>(value);

/** Each of the constants, written into the statement (see `literal`). */
export const literals = <T extends string>(values: readonly T[]) => values.map(literal);
