import { DateTime } from 'luxon';

/** Times are stored in UTC and shown in Europe/London. */
export const ZONE = 'Europe/London';

function toDateTime(value: Date | string | null | undefined): DateTime | null {
  if (value === null || value === undefined || value === '') return null;
  const dt = value instanceof Date ? DateTime.fromJSDate(value) : DateTime.fromISO(value);
  return dt.isValid ? dt.setZone(ZONE) : null;
}

export function formatDate(value: Date | string | null | undefined): string {
  return toDateTime(value)?.toFormat('d MMMM yyyy') ?? '';
}

export function formatDateTime(value: Date | string | null | undefined): string {
  return toDateTime(value)?.toFormat("d MMMM yyyy 'at' HH:mm") ?? '';
}

export function formatTime(value: Date | string | null | undefined): string {
  return toDateTime(value)?.toFormat('HH:mm') ?? '';
}

/** A calendar date (no time of day) as stored in a `date` column: shown as it is, never shifted by zone. */
export function formatCalendarDate(value: string | Date | null | undefined): string {
  if (!value) return '';
  const iso = value instanceof Date ? value.toISOString().slice(0, 10) : value.slice(0, 10);
  const dt = DateTime.fromISO(iso, { zone: 'UTC' });
  return dt.isValid ? dt.toFormat('d MMMM yyyy') : '';
}
