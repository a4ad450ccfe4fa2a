import type { ActionStatus } from '../db/schema';

export const ACTION_STATUSES: readonly ActionStatus[] = [
  'open',
  'in-progress',
  'completed',
  'not-possible',
  'not-done',
];

export const ACTION_STATUS_NAMES: Record<ActionStatus, string> = {
  open: 'Open',
  'in-progress': 'In progress',
  completed: 'Completed',
  'not-possible': 'Not possible: change in circumstances',
  'not-done': 'Not done by the agency',
};

export const ACTION_STATUS_TAGS: Record<ActionStatus, string> = {
  open: 'govuk-tag--blue',
  'in-progress': 'govuk-tag--light-blue',
  completed: 'govuk-tag--green',
  'not-possible': 'govuk-tag--grey',
  'not-done': 'govuk-tag--orange',
};

export const PRIORITIES = ['high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const PRIORITY_NAMES: Record<Priority, string> = { high: 'High', medium: 'Medium', low: 'Low' };

/**
 * Where an action may go from each status. Completed, not possible and not done are final: only a
 * panel carrying an action forward keeps it open (with a new due date), which is not a status change.
 */
export const ACTION_TRANSITIONS: Record<ActionStatus, readonly ActionStatus[]> = {
  open: ['in-progress', 'completed', 'not-possible', 'not-done'],
  'in-progress': ['completed', 'not-possible', 'not-done'],
  completed: [],
  'not-possible': [],
  'not-done': [],
};

export function canMoveAction(from: ActionStatus, to: ActionStatus): boolean {
  return ACTION_TRANSITIONS[from].includes(to);
}

export function isFinal(status: ActionStatus): boolean {
  return ACTION_TRANSITIONS[status].length === 0;
}

/** How a panel resolves an earlier action that is not complete when its case is reviewed. */
export const RESOLUTIONS = ['completed', 'carried-forward', 'not-possible', 'not-done'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
export const RESOLUTION_NAMES: Record<Resolution, string> = {
  completed: 'Completed',
  'carried-forward': 'Carried forward with a new due date',
  'not-possible': 'Not possible: change in circumstances',
  'not-done': 'Not done by the agency',
};
