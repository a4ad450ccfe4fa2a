import {
  bankHolidays,
  defaultResearchClosingDate,
  isWorkingDay,
  previousWorkingDay,
  workingDaysBefore,
} from '../../src/panels/working-days';

describe('working days', () => {
  it('when a panel meets on a Thursday, then research closes on the Tuesday', () => {
    expect(defaultResearchClosingDate('2027-01-14')).toBe('2027-01-12');
  });

  it('when a panel meets on a Monday, then research closes on the Thursday before, skipping the weekend', () => {
    expect(defaultResearchClosingDate('2027-01-18')).toBe('2027-01-14');
  });

  it('when a panel meets on the Wednesday after Easter, then Good Friday and Easter Monday are skipped', () => {
    // Easter Sunday 2027 is 28 March: Good Friday 26 March, Easter Monday 29 March.
    expect(defaultResearchClosingDate('2027-03-31')).toBe('2027-03-25');
  });

  it('when Christmas falls on a Saturday, then the substitute days are the Monday and Tuesday', () => {
    const days = bankHolidays(2027);
    expect(days.has('2027-12-27')).toBe(true);
    expect(days.has('2027-12-28')).toBe(true);
    expect(isWorkingDay('2027-12-29')).toBe(true);
  });

  it('when New Year falls on a Saturday, then the Monday is a holiday', () => {
    expect(bankHolidays(2028).has('2028-01-03')).toBe(true);
    expect(bankHolidays(2028).has('2028-01-01')).toBe(false);
    expect(bankHolidays(2027).has('2027-01-01')).toBe(true);
  });

  it('when asking for the working day before a Monday, then it is the Friday', () => {
    expect(previousWorkingDay('2027-01-18')).toBe('2027-01-15');
    expect(workingDaysBefore('2027-01-18', 5)).toBe('2027-01-11');
  });

  it('when the early May and spring holidays come, then they are not working days', () => {
    expect(isWorkingDay('2027-05-03')).toBe(false);
    expect(isWorkingDay('2027-05-31')).toBe(false);
    expect(isWorkingDay('2027-08-30')).toBe(false);
    expect(isWorkingDay('2027-05-04')).toBe(true);
  });
});
