import { DateTime } from 'luxon';
import type { ActionStatus } from '../db/schema';
import { ZONE } from '../views/dates';

/** Statuses of an action that still has to be done. */
export const INCOMPLETE_STATUSES: readonly ActionStatus[] = ['open', 'in-progress'];

/** The calendar date in Europe/London at this instant: due dates are London calendar days. */
export function londonDate(now: Date): string {
  return DateTime.fromJSDate(now).setZone(ZONE).toISODate() as string;
}

/** A calendar date moved by a number of days, as a calendar date ('YYYY-MM-DD'). */
export function addDays(iso: string, days: number): string {
  return DateTime.fromISO(iso, { zone: 'UTC' }).plus({ days }).toISODate() as string;
}

/**
 * Overdue is worked out, never stored: an action is overdue from the London day after its due
 * date, for as long as it is still open or in progress.
 */
export function isOverdue(action: { status: ActionStatus; dueOn: string }, now: Date): boolean {
  return INCOMPLETE_STATUSES.includes(action.status) && action.dueOn < londonDate(now);
}

/** Today and the six days after it, in London: what "due this week" means on the actions list. */
export function weekAhead(now: Date): { from: string; to: string } {
  const from = londonDate(now);
  return { from, to: addDays(from, 6) };
}

/** The ISO week (e.g. '2026-W13') of the London date: weekly digests are sent once in each. */
export function londonWeek(now: Date): string {
  return DateTime.fromJSDate(now).setZone(ZONE).toFormat("kkkk-'W'WW");
}
