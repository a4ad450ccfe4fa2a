import type { ReferralStatus, RiskVerdict, SubjectKind } from '../db/schema';
import { checkDate, dateParts, parseId, str } from '../http/forms';
import { addDays, londonDateTime } from '../time';
import { STATUSES, SUBJECT_KINDS, VERDICTS } from './referral-codes';

export interface ListFilters {
  status?: ReferralStatus;
  districtId?: number;
  subjectKind?: SubjectKind;
  verdict?: RiskVerdict;
  agencyId?: number;
  submittedFrom?: Date;
  submittedBefore?: Date;
  words: string[];
}

export const SORTS = {
  waiting: 'Waiting longest first',
  'submitted-desc': 'Submitted, newest first',
  'submitted-asc': 'Submitted, oldest first',
  reference: 'Reference',
  score: 'Risk score, highest first',
  updated: 'Last changed',
} as const;
export type Sort = keyof typeof SORTS;

/** GOV.UK pagination: the first and last pages, the current one and its neighbours, gaps as ellipses. */
export function paginationOf(page: number, pages: number, link: (p: number) => string) {
  if (pages <= 1) return null;
  const wanted = [...new Set([1, page - 1, page, page + 1, pages])]
    .filter((p) => p >= 1 && p <= pages)
    .sort((a, b) => a - b);
  const items: { number?: number; href?: string; current?: boolean; ellipsis?: boolean }[] = [];
  wanted.forEach((p, i) => {
    if (i > 0 && p - wanted[i - 1] > 1) items.push({ ellipsis: true });
    items.push({ number: p, href: link(p), current: p === page });
  });
  return { items, previous: page > 1 ? link(page - 1) : null, next: page < pages ? link(page + 1) : null };
}

const MAX_WORDS = 6;

/** The list's query string, from the allow-lists only: anything else is ignored, a bad date is reported. */
export function readListQuery(query: Record<string, unknown>, todayIso: string) {
  const pick = <T extends string>(value: unknown, allowed: readonly T[]): T | undefined =>
    (allowed as readonly string[]).includes(str(value)) ? (str(value) as T) : undefined;
  const id = (value: unknown) => parseId(value) ?? undefined;
  const q = str(query.q).slice(0, 200).trim();
  const words = q
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, MAX_WORDS)
    .map((w) => w.slice(0, 50));
  const errors: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const dates: Record<'from' | 'to', string | undefined> = { from: undefined, to: undefined };
  for (const key of ['from', 'to'] as const) {
    const parts = dateParts({ day: query[`${key}[day]`], month: query[`${key}[month]`], year: query[`${key}[year]`] });
    values[`${key}[day]`] = parts.day;
    values[`${key}[month]`] = parts.month;
    values[`${key}[year]`] = parts.year;
    const checked = checkDate(parts, key === 'from' ? 'the submitted from date' : 'the submitted to date', {
      earliest: '2000-01-01',
      latest: '2100-12-31',
    });
    if (!checked.empty && 'error' in checked) errors[key] = checked.error;
    else if (!checked.empty) dates[key] = checked.value;
  }
  const filters: ListFilters = {
    status: pick<ReferralStatus>(query.status, STATUSES),
    districtId: id(query.districtId),
    subjectKind: pick<SubjectKind>(query.subjectKind, SUBJECT_KINDS),
    verdict: pick<RiskVerdict>(query.verdict, VERDICTS),
    agencyId: id(query.agencyId),
    submittedFrom: dates.from ? londonDateTime(dates.from, '00:00') : undefined,
    submittedBefore: dates.to ? londonDateTime(addDays(dates.to, 1), '00:00') : undefined,
    words,
  };
  if (dates.from && dates.to && dates.from > dates.to)
    errors.to = 'The submitted to date must be the same as or after the from date';
  // The screening queue (submitted referrals) puts the referral waiting longest first.
  const defaultSort: Sort = filters.status === 'submitted' ? 'waiting' : 'submitted-desc';
  const sort = pick<Sort>(query.sort, Object.keys(SORTS) as Sort[]) ?? defaultSort;
  const page = /^\d{1,5}$/.test(str(query.page)) && Number(query.page) >= 1 ? Number(query.page) : 1;
  // What the links to other pages carry: only the filters that were understood.
  const kept: Record<string, string> = {};
  if (q) kept.q = q;
  for (const key of ['status', 'subjectKind', 'verdict'] as const) if (filters[key]) kept[key] = String(filters[key]);
  if (filters.districtId) kept.districtId = String(filters.districtId);
  if (filters.agencyId) kept.agencyId = String(filters.agencyId);
  for (const key of ['from', 'to'] as const) {
    if (dates[key]) {
      const [y, m, d] = dates[key].split('-');
      kept[`${key}[day]`] = String(Number(d));
      kept[`${key}[month]`] = String(Number(m));
      kept[`${key}[year]`] = y;
    }
  }
  if (sort !== defaultSort) kept.sort = sort;
  Object.assign(values, {
    q,
    status: filters.status,
    districtId: filters.districtId,
    subjectKind: filters.subjectKind,
    verdict: filters.verdict,
    agencyId: filters.agencyId,
    sort,
  });
  if (dates.from && dates.from > todayIso) errors.from = 'The submitted from date must be today or in the past';
  return { filters, sort, page, query: kept, values, errors };
}
