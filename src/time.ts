import { DateTime, FixedOffsetZone, IANAZone, type Zone } from 'luxon';
import type { Clock } from './clock';

/**
 * The one module for dates and times: times are stored in UTC and shown in Europe/London; due
 * dates, closing dates and panel days are London calendar days ('YYYY-MM-DD').
 */
export const ZONE = 'Europe/London';

const london = IANAZone.create(ZONE);
const HOUR = 3_600_000;
const hourZones = new Map<number, Zone>();

/**
 * London's offset from UTC, as a fixed zone, for the UTC hour holding an instant. Asking the IANA
 * zone costs a formatToParts call each time; London's clocks change on whole UTC hours, so each
 * hour's offset is worked out once. An hour whose start and end differ keeps the IANA zone.
 */
function londonZoneAt(ms: number): Zone {
  const hour = Math.floor(ms / HOUR);
  let zone = hourZones.get(hour);
  if (zone === undefined) {
    const start = london.offset(hour * HOUR);
    zone = start === london.offset(hour * HOUR + HOUR - 1) ? FixedOffsetZone.instance(start) : london;
    if (hourZones.size >= 100_000) hourZones.clear();
    hourZones.set(hour, zone);
  }
  return zone;
}

/** An instant as London's wall clock shows it. */
function inLondon(at: Date | DateTime): DateTime {
  const ms = at.valueOf();
  return DateTime.fromMillis(ms, { zone: londonZoneAt(ms) });
}

/** The calendar date in Europe/London at this instant. */
export function londonDate(at: Date): string {
  return inLondon(at).toISODate() as string;
}

/** Today in London by the application's clock, 'YYYY-MM-DD'. */
export function today(clock: Clock): string {
  return londonDate(clock.now());
}

/** The London time of day of an instant, 'HH:mm'. */
export function londonTime(at: Date): string {
  return inLondon(at).toFormat('HH:mm');
}

export const TIME_OF_DAY = /^([01]?\d|2[0-3])[:.]([0-5]\d)$/;

/** The instant of a London calendar date and time of day ('HH:MM' or 'HH.MM'). */
export function londonDateTime(date: string, time: string): Date {
  const m = TIME_OF_DAY.exec(time.trim());
  if (!m) throw new Error('not a time');
  return DateTime.fromISO(date, { zone: ZONE })
    .set({ hour: Number(m[1]), minute: Number(m[2]) })
    .toUTC()
    .toJSDate();
}

/** A calendar date moved by a number of days, as a calendar date ('YYYY-MM-DD'). */
export function addDays(iso: string, days: number): string {
  return DateTime.fromISO(iso, { zone: 'UTC' }).plus({ days }).toISODate() as string;
}

/** The ISO week (e.g. '2026-W13') of the London date of an instant. */
export function londonWeek(at: Date): string {
  return inLondon(at).toFormat("kkkk-'W'WW");
}

function toDateTime(value: Date | string | null | undefined): DateTime | null {
  if (value === null || value === undefined || value === '') return null;
  const dt = value instanceof Date ? DateTime.fromJSDate(value) : DateTime.fromISO(value);
  return dt.isValid ? inLondon(dt) : null;
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

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** A calendar date (no time of day) as stored in a `date` column: shown as it is, never shifted by zone. */
export function formatCalendarDate(value: string | Date | null | undefined): string {
  if (!value) return '';
  const iso = value instanceof Date ? value.toISOString().slice(0, 10) : value.slice(0, 10);
  const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!parts) return '';
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const at = new Date(Date.UTC(year, month - 1, day));
  // A day the month does not have (30 February) is not a date.
  if (at.getUTCFullYear() !== year || at.getUTCMonth() !== month - 1 || at.getUTCDate() !== day) return '';
  return `${day} ${MONTHS[month - 1]} ${year}`;
}
