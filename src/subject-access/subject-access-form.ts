import { checkDate, dateParts, flattenValues, formState, str, type FormState } from '../http/forms';
import { addDays } from '../time';
import type { SearchTerms } from './bundle';

/** Null bytes, line breaks and other control characters: a one-line field never holds them. */
const hasControl = (v: string) => [...v].some((ch) => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127);

function oneLine(
  value: unknown,
  label: string,
  min: number,
  max: number,
  errors: Record<string, string>,
  name: string,
) {
  const v = str(value).trim();
  if (v === '') return null;
  if (hasControl(v)) errors[name] = `${label} must be on one line, without control characters`;
  else if (v.length < min) errors[name] = `${label} must be at least ${min} characters`;
  else if (v.length > max) errors[name] = `${label} must be ${max} characters or fewer`;
  return v;
}

function datePartsIn(values: Record<string, unknown>, name: string) {
  return dateParts({ day: values[`${name}[day]`], month: values[`${name}[month]`], year: values[`${name}[year]`] });
}

/** The person searched for: a name, a date of birth and an address, any of them, at least one. */
export function readSearch(
  query: Record<string, unknown>,
  todayIso: string,
): { terms: SearchTerms | null; form: FormState; asked: boolean } {
  const values = flattenValues(query);
  const errors: Record<string, string> = {};
  const name = oneLine(query.name, 'The name', 3, 200, errors, 'name');
  const address = oneLine(query.address, 'The address or postcode', 3, 200, errors, 'address');
  const dob = checkDate(datePartsIn(values, 'dob'), 'the date of birth', { earliest: '1900-01-01', latest: todayIso });
  if ('error' in dob) errors.dob = dob.error;
  const dateOfBirth = 'value' in dob ? dob.value : null;
  const asked = Object.keys(values).some((k) =>
    ['name', 'address', 'dob[day]', 'dob[month]', 'dob[year]', 'search'].includes(k),
  );
  if (asked && !name && !address && !dateOfBirth && !errors.dob)
    errors.name = 'Enter a name, a date of birth or an address to search for';
  const form = formState(values, errors);
  if (!asked || form.hasErrors) return { terms: null, form, asked };
  return { terms: { name, dateOfBirth, address }, form, asked };
}

/** A new request: who it is about and when it was received (not in the future, nor over a year ago). */
export function readNewRequest(body: Record<string, unknown>, todayIso: string) {
  const values = flattenValues(body);
  const errors: Record<string, string> = {};
  const subjectName = oneLine(body.subjectName, 'The name', 2, 200, errors, 'subjectName');
  if (!subjectName && !errors.subjectName) errors.subjectName = 'Enter the name of the person the request is about';
  const received = checkDate(datePartsIn(values, 'received'), 'the date received', {
    earliest: addDays(todayIso, -366),
    latest: todayIso,
  });
  if (received.empty) errors.received = 'Enter the date the request was received';
  else if ('error' in received) errors.received = received.error;
  const form = formState(values, errors);
  if (form.hasErrors || !subjectName || !('value' in received)) return { request: null, form };
  return { request: { subjectName, receivedOn: received.value }, form };
}
