import { ZONE } from '../time';
import { DateTime } from 'luxon';
import { parseId } from '../http/forms';

/** The filters of the dashboard as typed: months as 'YYYY-MM', a district id or ''. */
export interface PeriodQuery {
  from: string;
  to: string;
  districtId: string;
}

export interface Period {
  fromMonth: string;
  toMonth: string;
  districtId: number | null;
  /** London midnight at the start of fromMonth, and of the month after toMonth. */
  start: Date;
  end: Date;
  months: string[];
}

export const EARLIEST_MONTH = '2000-01';
export const LONGEST_MONTHS = 120;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

const monthStart = (month: string) => DateTime.fromFormat(month, 'yyyy-MM', { zone: ZONE });
export const currentMonth = (now: Date) => DateTime.fromJSDate(now).setZone(ZONE).toFormat('yyyy-MM');

export function defaultPeriodQuery(now: Date): PeriodQuery {
  const to = DateTime.fromJSDate(now).setZone(ZONE).startOf('month');
  return { from: to.minus({ months: 11 }).toFormat('yyyy-MM'), to: to.toFormat('yyyy-MM'), districtId: '' };
}

function checkMonth(value: string, which: 'start' | 'end', now: Date): string | null {
  if (!MONTH.test(value)) return `Enter the ${which} month as a year and month, like 2026-04`;
  if (value < EARLIEST_MONTH) return `The ${which} month must be January 2000 or later`;
  if (value > currentMonth(now)) return `The ${which} month must not be in the future`;
  return null;
}

/** Validates the filters; each message belongs to the field it names. */
export function parsePeriod(
  query: Record<string, unknown>,
  now: Date,
  districtIds: number[],
):
  | { ok: true; period: Period; values: PeriodQuery }
  | { ok: false; values: PeriodQuery; errors: Record<string, string> } {
  const defaults = defaultPeriodQuery(now);
  const text = (v: unknown, fallback: string) => (typeof v === 'string' ? v.trim() : fallback);
  const values: PeriodQuery = {
    from: text(query.from, defaults.from),
    to: text(query.to, defaults.to),
    districtId: text(query.districtId, ''),
  };
  const errors: Record<string, string> = {};
  const fromError = checkMonth(values.from, 'start', now);
  const toError = checkMonth(values.to, 'end', now);
  if (fromError) errors.from = fromError;
  if (toError) errors.to = toError;
  if (!fromError && !toError) {
    if (values.to < values.from) errors.to = 'The end month must be the same as or after the start month';
    else if (monthStart(values.to).diff(monthStart(values.from), 'months').months + 1 > LONGEST_MONTHS) {
      errors.to = 'The period must be 10 years or shorter';
    }
  }
  let districtId: number | null = null;
  if (values.districtId !== '') {
    const id = parseId(values.districtId);
    if (id === null || !districtIds.includes(id)) errors.districtId = 'Choose a district from the list';
    else districtId = id;
  }
  if (Object.keys(errors).length) return { ok: false, values, errors };
  const first = monthStart(values.from);
  const last = monthStart(values.to);
  const months: string[] = [];
  for (let m = first; m <= last; m = m.plus({ months: 1 })) months.push(m.toFormat('yyyy-MM'));
  return {
    ok: true,
    values,
    period: {
      fromMonth: values.from,
      toMonth: values.to,
      districtId,
      start: first.toJSDate(),
      end: last.plus({ months: 1 }).toJSDate(),
      months,
    },
  };
}

export interface Quarter {
  label: string;
  year: number;
  number: number;
  start: Date;
  end: Date;
  firstDay: string;
  lastDay: string;
}

const QUARTER = /^(\d{4})-Q([1-4])$/;

export function quarterOf(year: number, number: number): Quarter {
  const first = DateTime.fromObject({ year, month: (number - 1) * 3 + 1, day: 1 }, { zone: ZONE });
  const next = first.plus({ months: 3 });
  return {
    label: `${year}-Q${number}`,
    year,
    number,
    start: first.toJSDate(),
    end: next.toJSDate(),
    firstDay: first.toISODate() as string,
    lastDay: next.minus({ days: 1 }).toISODate() as string,
  };
}

/** The last complete quarter before now. */
export function lastCompleteQuarter(now: Date): string {
  const d = DateTime.fromJSDate(now).setZone(ZONE).startOf('quarter').minus({ months: 3 });
  return `${d.year}-Q${d.quarter}`;
}

export function parseQuarter(value: unknown, now: Date): { ok: true; quarter: Quarter } | { ok: false; error: string } {
  const text = typeof value === 'string' ? value.trim().toUpperCase() : '';
  const match = QUARTER.exec(text);
  if (!match) return { ok: false, error: 'Enter a quarter as a year and quarter number, like 2026-Q3' };
  const quarter = quarterOf(Number(match[1]), Number(match[2]));
  if (quarter.year < 2000) return { ok: false, error: 'The quarter must be in 2000 or later' };
  if (quarter.start > now) return { ok: false, error: 'The quarter must not be in the future' };
  return { ok: true, quarter };
}
