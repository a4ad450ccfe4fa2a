import { ACTION_STATUSES, ACTION_TRANSITIONS, canMoveAction, isFinal } from '../../src/actions/action-status';

describe('action status transitions an agency may make', () => {
  test.each([
    ['open', 'in-progress'],
    ['open', 'completed'],
    ['in-progress', 'completed'],
  ] as const)('when an action is %s, then its agency may report it %s', (from, to) => {
    expect(canMoveAction(from, to)).toBe(true);
  });

  test.each([
    ['open', 'not-done'],
    ['in-progress', 'not-done'],
    ['open', 'not-possible'],
    ['open', 'escalated'],
    ['in-progress', 'closed'],
  ] as const)('when an action is %s, then only a panel may record it %s', (from, to) => {
    expect(canMoveAction(from, to)).toBe(false);
  });

  test('when an action is in progress, then it cannot go back to open', () => {
    expect(canMoveAction('in-progress', 'open')).toBe(false);
  });

  test('when an action is completed, not possible, not done, escalated or closed, then it is final', () => {
    for (const from of ['completed', 'not-possible', 'not-done', 'escalated', 'closed'] as const) {
      expect(isFinal(from)).toBe(true);
      for (const to of ACTION_STATUSES) expect(canMoveAction(from, to)).toBe(false);
    }
    expect(isFinal('open')).toBe(false);
    expect(isFinal('in-progress')).toBe(false);
  });

  test('when a status is asked to move to itself, then the table refuses it (a note alone is not a transition)', () => {
    for (const s of ACTION_STATUSES) expect(ACTION_TRANSITIONS[s]).not.toContain(s);
  });
});
