import type { ActionStatus } from '../db/schema';
import { addDays, londonDate } from '../time';

/** Statuses of an action that still has to be done. */
export const INCOMPLETE_STATUSES: readonly ActionStatus[] = ['open', 'in-progress'];

/** Actions are counted up to this many; more are shown as "more than", to be narrowed by the filters. */
export const ACTION_COUNT_CAP = 1000;

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
