import type { ServiceDeps } from '../service-deps';
import { districtExists, districts } from '../directory/directory.repository';
import { londonDate, ZONE } from '../time';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Db } from '../db/database';
import type { AttendanceAnswer, PanelStatus, RegisterStatus } from '../db/schema';
import type { Actor } from '../http/context';
import { BadRequestError } from '../http/errors';
import { parseId } from '../http/forms';
import { recordAudit } from '../audit/audit';
import * as repo from './attendance-report.repository';

/** Panels that have met: the register and answers are final. */
const MET: readonly PanelStatus[] = ['concluded', 'minutes-approved', 'minutes-circulated'];
const ATTENDED: readonly RegisterStatus[] = ['present', 'online', 'late', 'left-early'];
export const MAX_MONTHS = 60;

export interface ReportFilters {
  from: string;
  to: string;
  districtId: number | null;
  threshold: number;
}

export type Outcome = 'in-person' | 'online' | 'deputy' | 'apologies' | 'no-show';

/**
 * How an agency took part in one panel: the register decides; a deputy is whoever came when the
 * agency said it would send one; apologies come from the register or the answer; otherwise a no-show.
 */
export function outcomeOf(answer: AttendanceAnswer | null, statuses: RegisterStatus[]): Outcome {
  const attended = statuses.filter((s) => ATTENDED.includes(s));
  if (attended.length) {
    if (answer === 'deputy') return 'deputy';
    return attended.every((s) => s === 'online') ? 'online' : 'in-person';
  }
  if (answer === 'apologies' || statuses.includes('apologies')) return 'apologies';
  return 'no-show';
}

export interface AgencyReportRow {
  agencyId: number;
  agency: string;
  invitations: number;
  inPerson: number;
  online: number;
  deputy: number;
  apologies: number;
  apologiesWithInformation: number;
  noShows: number;
  attended: number;
  /** Attended (in person, online or by deputy) out of invitations, in per cent, one decimal. */
  rate: number | null;
  underThreshold: boolean;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Reads the report's query string; a wrong value gets a message by its field and nothing is shown for it. */
export function readFilters(
  query: Record<string, unknown>,
  now: Date,
): { filters: ReportFilters; errors: Record<string, string>; values: Record<string, string> } {
  const today = DateTime.fromISO(londonDate(now), { zone: ZONE });
  const str = (k: string) => (typeof query[k] === 'string' ? query[k].trim() : '');
  const values = { from: str('from'), to: str('to'), district: str('district'), threshold: str('threshold') };
  const errors: Record<string, string> = {};
  const defaults = { from: today.minus({ months: 11 }).toFormat('yyyy-MM'), to: today.toFormat('yyyy-MM') };
  const month = (k: 'from' | 'to', label: string) => {
    if (values[k] === '') return defaults[k];
    const m = MONTH.exec(values[k]);
    if (!m || Number(m[1]) < 2000 || Number(m[1]) > today.year + 1) {
      errors[k] = `${label} must be a month like ${defaults.to}`;
      return defaults[k];
    }
    return values[k];
  };
  let from = month('from', 'The start of the period');
  let to = month('to', 'The end of the period');
  if (!errors.from && !errors.to) {
    if (from > to) {
      errors.to = 'The end of the period must be the same as or after its start';
      [from, to] = [defaults.from, defaults.to];
    } else if (
      DateTime.fromFormat(to, 'yyyy-MM').diff(DateTime.fromFormat(from, 'yyyy-MM'), 'months').months + 1 >
      MAX_MONTHS
    ) {
      errors.to = `The period must be ${MAX_MONTHS} months or shorter`;
      [from, to] = [defaults.from, defaults.to];
    }
  }
  let districtId: number | null = null;
  if (values.district !== '') {
    districtId = parseId(values.district);
    if (districtId === null) errors.district = 'Select a district from the list';
  }
  let threshold = 75;
  if (values.threshold !== '') {
    const t = z.coerce.number().int().min(1).max(100).safeParse(values.threshold);
    if (/^\d{1,3}$/.test(values.threshold) && t.success) threshold = t.data;
    else errors.threshold = 'The threshold must be a whole number from 1 to 100';
  }
  return { filters: { from, to, districtId, threshold }, errors, values };
}

export const monthsBetween = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let m = DateTime.fromFormat(from, 'yyyy-MM'); m.toFormat('yyyy-MM') <= to; m = m.plus({ months: 1 }))
    out.push(m.toFormat('yyyy-MM'));
  return out;
};

const rateOf = (attended: number, invitations: number) =>
  invitations === 0 ? null : Math.round((attended / invitations) * 1000) / 10;

