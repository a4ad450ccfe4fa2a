import { DateTime } from 'luxon';
import { formatCalendarDate } from '../time';
import { z } from 'zod';

/** A record id as forms and URLs carry it: a positive PostgreSQL integer. */
const ID_PATTERN = /^[1-9]\d{0,9}$/;
const MAX_ID = 2147483647;
const VERSION_PATTERN = /^\d{1,9}$/;

// C0 controls but tab, line feed and carriage return; DEL; C1 controls.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** A parsed body or query with the control characters removed from every string in it, at any depth. */
export function withoutControlCharacters<T>(value: T): T {
  if (typeof value === 'string') return value.replace(CONTROL_CHARACTERS, '') as T;
  if (Array.isArray(value)) return value.map((v: unknown) => withoutControlCharacters(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value))
      if (key !== '__proto__') out[withoutControlCharacters(key)] = withoutControlCharacters(v);
    return out as T;
  }
  return value;
}

/** What a form shows: what the user typed, and a message by each field that is wrong. */
export interface FormState {
  values: Record<string, unknown>;
  errors: Record<string, string>;
  errorList: { text: string; href: string }[];
  hasErrors: boolean;
}

/** `subjects.0.name` → `subjects[0][name]`, the name the browser sends. */
export function fieldName(path: readonly PropertyKey[]): string {
  const [first, ...rest] = path.map(String);
  return first + rest.map((p) => `[${p}]`).join('');
}

/** `subjects[0][name]` → `subjects-0-name`, usable as an element id. */
export function fieldId(name: string): string {
  return name.replace(/\]\[|\[|\]/g, '-').replace(/-+$/, '');
}

/** Flattens a parsed body ({subjects: [{name}]}) to browser field names ({'subjects[0][name]': …}). */
export function flattenValues(body: unknown, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (body === null || typeof body !== 'object') return out;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    const name = prefix ? `${prefix}[${key}]` : key;
    if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) out[name] = value;
    else if (value !== null && typeof value === 'object') Object.assign(out, flattenValues(value, name));
    else out[name] = value;
  }
  return out;
}

export function formState(values: Record<string, unknown> = {}, errors: Record<string, string> = {}): FormState {
  const errorList = Object.entries(errors).map(([name, text]) => ({ text, href: `#${fieldId(name)}` }));
  return { values, errors, errorList, hasErrors: errorList.length > 0 };
}

export type Parsed<T> = { ok: true; data: T } | { ok: false; form: FormState };

/** Validates a request body; on failure returns the form to re-render, with what was typed kept. */
export function parseForm<T>(schema: z.ZodType<T>, body: unknown, extraErrors: Record<string, string> = {}): Parsed<T> {
  const result = schema.safeParse(body ?? {});
  const values = flattenValues(body);
  const errors: Record<string, string> = {};
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = fieldName(issue.path);
      if (!(name in errors)) errors[name] = issue.message;
    }
  }
  for (const [name, message] of Object.entries(extraErrors)) if (!(name in errors)) errors[name] = message;
  if (result.success && Object.keys(errors).length === 0) return { ok: true, data: result.data };
  return { ok: false, form: formState(values, errors) };
}

const oneLine = (label: string) => (v: string) => !/[\r\n]/.test(v) || `${label} must be on one line`;

function lengthLimited(label: string, max: number) {
  return z.string().trim().max(max, `${label} must be ${max} characters or fewer`);
}

function capitalised(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A required single-line text field. `label` reads in a sentence: "Enter {label}". */
export function requiredText(label: string, max = 200) {
  const Label = capitalised(label);
  return z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(max, `${Label} must be ${max} characters or fewer`)
    .refine((v) => oneLine(Label)(v) === true, `${Label} must be on one line`);
}

/** An optional single-line text field; empty becomes null. */
export function optionalText(label: string, max = 200) {
  const Label = capitalised(label);
  return z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim())
    .pipe(lengthLimited(Label, max).refine((v) => oneLine(Label)(v) === true, `${Label} must be on one line`))
    .transform((v) => (v === '' ? null : v));
}

