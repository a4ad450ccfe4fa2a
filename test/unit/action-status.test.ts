import { ACTION_STATUSES, ACTION_TRANSITIONS, canMoveAction, isFinal } from '../../src/actions/action-status';

describe('action status transitions', () => {
  test.each([
    ['open', 'in-progress'],
    ['open', 'completed'],
    ['open', 'not-possible'],
    ['open', 'not-done'],
    ['in-progress', 'completed'],
    ['in-progress', 'not-possible'],
    ['in-progress', 'not-done'],
  ] as const)('when an action is %s, then it may become %s', (from, to) => {
    expect(canMoveAction(from, to)).toBe(true);
  });

  test('when an action is in progress, then it cannot go back to open', () => {
    expect(canMoveAction('in-progress', 'open')).toBe(false);
  });

  test('when an action is completed, not possible or not done, then it is final and no status is allowed', () => {
    for (const from of ['completed', 'not-possible', 'not-done'] as const) {
      expect(isFinal(from)).toBe(true);
      for (const to of ACTION_STATUSES) expect(canMoveAction(from, to)).toBe(false);
    }
  });

  test('when a status is asked to move to itself, then the table refuses it (a note alone is not a transition)', () => {
    for (const s of ACTION_STATUSES) expect(ACTION_TRANSITIONS[s]).not.toContain(s);
  });
});
