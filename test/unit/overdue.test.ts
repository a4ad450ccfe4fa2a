import { addDays, londonDate, londonWeek } from '../../src/time';
import { isOverdue, weekAhead } from '../../src/actions/overdue';

const open = (dueOn: string) => ({ status: 'open' as const, dueOn });

describe('overdue, in Europe/London calendar days', () => {
  test('when it is the due date itself, up to the last minute in London, then the action is not overdue', () => {
    expect(isOverdue(open('2026-01-15'), new Date('2026-01-15T23:59:59Z'))).toBe(false);
  });

  test('when London passes midnight after the due date in winter (GMT), then the action is overdue', () => {
    expect(isOverdue(open('2026-01-15'), new Date('2026-01-16T00:00:00Z'))).toBe(true);
  });

  test('when it is past midnight in London in summer (BST) but still the due date in UTC, then the action is already overdue', () => {
    // 23:30 UTC on 15 July is 00:30 on 16 July in London.
    expect(isOverdue(open('2026-07-15'), new Date('2026-07-15T23:30:00Z'))).toBe(true);
    expect(isOverdue(open('2026-07-15'), new Date('2026-07-15T22:59:59Z'))).toBe(false);
  });

  test('when the clocks go forward (29 March 2026), then the London day changes at 00:00 GMT before the change', () => {
    expect(londonDate(new Date('2026-03-28T23:59:59Z'))).toBe('2026-03-28');
    expect(londonDate(new Date('2026-03-29T00:30:00Z'))).toBe('2026-03-29');
    expect(isOverdue(open('2026-03-29'), new Date('2026-03-29T22:59:59Z'))).toBe(false);
    // 23:00 UTC on 29 March is midnight BST: the 30th in London.
    expect(isOverdue(open('2026-03-29'), new Date('2026-03-29T23:00:00Z'))).toBe(true);
  });

  test('when the clocks go back (25 October 2026), then 23:30 UTC the evening before is already the 25th and the day lasts 25 hours', () => {
    expect(londonDate(new Date('2026-10-24T23:30:00Z'))).toBe('2026-10-25');
    expect(isOverdue(open('2026-10-24'), new Date('2026-10-24T23:00:00Z'))).toBe(true);
    expect(isOverdue(open('2026-10-25'), new Date('2026-10-25T23:59:59Z'))).toBe(false);
    expect(isOverdue(open('2026-10-25'), new Date('2026-10-26T00:00:00Z'))).toBe(true);
  });

  test('when an action is completed, not possible or not done, then it is never overdue; in progress it can be', () => {
    const late = new Date('2026-05-01T12:00:00Z');
    for (const status of ['completed', 'not-possible', 'not-done'] as const)
      expect(isOverdue({ status, dueOn: '2026-01-01' }, late)).toBe(false);
    expect(isOverdue({ status: 'in-progress', dueOn: '2026-01-01' }, late)).toBe(true);
  });

  test('when the week ahead spans the clock change, then it is seven London calendar days', () => {
    expect(weekAhead(new Date('2026-10-22T23:30:00Z'))).toEqual({ from: '2026-10-23', to: '2026-10-29' });
    expect(addDays('2026-03-28', 1)).toBe('2026-03-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  test('when Monday starts in London while UTC is still Sunday, then a new digest week starts', () => {
    expect(londonWeek(new Date('2026-07-19T22:30:00Z'))).toBe('2026-W29');
    expect(londonWeek(new Date('2026-07-19T23:30:00Z'))).toBe('2026-W30');
  });
});
