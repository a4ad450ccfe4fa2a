import { DateTime } from 'luxon';

/**
 * Reading repeated rows (subjects[0][name], subjects[1][name] …) from a parsed form body. The body
 * parser gives arrays for small indexes but plain objects for large or sparse ones, and anything
 * at all for a hand-made request, so every value is coerced to what the form can hold.
 */

export function rowsOf(value: unknown, max: number): Record<string, unknown>[] {
  let rows: unknown[] = [];
  if (Array.isArray(value)) rows = value;
  else if (value !== null && typeof value === 'object') {
    rows = Object.entries(value as Record<string, unknown>)
      .filter(([key]) => /^\d{1,4}$/.test(key))
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, row]) => row);
  }
  return rows.slice(0, max).map((row) => (row !== null && typeof row === 'object' && !Array.isArray(row) ? (row as Record<string, unknown>) : {}));
}

/** A single string, or '' for anything else (a repeated field, an object, nothing). */
export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A list of strings from checkboxes: one value, several, or none. */
export function strList(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v !== '');
  return [];
}

/** A date typed in three boxes. */
export interface DateParts {
  day: string;
  month: string;
  year: string;
}

export function dateParts(value: unknown): DateParts {
  const v = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  return { day: str(v.day), month: str(v.month), year: str(v.year) };
}

export function datePartsOf(iso: string | null | undefined): DateParts {
  if (!iso) return { day: '', month: '', year: '' };
  const [year, month, day] = iso.slice(0, 10).split('-');
  return { day: String(Number(day)), month: String(Number(month)), year };
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** 'YYYY-MM-DD' → "1 January 1900". */
export function longDate(iso: string): string {
  return `${Number(iso.slice(8, 10))} ${MONTHS[Number(iso.slice(5, 7)) - 1]} ${iso.slice(0, 4)}`;
}

export type DateCheck = { empty: true } | { empty: false; value: string } | { empty: false; error: string };

/**
 * Checks a date typed in three boxes, with the GOV.UK pattern's messages. `label` reads in a
 * sentence ("the date of birth of subject 1"); the date must fall between `earliest` and `latest`.
 */
export function checkDate(parts: DateParts, label: string, limits: { earliest: string; latest: string }): DateCheck {
  const Label = label.charAt(0).toUpperCase() + label.slice(1);
  const d = parts.day.trim();
  const m = parts.month.trim();
  const y = parts.year.trim();
  if (!d && !m && !y) return { empty: true };
  const missing = [!d && 'day', !m && 'month', !y && 'year'].filter(Boolean);
  if (missing.length) return { empty: false, error: `${Label} must include a ${missing.join(' and ')}` };
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) return { empty: false, error: `${Label} must be a real date` };
  const dt = DateTime.fromObject({ year: Number(y), month: Number(m), day: Number(d) }, { zone: 'UTC' });
  if (!dt.isValid) return { empty: false, error: `${Label} must be a real date` };
  const iso = dt.toISODate() as string;
  if (iso > limits.latest) return { empty: false, error: `${Label} must be today or in the past` };
  if (iso < limits.earliest) return { empty: false, error: `${Label} must be on or after ${longDate(limits.earliest)}` };
  return { empty: false, value: iso };
}

/** The button pressed: "add-subject", "remove-incident:2" and so on. */
export function parseAction(value: unknown): { name: string; index: number | null } {
  const match = /^([a-z-]{1,40})(?::(\d{1,3}))?$/.exec(str(value));
  if (!match) return { name: '', index: null };
  return { name: match[1], index: match[2] === undefined ? null : Number(match[2]) };
}
