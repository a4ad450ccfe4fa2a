import { DateTime } from 'luxon';
import {
  formatCalendarDate,
  formatDate,
  formatDateTime,
  formatTime,
  londonDate,
  londonTime,
  londonWeek,
  ZONE,
} from '../../src/time';

/** What the IANA zone itself says, asked afresh for every instant. */
const asIana = (ms: number, format: string) => DateTime.fromMillis(ms).setZone(ZONE).toFormat(format);

describe('times shown in Europe/London', () => {
  test('when the clocks go forward (29 March 2026, 01:00 UTC), then the minute before shows GMT and the minute of the change BST', () => {
    expect(formatDateTime(new Date('2026-03-29T00:59:00Z'))).toBe('29 March 2026 at 00:59');
    expect(formatDateTime(new Date('2026-03-29T01:00:00Z'))).toBe('29 March 2026 at 02:00');
  });

  test('when the clocks go back (25 October 2026, 01:00 UTC), then 01:30 London is shown twice, an hour apart', () => {
    expect(londonTime(new Date('2026-10-25T00:30:00Z'))).toBe('01:30');
    expect(londonTime(new Date('2026-10-25T00:59:59Z'))).toBe('01:59');
    expect(londonTime(new Date('2026-10-25T01:00:00Z'))).toBe('01:00');
    expect(londonTime(new Date('2026-10-25T01:30:00Z'))).toBe('01:30');
  });

  test('when a stored time comes as an ISO string, then it is shown as the same instant in London', () => {
    expect(formatDateTime('2026-07-15T23:30:00.000Z')).toBe('16 July 2026 at 00:30');
    expect(formatTime('2026-01-15T09:05:00Z')).toBe('09:05');
    expect(formatDate('not a date')).toBe('');
    expect(formatDate(null)).toBe('');
  });

  test('when instants every 30 minutes across three years of clock changes are shown, then each matches the IANA zone asked afresh', () => {
    const differ: string[] = [];
    for (let ms = Date.UTC(2025, 0, 1); ms < Date.UTC(2028, 0, 1); ms += 30 * 60_000) {
      const at = new Date(ms);
      if (formatDateTime(at) !== asIana(ms, "d MMMM yyyy 'at' HH:mm")) differ.push(at.toISOString());
      if (londonDate(at) !== asIana(ms, 'yyyy-MM-dd')) differ.push(at.toISOString());
    }
    expect(differ).toEqual([]);
  });

  test('when instants from 1900 to 2100 are shown, then each matches the IANA zone, British Standard Time and double summer time included', () => {
    const differ: string[] = [];
    // A step of 31 h 13 min lands on every hour of the day and every minute-offset over the years.
    for (let ms = Date.UTC(1900, 0, 1); ms < Date.UTC(2100, 0, 1); ms += (31 * 60 + 13) * 60_000) {
      const at = new Date(ms);
      if (formatDateTime(at) !== asIana(ms, "d MMMM yyyy 'at' HH:mm")) differ.push(at.toISOString());
      if (londonWeek(at) !== asIana(ms, "kkkk-'W'WW")) differ.push(at.toISOString());
    }
    expect(differ).toEqual([]);
  });
});

describe('calendar dates', () => {
  test('when every day from 1900 to 2100 is shown, then each reads as Luxon reads it, and days a month lacks are not dates', () => {
    const differ: string[] = [];
    for (let ms = Date.UTC(1900, 0, 1); ms < Date.UTC(2100, 0, 1); ms += 86_400_000) {
      const iso = new Date(ms).toISOString().slice(0, 10);
      const expected = DateTime.fromISO(iso, { zone: 'UTC' }).toFormat('d MMMM yyyy');
      if (formatCalendarDate(iso) !== expected || formatCalendarDate(new Date(ms)) !== expected) differ.push(iso);
    }
    expect(differ).toEqual([]);
    expect(formatCalendarDate('2026-02-29')).toBe('');
    expect(formatCalendarDate('2028-02-29')).toBe('29 February 2028');
    expect(formatCalendarDate('2026-13-01')).toBe('');
    expect(formatCalendarDate('2026-04-31T00:00:00Z')).toBe('');
    expect(formatCalendarDate('5 May 2026')).toBe('');
    expect(formatCalendarDate('')).toBe('');
    expect(formatCalendarDate(null)).toBe('');
  });
});
