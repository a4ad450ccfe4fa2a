import { z } from 'zod';
import type { AttendanceAnswer } from '../db/schema';
import { choice, optionalText, parseId, requiredText } from '../http/forms';

export const ANSWERS: readonly AttendanceAnswer[] = ['attending', 'deputy', 'apologies'];

export const ANSWER_NAMES: Record<AttendanceAnswer, string> = {
  attending: 'Attending',
  deputy: 'Sending a deputy',
  apologies: 'Apologies',
};

export const MODE_NAMES = { 'in-person': 'In person', online: 'Online' } as const;

export const MAX_ATTENDEES = 6;

/** What an answer records, whichever way it was given. */
export interface AttendanceAnswerData {
  answer: AttendanceAnswer;
  attendees: { name: string }[];
  mode: 'in-person' | 'online' | null;
  deputyName: string | null;
  deputyRole: string | null;
  apologyReason: string | null;
  informationInAdvance: boolean | null;
}

const attendeeNames = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean),
  )
  .refine((names) => names.length > 0, 'Enter the name of each person attending, one on each line')
  .refine((names) => names.length <= MAX_ATTENDEES, `Enter no more than ${MAX_ATTENDEES} people`)
  .refine((names) => names.every((n) => n.length <= 100), 'Each name must be 100 characters or fewer');

const attendingSchema = z.object({
  attendees: attendeeNames,
  mode: choice(['in-person', 'online'] as const, 'Select whether they will attend in person or online'),
});

const deputySchema = z.object({
  deputyName: requiredText("the deputy's name", 100),
  deputyRole: requiredText("the deputy's role", 100),
  deputyMode: choice(['in-person', 'online'] as const, 'Select whether the deputy will attend in person or online'),
});

const apologiesSchema = z.object({
  apologyReason: requiredText('the reason for apologies', 500),
  informationInAdvance: choice(
    ['yes', 'no'] as const,
    'Select whether your agency will send its information in advance',
  ),
});

export type AnswerParse = { ok: true; data: AttendanceAnswerData } | { ok: false; errors: Record<string, string> };

function issuesOf(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const name = String(issue.path[0] ?? 'answer');
    if (!(name in errors)) errors[name] = issue.message;
  }
  return errors;
}

/**
 * Reads the fields an answer needs. `fixedAnswer` is the answer a link was made for: the body's own
 * `answer` is then ignored, so a link can only ever record what it says.
 */
export function readAnswer(body: unknown, fixedAnswer?: AttendanceAnswer): AnswerParse {
  const fields = (body ?? {}) as Record<string, unknown>;
  const answer = fixedAnswer ?? fields.answer;
  if (typeof answer !== 'string' || !(ANSWERS as readonly string[]).includes(answer)) {
    return {
      ok: false,
      errors: { answer: 'Select whether your agency is attending, sending a deputy or sending apologies' },
    };
  }
  const empty = {
    attendees: [],
    mode: null,
    deputyName: null,
    deputyRole: null,
    apologyReason: null,
    informationInAdvance: null,
  };
  if (answer === 'attending') {
    const r = attendingSchema.safeParse(fields);
    if (!r.success) return { ok: false, errors: issuesOf(r.error) };
    return {
      ok: true,
      data: { ...empty, answer, attendees: r.data.attendees.map((name) => ({ name })), mode: r.data.mode },
    };
  }
  if (answer === 'deputy') {
    const r = deputySchema.safeParse(fields);
    if (!r.success) return { ok: false, errors: issuesOf(r.error) };
    return {
      ok: true,
      data: { ...empty, answer, deputyName: r.data.deputyName, deputyRole: r.data.deputyRole, mode: r.data.deputyMode },
    };
  }
  const r = apologiesSchema.safeParse(fields);
  if (!r.success) return { ok: false, errors: issuesOf(r.error) };
  return {
    ok: true,
    data: {
      ...empty,
      answer: 'apologies',
      apologyReason: r.data.apologyReason,
      informationInAdvance: r.data.informationInAdvance === 'yes',
    },
  };
}

/** The form's values for an answer already given, to show it again for changing. */
export function answerFormValues(a: {
  answer: AttendanceAnswer | null;
  attendees?: { name: string }[];
  mode?: 'in-person' | 'online' | null;
  deputyName?: string | null;
  deputyRole?: string | null;
  apologyReason?: string | null;
  informationInAdvance?: boolean | null;
}): Record<string, string> {
  if (!a.answer) return {};
  return {
    answer: a.answer,
    attendees: (a.attendees ?? []).map((p) => p.name).join('\n'),
    mode: a.answer === 'attending' ? (a.mode ?? '') : '',
    deputyName: a.deputyName ?? '',
    deputyRole: a.deputyRole ?? '',
    deputyMode: a.answer === 'deputy' ? (a.mode ?? '') : '',
    apologyReason: a.apologyReason ?? '',
    informationInAdvance:
      a.informationInAdvance === null || a.informationInAdvance === undefined
        ? ''
        : a.informationInAdvance
          ? 'yes'
          : 'no',
  };
}

const clinicianName = optionalText("the clinician's name", 100);

export type ClinicianParse =
  | { ok: true; data: Map<number, { attending: boolean; clinicianName: string | null }> }
  | { ok: false; errors: Record<string, string> };

/**
 * Reads `items[item-<agenda item id>][attending|name]` (the prefix keeps qs from making an array of
 * small numeric keys); an item left unanswered is left as it was.
 */
export function readClinicians(body: unknown): ClinicianParse {
  const items = ((body ?? {}) as Record<string, unknown>).items;
  const data = new Map<number, { attending: boolean; clinicianName: string | null }>();
  const errors: Record<string, string> = {};
  if (items !== undefined && (items === null || typeof items !== 'object' || Array.isArray(items)))
    return { ok: false, errors: { items: 'Reload the page and try again' } };
  for (const [key, raw] of Object.entries((items ?? {}) as Record<string, unknown>)) {
    const id = parseId(/^item-(\d+)$/.exec(key)?.[1]);
    if (id === null || raw === null || typeof raw !== 'object')
      return { ok: false, errors: { items: 'Reload the page and try again' } };
    const fields = raw as Record<string, unknown>;
    const attending = fields.attending;
    if (attending === undefined || attending === '') continue;
    if (attending !== 'yes' && attending !== 'no') {
      errors[`items[item-${id}][attending]`] = 'Select whether a clinician will attend';
      continue;
    }
    const name = clinicianName.safeParse(fields.name);
    if (!name.success) errors[`items[item-${id}][name]`] = name.error.issues[0].message;
    else if (attending === 'yes' && !name.data) errors[`items[item-${id}][name]`] = "Enter the clinician's name";
    else data.set(id, { attending: attending === 'yes', clinicianName: attending === 'yes' ? name.data : null });
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, data };
}