/** Each agency's invitations and how it took part, and the rate of attendance month by month. */
export async function attendanceReport(db: Db, filters: ReportFilters) {
  const start = DateTime.fromFormat(filters.from, 'yyyy-MM', { zone: ZONE }).startOf('month').toJSDate();
  const end = DateTime.fromFormat(filters.to, 'yyyy-MM', { zone: ZONE })
    .plus({ months: 1 })
    .startOf('month')
    .toJSDate();
  const invited = await repo.invitationsBetween(db, MET, start, end, filters.districtId);
  const panelIds = [...new Set(invited.map((i) => i.panelId))];
  const entries = await repo.agencyRegisterEntries(db, panelIds);
  const statusesOf = new Map<string, RegisterStatus[]>();
  for (const e of entries) {
    const key = `${e.panelId}:${e.agencyId}`;
    statusesOf.set(key, [...(statusesOf.get(key) ?? []), e.status]);
  }
  const byAgency = new Map<number, AgencyReportRow>();
  const months = monthsBetween(filters.from, filters.to);
  const byMonth = new Map(months.map((m) => [m, { invitations: 0, attended: 0 }]));
  for (const inv of invited) {
    const row = byAgency.get(inv.agencyId) ?? {
      agencyId: inv.agencyId,
      agency: inv.shortName,
      invitations: 0,
      inPerson: 0,
      online: 0,
      deputy: 0,
      apologies: 0,
      apologiesWithInformation: 0,
      noShows: 0,
      attended: 0,
      rate: null,
      underThreshold: false,
    };
    byAgency.set(inv.agencyId, row);
    const outcome = outcomeOf(inv.answer, statusesOf.get(`${inv.panelId}:${inv.agencyId}`) ?? []);
    row.invitations += 1;
    if (outcome === 'in-person') row.inPerson += 1;
    else if (outcome === 'online') row.online += 1;
    else if (outcome === 'deputy') row.deputy += 1;
    else if (outcome === 'apologies') {
      row.apologies += 1;
      if (inv.informationInAdvance || inv.informationReceivedOn) row.apologiesWithInformation += 1;
    } else row.noShows += 1;
    const attended = outcome === 'in-person' || outcome === 'online' || outcome === 'deputy';
    if (attended) row.attended += 1;
    const month = byMonth.get(londonDate(inv.startsAt).slice(0, 7));
    if (month) {
      month.invitations += 1;
      if (attended) month.attended += 1;
    }
  }
  const rows = [...byAgency.values()].sort((a, b) => a.agency.localeCompare(b.agency));
  for (const row of rows) {
    row.rate = rateOf(row.attended, row.invitations);
    row.underThreshold = row.rate !== null && row.rate < filters.threshold;
  }
  const totalInvitations = rows.reduce((n, r) => n + r.invitations, 0);
  const totalAttended = rows.reduce((n, r) => n + r.attended, 0);
  return {
    rows,
    panels: panelIds.length,
    overallRate: rateOf(totalAttended, totalInvitations),
    monthly: months.map((m) => ({ month: m, rate: rateOf(byMonth.get(m)!.attended, byMonth.get(m)!.invitations) })),
  };
}

const CSV_HEADERS = [
  'Agency',
  'Invitations',
  'Attended in person',
  'Attended online',
  'Attended by deputy',
  'Apologies',
  'Apologies with information sent',
  'No-shows',
  'Attendance rate (%)',
  'Under threshold',
];

/** A cell a spreadsheet will not run as a formula, quoted when it needs to be. */
export function csvCell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function attendanceCsv(rows: AgencyReportRow[]): string {
  const lines = [
    CSV_HEADERS,
    ...rows.map((r) => [
      r.agency,
      r.invitations,
      r.inPerson,
      r.online,
      r.deputy,
      r.apologies,
      r.apologiesWithInformation,
      r.noShows,
      r.rate,
      r.underThreshold ? 'yes' : 'no',
    ]),
  ];
  return `${lines.map((l) => l.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

const filterDetails = (f: ReportFilters) => ({
  from: f.from,
  to: f.to,
  districtId: f.districtId,
  threshold: f.threshold,
});

/**
 * The report page: the districts to choose from and, when the filters are all right, the report.
 * A district that does not exist is refused by its field like any other wrong filter. Audited.
 */
async function reportPage(db: Db, actor: Actor, requested: ReportFilters, refused: Record<string, string>) {
  const filters = { ...requested };
  const errors = { ...refused };
  const choices = await districts(db);
  if (filters.districtId !== null && !choices.some((d) => d.id === filters.districtId)) {
    errors.district = 'Select a district from the list';
    filters.districtId = null;
  }
  const report = Object.keys(errors).length ? null : await attendanceReport(db, filters);
  await recordAudit(db, actor, {
    action: 'report.attendance.view',
    outcome: report ? 'success' : 'failure',
    details: filterDetails(filters),
  });
  return { filters, errors, districts: choices, report };
}

/** The report's rows for a spreadsheet; a district that does not exist is a bad request. Audited. */
async function reportExport(db: Db, actor: Actor, filters: ReportFilters) {
  if (filters.districtId !== null && !(await districtExists(db, filters.districtId)))
    throw new BadRequestError('Select a district from the list');
  const report = await attendanceReport(db, filters);
  await recordAudit(db, actor, {
    action: 'report.attendance.export',
    details: { ...filterDetails(filters), rows: report.rows.length },
  });
  return report;
}

/** The attendance report as the composition root wires it. */
export function attendanceReportService({ db }: Pick<ServiceDeps, 'db'>) {
  return {
    report: (filters: ReportFilters) => attendanceReport(db, filters),
    districts: () => districts(db),
    page: (actor: Actor, filters: ReportFilters, errors: Record<string, string>) =>
      reportPage(db, actor, filters, errors),
    export: (actor: Actor, filters: ReportFilters) => reportExport(db, actor, filters),
  };
}
