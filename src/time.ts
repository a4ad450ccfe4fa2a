import { DateTime } from 'luxon';
import type { Clock } from './clock';

/**
 * The one module for dates and times: times are stored in UTC and shown in Europe/London; due
 * dates, closing dates and panel days are London calendar days ('YYYY-MM-DD').
 */
export const ZONE = 'Europe/London';

/** The calendar date in Europe/London at this instant. */
export function londonDate(at: Date): string {
  return DateTime.fromJSDate(at).setZone(ZONE).toISODate() as string;
}

/** Today in London by the application's clock, 'YYYY-MM-DD'. */
export function today(clock: Clock): string {
  return londonDate(clock.now());
}

/** The London time of day of an instant, 'HH:mm'. */
export function londonTime(at: Date): string {
  return DateTime.fromJSDate(at).setZone(ZONE).toFormat('HH:mm');
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
  return DateTime.fromJSDate(at).setZone(ZONE).toFormat("kkkk-'W'WW");
}

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
