import type { z } from 'zod';
import { checkDate, optionalLongText, optionalText, type DateParts } from '../http/forms';

/**
 * The readers a referral form's fields are checked with. Each reports the first problem of a field
 * against its name and returns the field's value, or null when it is empty or wrong; a field that is
 * `required` is only required when submitting (a draft may be incomplete).
 */
export function fieldChecks(mode: 'draft' | 'submit', today: string) {
  const errors: Record<string, string> = {};
  const submit = mode === 'submit';
  const fail = (name: string, message: string) => {
    if (!(name in errors)) errors[name] = message;
  };

  function parsed<T>(name: string, schema: z.ZodType<T>, value: string): T | null {
    const result = schema.safeParse(value);
    if (!result.success) {
      fail(name, result.error.issues[0].message);
      return null;
    }
    return result.data;
  }

  function text(name: string, schema: z.ZodType<string | null>, label: string, value: string, required: boolean) {
    const v = parsed(name, schema, value);
    if (v === null && required && submit && !(name in errors)) fail(name, `Enter ${label}`);
    return v;
  }

  /** A single line of text. */
  const line = (name: string, label: string, value: string, max: number, required: boolean) =>
    text(name, optionalText(label, max), label, value, required);
  /** Text of several lines. */
  const long = (name: string, label: string, value: string, max: number, required: boolean) =>
    text(name, optionalLongText(label, max), label, value, required);

  /** One of a list; `required` is the message when nothing was chosen, `unknown` when it is not in the list. */
  function pick<T extends string>(
    name: string,
    allowed: readonly T[],
    value: string,
    required: string | null,
    unknown: string,
  ): T | null {
    if (value === '') {
      if (required && submit) fail(name, required);
      return null;
    }
    if (!(allowed as readonly string[]).includes(value)) {
      fail(name, unknown);
      return null;
    }
    return value as T;
  }

  /** A date in three boxes, no later than today. */
  function date(
    name: string,
    label: string,
    parts: DateParts,
    opts: { required: boolean; earliest: string },
  ): string | null {
    const checked = checkDate(parts, label, { earliest: opts.earliest, latest: today });
    if (checked.empty) {
      if (opts.required && submit) fail(name, `Enter ${label}`);
      return null;
    }
    if ('error' in checked) {
      fail(name, checked.error);
      return null;
    }
    return checked.value;
  }

  return { errors, submit, fail, has: (name: string) => name in errors, parsed, line, long, pick, date };
}

export type FieldChecks = ReturnType<typeof fieldChecks>;
