import { checkDate, dateParts, flattenValues, formState, parseId, str, type FormState } from '../http/forms';
import { addDays, londonDateTime } from '../time';

/** The audit viewer's filters as typed: ids, a case reference, an action and a date range. */
export interface TypedAuditFilter {
  userId: number | null;
  agencyId: number | null;
  caseReference: string | null;
  action: string | null;
  from: Date | null;
  to: Date | null;
  /** Query string of the filters as typed, for paging and the CSV link. */
  query: string;
}

const ACTION = /^[a-z0-9][a-z0-9.-]{0,59}$/;
const REFERENCE = /^[A-Za-z0-9-]{1,30}$/;

/** A date's three boxes from a query string, whether or not the parser nested them. */
function datePartsIn(values: Record<string, unknown>, name: string) {
  return dateParts({ day: values[`${name}[day]`], month: values[`${name}[month]`], year: values[`${name}[year]`] });
}

/** Reads the filters from a query string; every problem is reported by its field. */
export function readAuditFilter(
  query: Record<string, unknown>,
  todayIso: string,
): { filter: TypedAuditFilter | null; form: FormState } {
  const values = flattenValues(query);
  const errors: Record<string, string> = {};
  const id = (name: string, message: string) => {
    const raw = str(query[name]).trim();
    if (raw === '') return null;
    const n = parseId(raw);
    if (n === null) errors[name] = message;
    return n;
  };
  const userId = id('user', 'Choose a user from the list');
  const agencyId = id('agency', 'Choose an agency from the list');
  const caseReference = str(query.case).trim() || null;
  if (caseReference !== null && !REFERENCE.test(caseReference))
    errors.case = 'Enter a case reference like ASB-2026-0042';
  const action = str(query.action).trim() || null;
  if (action !== null && !ACTION.test(action))
    errors.action = 'Enter an action like referral.view, or the start of one like referral.';
  const limits = { earliest: '2000-01-01', latest: todayIso };
  const from = checkDate(datePartsIn(values, 'from'), 'the first day', limits);
  const to = checkDate(datePartsIn(values, 'to'), 'the last day', limits);
  if ('error' in from) errors.from = from.error;
  if ('error' in to) errors.to = to.error;
  const fromIso = 'value' in from ? from.value : null;
  const toIso = 'value' in to ? to.value : null;
  if (fromIso && toIso && toIso < fromIso) errors.to = 'The last day must be the same as or after the first day';
  const form = formState(values, errors);
  if (form.hasErrors) return { filter: null, form };
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (typeof v === 'string' && v !== '' && k !== 'page') params.set(k, v);
  return {
    filter: {
      userId,
      agencyId,
      caseReference,
      action,
      from: fromIso ? londonDateTime(fromIso, '00:00') : null,
      to: toIso ? londonDateTime(addDays(toIso, 1), '00:00') : null,
      query: params.toString(),
    },
    form,
  };
}