/** Optional multi-line text; empty becomes null. */
export function optionalLongText(label: string, max = 5000) {
  return z
    .string()
    .optional()
    .transform((v) => (v ?? '').replace(/\r\n/g, '\n').trim())
    .pipe(lengthLimited(capitalised(label), max))
    .transform((v) => (v === '' ? null : v));
}

export function requiredLongText(label: string, max = 5000) {
  return z
    .string({ error: `Enter ${label}` })
    .transform((v) => v.replace(/\r\n/g, '\n').trim())
    .pipe(
      z
        .string()
        .min(1, `Enter ${label}`)
        .max(max, `${capitalised(label)} must be ${max} characters or fewer`),
    );
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

export function emailAddress(label = 'an email address') {
  return z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(254, 'Email address must be 254 characters or fewer')
    .refine((v) => EMAIL.test(v), 'Enter an email address in the correct format, like name@example.org')
    .transform((v) => v.toLowerCase());
}

/** A checkbox: present (any value, or several) means true; anything else a browser cannot send, false. */
export const checkbox = z
  .unknown()
  .optional()
  .transform((v) => (typeof v === 'string' ? v !== '' && v !== 'false' : Array.isArray(v) && v.length > 0));

/** One of a fixed list, chosen from radios or a select. */
export function choice<T extends string>(values: readonly T[], message: string) {
  return z
    .string({ error: message })
    .refine((v): v is T => (values as readonly string[]).includes(v), message)
    .transform((v) => v);
}

/** An id chosen from a select; the caller checks that it exists. */
export function idChoice(message: string) {
  return z
    .string({ error: message })
    .refine((v) => parseId(v) !== null, message)
    .transform(Number);
}

export function optionalIdChoice(message: string) {
  return z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? null : v))
    .refine((v) => v === null || parseId(v) !== null, message)
    .transform((v) => (v === null ? null : Number(v)));
}

/** The version a form was loaded with, for refusing saves made against an old version. */
export const versionField = z
  .string({ error: 'The form is missing its version: reload the page' })
  .regex(VERSION_PATTERN, 'The form is missing its version: reload the page')
  .transform(Number);

/** The id in a form field or route parameter, or null for anything that cannot be one. */
export function parseId(value: unknown): number | null {
  return typeof value === 'string' && ID_PATTERN.test(value) && Number(value) <= MAX_ID ? Number(value) : null;
}

/** The version a form was loaded with, or -1 (which matches no record) when it is missing or malformed. */
export function parseVersion(value: unknown): number {
  return typeof value === 'string' && VERSION_PATTERN.test(value) ? Number(value) : -1;
}

/*
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
  return rows
    .slice(0, max)
    .map((row) =>
      row !== null && typeof row === 'object' && !Array.isArray(row) ? (row as Record<string, unknown>) : {},
    );
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
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y))
    return { empty: false, error: `${Label} must be a real date` };
  const dt = DateTime.fromObject({ year: Number(y), month: Number(m), day: Number(d) }, { zone: 'UTC' });
  if (!dt.isValid) return { empty: false, error: `${Label} must be a real date` };
  const iso = dt.toISODate();
  if (iso > limits.latest) return { empty: false, error: `${Label} must be today or in the past` };
  if (iso < limits.earliest)
    return { empty: false, error: `${Label} must be on or after ${formatCalendarDate(limits.earliest)}` };
  return { empty: false, value: iso };
}

/** The button pressed: "add-subject", "remove-incident:2" and so on. */
export function parseAction(value: unknown): { name: string; index: number | null } {
  const match = /^([a-z-]{1,40})(?::(\d{1,3}))?$/.exec(str(value));
  if (!match) return { name: '', index: null };
  return { name: match[1], index: match[2] === undefined ? null : Number(match[2]) };
}
