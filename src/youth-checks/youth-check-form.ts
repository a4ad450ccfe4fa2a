import { DateTime } from 'luxon';
import { z } from 'zod';
import {
  checkDate,
  choice,
  dateParts,
  flattenValues,
  formState,
  idChoice,
  optionalLongText,
  optionalText,
  parseForm,
  requiredText,
  versionField,
  type Parsed,
} from '../http/forms';
import type { CheckRequest } from './youth-checks.service';
import type { Answer } from './youth-checks.repository';

/** Youth checks are about young people: under 25 on the day of the check. */
export const OLDEST_YEARS = 25;

const requestSchema = z.object({
  youngPersonName: requiredText('the young person’s name', 120),
  address: requiredText('the young person’s address', 300),
  concern: requiredText('the ASB concern in one sentence', 300),
  districtId: idChoice('Select your district'),
  caseReference: optionalText('the case reference', 60),
});

/** Reads a request for a check; the date of birth is checked like every date typed in three boxes. */
export function readRequest(body: unknown, today: string): Parsed<CheckRequest> {
  const b = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const earliest = DateTime.fromISO(today).minus({ years: OLDEST_YEARS }).plus({ days: 1 }).toISODate() as string;
  const dob = checkDate(dateParts(b.dateOfBirth), 'the date of birth', { earliest, latest: today });
  const extra: Record<string, string> = {};
  if (dob.empty) extra.dateOfBirth = 'Enter the young person’s date of birth';
  else if ('error' in dob)
    extra.dateOfBirth = dob.error.replace(
      /must be on or after .*/,
      `must show the young person is under ${OLDEST_YEARS}`,
    );
  const parsed = parseForm(requestSchema, body, extra);
  if (!parsed.ok) return parsed;
  return { ok: true, data: { ...parsed.data, dateOfBirth: (dob as { value: string }).value } };
}

const yesNo = (label: string) => choice(['yes', 'no'] as const, `Select yes if the young person is known to ${label}`);

const answerSchema = z.object({
  knownToYouthOffending: yesNo('youth offending'),
  knownToChildrensServices: yesNo('children’s services'),
  leadProfessionalName: optionalText('the lead professional’s name', 120),
  leadProfessionalAgency: optionalText('the lead professional’s agency', 120),
  leadProfessionalContact: optionalText('the lead professional’s contact details', 200),
  answerNote: optionalLongText('the note', 500),
  version: versionField,
});

/** Reads an answer. A young person known to either service has a lead professional, named with how to reach them. */
export function readAnswer(body: unknown): Parsed<Answer & { version: number }> {
  const parsed = parseForm(answerSchema, body);
  if (!parsed.ok) return parsed;
  const d = parsed.data;
  const extra: Record<string, string> = {};
  if (d.knownToYouthOffending === 'yes' || d.knownToChildrensServices === 'yes') {
    if (!d.leadProfessionalName) extra.leadProfessionalName = 'Enter the lead professional’s name';
    if (!d.leadProfessionalAgency) extra.leadProfessionalAgency = 'Enter the lead professional’s agency';
    if (!d.leadProfessionalContact) extra.leadProfessionalContact = 'Enter how to contact the lead professional';
  }
  if (Object.keys(extra).length) return { ok: false, form: formState(flattenValues(body), extra) };
  return {
    ok: true,
    data: {
      ...d,
      knownToYouthOffending: d.knownToYouthOffending === 'yes',
      knownToChildrensServices: d.knownToChildrensServices === 'yes',
    },
  };
}

const whole = (label: string, min: number, max: number, unit: string) =>
  z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .regex(/^\d{1,3}$/, `Enter ${label} as a whole number of ${unit}`)
    .transform(Number)
    .refine(
      (n) => n >= min && n <= max,
      `${label.charAt(0).toUpperCase()}${label.slice(1)} must be between ${min} and ${max} ${unit}`,
    );

export const settingsSchema = z.object({
  dueWorkingDays: whole('the working days to answer', 1, 20, 'working days'),
  retentionMonths: whole('how long answered checks are kept', 1, 120, 'months'),
  version: versionField,
});
