import { DateTime } from 'luxon';
import { str, type DateParts } from '../http/forms';
import { formatCalendarDate } from '../time';

// The small readers the meeting's forms share.

export const MAX_TEXT = 10_000;

export const clean = (v: unknown) => str(v).replace(/\r\n/g, '\n').trim();

/**
 * A date typed in three boxes that must be a real date from `today` on; '' when left empty.
 * Returns the ISO date, or an error message.
 */
export function futureDate(
  parts: DateParts,
  label: string,
  today: string,
): { value: string | null } | { error: string } {
  const d = parts.day.trim();
  const m = parts.month.trim();
  const y = parts.year.trim();
  if (!d && !m && !y) return { value: null };
  const missing = [!d && 'day', !m && 'month', !y && 'year'].filter(Boolean);
  if (missing.length) return { error: `${label} must include a ${missing.join(' and ')}` };
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y))
    return { error: `${label} must be a real date` };
  const dt = DateTime.fromObject({ year: Number(y), month: Number(m), day: Number(d) }, { zone: 'UTC' });
  if (!dt.isValid) return { error: `${label} must be a real date` };
  const iso = dt.toISODate();
  if (iso < today) return { error: `${label} must be today or in the future` };
  if (iso > DateTime.fromISO(today, { zone: 'UTC' }).plus({ years: 3 }).toISODate()!)
    return {
      error: `${label} must be before ${formatCalendarDate(DateTime.fromISO(today, { zone: 'UTC' }).plus({ years: 3 }).toISODate())}`,
    };
  return { value: iso };
}

export function pick<T extends string>(values: readonly T[], raw: unknown): T | null | 'invalid' {
  const v = str(raw);
  if (v === '') return null;
  return (values as readonly string[]).includes(v) ? (v as T) : 'invalid';
}

export type Errors = Record<string, string>;

/** A text field cleaned of CR/LF and trimmed, null when empty; too long is an error under `name`. */
export function textReader(errors: Errors) {
  return (name: string, label: string, value: unknown) => {
    const v = clean(value);
    if (v.length > MAX_TEXT) errors[name] = `${label} must be ${MAX_TEXT.toLocaleString('en-GB')} characters or fewer`;
    return v === '' ? null : v;
  };
}

export const objectOf = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
