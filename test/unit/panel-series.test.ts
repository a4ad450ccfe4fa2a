import { monthlyDates, ruleName } from '../../src/panels/series';

describe('monthly panel series', () => {
  it('when the rule is the second Tuesday for twelve months, then each date is the second Tuesday', () => {
    const dates = monthlyDates({ weekday: 2, nth: 2, firstMonth: '2027-01', months: 12 });
    expect(dates).toHaveLength(12);
    expect(dates.slice(0, 3)).toEqual(['2027-01-12', '2027-02-09', '2027-03-09']);
    for (const d of dates) {
      const day = new Date(`${d}T12:00:00Z`);
      expect(day.getUTCDay()).toBe(2);
      expect(day.getUTCDate()).toBeGreaterThanOrEqual(8);
      expect(day.getUTCDate()).toBeLessThanOrEqual(14);
    }
  });

  it('when the rule is the last Friday, then the date is in the last week of each month', () => {
    expect(monthlyDates({ weekday: 5, nth: 'last', firstMonth: '2027-02', months: 3 })).toEqual([
      '2027-02-26',
      '2027-03-26',
      '2027-04-30',
    ]);
  });

  it('when the first of the month is the wanted weekday, then the first occurrence is the first', () => {
    expect(monthlyDates({ weekday: 5, nth: 1, firstMonth: '2027-01', months: 1 })).toEqual(['2027-01-01']);
  });

  it('when a rule is named, then it reads as a chair says it', () => {
    expect(ruleName({ weekday: 2, nth: 2 })).toBe('Second Tuesday of each month');
  });
});
