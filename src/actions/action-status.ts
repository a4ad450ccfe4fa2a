import type { ActionStatus } from '../db/schema';

export const ACTION_STATUSES: readonly ActionStatus[] = [
  'open',
  'in-progress',
  'completed',
  'not-possible',
  'not-done',
  'escalated',
  'closed',
];

export const ACTION_STATUS_NAMES: Record<ActionStatus, string> = {
  open: 'Open',
  'in-progress': 'In progress',
  completed: 'Completed',
  'not-possible': 'Not possible: change in circumstances',
  'not-done': 'Not done by the agency',
  escalated: 'Escalated',
  closed: 'Closed by the panel',
};

export const ACTION_STATUS_TAGS: Record<ActionStatus, string> = {
  open: 'govuk-tag--blue',
  'in-progress': 'govuk-tag--light-blue',
  completed: 'govuk-tag--green',
  'not-possible': 'govuk-tag--grey',
  'not-done': 'govuk-tag--orange',
  escalated: 'govuk-tag--purple',
  closed: 'govuk-tag--grey',
};

export const PRIORITIES = ['high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const PRIORITY_NAMES: Record<Priority, string> = { high: 'High', medium: 'Medium', low: 'Low' };

/**
 * Where an agency may move its own action: it reports progress and completion. Only a panel, when it
 * reviews the action, records that it was not possible, not done by the agency, escalated or closed
 * (see action-review.ts); those, and completed, are final.
 */
export const ACTION_TRANSITIONS: Record<ActionStatus, readonly ActionStatus[]> = {
  open: ['in-progress', 'completed'],
  'in-progress': ['completed'],
  completed: [],
  'not-possible': [],
  'not-done': [],
  escalated: [],
  closed: [],
};

export function canMoveAction(from: ActionStatus, to: ActionStatus): boolean {
  return ACTION_TRANSITIONS[from].includes(to);
}

export function isFinal(status: ActionStatus): boolean {
  return ACTION_TRANSITIONS[status].length === 0;
}
