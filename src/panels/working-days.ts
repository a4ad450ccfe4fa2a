import { DateTime } from 'luxon';

/**
 * Working days in England: Monday to Friday, less the bank holidays. Research closing dates and
 * reminders count in working days, so that a deadline never lands on a day nobody is at work.
 */

function iso(year: number, month: number, day: number): string {
  return DateTime.fromObject({ year, month, day }, { zone: 'UTC' }).toISODate() as string;
}

/** Easter Sunday (the anonymous Gregorian algorithm). */
function easterSunday(year: number): DateTime {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return DateTime.fromObject({ year, month, day }, { zone: 'UTC' });
}

function firstMonday(year: number, month: number): DateTime {
  const first = DateTime.fromObject({ year, month, day: 1 }, { zone: 'UTC' });
  return first.plus({ days: (8 - first.weekday) % 7 });
}

function lastMonday(year: number, month: number): DateTime {
  const last = DateTime.fromObject({ year, month, day: 1 }, { zone: 'UTC' }).endOf('month').startOf('day');
  return last.minus({ days: (last.weekday + 6) % 7 });
}

const cache = new Map<number, Set<string>>();

/** England and Wales bank holidays of a year, with weekend substitutes; one-off holidays are not included. */
export function bankHolidays(year: number): Set<string> {
  const known = cache.get(year);
  if (known) return known;
  const days = new Set<string>();
  const newYear = DateTime.fromObject({ year, month: 1, day: 1 }, { zone: 'UTC' });
  days.add(
    (newYear.weekday === 6
      ? newYear.plus({ days: 2 })
      : newYear.weekday === 7
        ? newYear.plus({ days: 1 })
        : newYear
    ).toISODate() as string,
  );
  const easter = easterSunday(year);
  days.add(easter.minus({ days: 2 }).toISODate() as string);
  days.add(easter.plus({ days: 1 }).toISODate() as string);
  days.add(firstMonday(year, 5).toISODate() as string);
  days.add(lastMonday(year, 5).toISODate() as string);
  days.add(lastMonday(year, 8).toISODate() as string);
  const christmas = DateTime.fromObject({ year, month: 12, day: 25 }, { zone: 'UTC' });
  // Christmas on a Saturday moves to Monday and Boxing Day to Tuesday; on a Sunday, Christmas moves to Tuesday.
  if (christmas.weekday === 6) {
    days.add(iso(year, 12, 27));
    days.add(iso(year, 12, 28));
  } else if (christmas.weekday === 7) {
    days.add(iso(year, 12, 26));
    days.add(iso(year, 12, 27));
  } else if (christmas.weekday === 5) {
    days.add(iso(year, 12, 25));
    days.add(iso(year, 12, 28));
  } else {
    days.add(iso(year, 12, 25));
    days.add(iso(year, 12, 26));
  }
  cache.set(year, days);
  return days;
}

export function isWorkingDay(date: string): boolean {
  const dt = DateTime.fromISO(date, { zone: 'UTC' });
  if (!dt.isValid) throw new Error(`not a date: ${date}`);
  return dt.weekday <= 5 && !bankHolidays(dt.year).has(date);
}

/** The working day `count` working days before `date` (count ≥ 1). */
export function workingDaysBefore(date: string, count: number): string {
  let dt = DateTime.fromISO(date, { zone: 'UTC' });
  let left = count;
  while (left > 0) {
    dt = dt.minus({ days: 1 });
    if (isWorkingDay(dt.toISODate() as string)) left -= 1;
  }
  return dt.toISODate() as string;
}

/** The default research closing date: two working days before the panel meets. */
export function defaultResearchClosingDate(panelDate: string): string {
  return workingDaysBefore(panelDate, 2);
}

/** The working day before a date: when reminders go out for a deadline on that date. */
export function previousWorkingDay(date: string): string {
  return workingDaysBefore(date, 1);
}
