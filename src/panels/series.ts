import { DateTime } from 'luxon';

export const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'] as const;
export const ORDINAL_NAMES: Record<string, string> = {
  '1': 'First',
  '2': 'Second',
  '3': 'Third',
  '4': 'Fourth',
  last: 'Last',
};

export interface MonthlyRule {
  /** 1 = Monday … 5 = Friday. */
  weekday: number;
  /** 1-4, or 'last'. */
  nth: number | 'last';
  /** The first month, 'YYYY-MM'. */
  firstMonth: string;
  months: number;
}

/** "Second Tuesday", the words a chair uses for a series. */
export function ruleName(rule: Pick<MonthlyRule, 'weekday' | 'nth'>): string {
  return `${ORDINAL_NAMES[String(rule.nth)]} ${WEEKDAY_NAMES[rule.weekday - 1]} of each month`;
}

/** The dates of a monthly series ("the second Tuesday of each month for twelve months"). */
export function monthlyDates(rule: MonthlyRule): string[] {
  const start = DateTime.fromISO(`${rule.firstMonth}-01`, { zone: 'UTC' });
  const dates: string[] = [];
  for (let m = 0; m < rule.months; m += 1) {
    const month = start.plus({ months: m });
    let day: DateTime;
    if (rule.nth === 'last') {
      const last = month.endOf('month').startOf('day');
      day = last.minus({ days: (last.weekday - rule.weekday + 7) % 7 });
    } else {
      const first = month.plus({ days: (rule.weekday - month.weekday + 7) % 7 });
      day = first.plus({ weeks: rule.nth - 1 });
    }
    dates.push(day.toISODate() as string);
  }
  return dates;
}
