import type { ServiceDeps } from '../service-deps';
import { ZONE } from '../time';
import { DateTime } from 'luxon';
import { SUBJECT_KIND_NAMES, VULNERABILITY_NAMES } from '../referrals/referral-codes';

import { monthLabel } from '../reports/svg-chart';
import * as repo from './insight.repository';
import { BASELINE_MONTHS, RECENT_MONTHS, trendTest, type TrendResult } from './trend';
import type { Period, Quarter } from './period';

/** One table of a report: what the page shows beside a chart, and what its CSV export holds. */
export interface ReportTable {
  name: string;
  title: string;
  headers: string[];
  rows: (string | number)[][];
}

export const CLOSE_REASON_NAMES: Record<string, string> = {
  'risk-reduced': 'Risk reduced',
  'moved-away': 'Moved away',
  'other-process': 'Managed by another process',
  other: 'Other reason',
  'not-recorded': 'Reason not recorded at a panel',
};

export const ESCALATION_NAMES: Record<string, string> = {
  marac: 'MARAC',
  mappa: 'MAPPA',
  'adult-safeguarding': 'Adult safeguarding',
  'child-safeguarding': 'Child safeguarding',
  other: 'Another panel',
};

const kindName = (k: string) => (k === 'all' ? 'All referrals' : (SUBJECT_KIND_NAMES as Record<string, string>)[k] ?? k);
const vulnerabilityName = (k: string) => (VULNERABILITY_NAMES as Record<string, string>)[k] ?? k;
/** A whole-number percentage, or a dash when there is nothing to divide by. */
export const percent = (part: number, whole: number): string => (whole === 0 ? '–' : `${Math.round((part / whole) * 100)}%`);

const chance = (p: number) => (p < 0.001 ? '<0.001' : p.toFixed(3));

export interface TrendRow extends TrendResult {
  districtId: number;
  districtName: string;
  kind: string;
  kindName: string;
  expectedText: string;
  chanceText: string;
}

export interface TrendReport {
  recentLabel: string;
  baselineLabel: string;
  rows: TrendRow[];
  flagged: TrendRow[];
}

export function insightService({ db }: Pick<ServiceDeps, 'db'>) {
  const districts = () => repo.districts(db);

  async function trends(now: Date, districtId: number | null): Promise<TrendReport> {
    const thisMonth = DateTime.fromJSDate(now).setZone(ZONE).startOf('month');
    const recentStart = thisMonth.minus({ months: RECENT_MONTHS });
    const baselineStart = recentStart.minus({ months: BASELINE_MONTHS });
    const [counts, all] = await Promise.all([
      repo.trendCounts(db, { baselineStart: baselineStart.toJSDate(), recentStart: recentStart.toJSDate(), end: thisMonth.toJSDate() }),
      districts(),
    ]);
    const rows: TrendRow[] = [];
    for (const district of all) {
      if (districtId !== null && district.id !== districtId) continue;
      for (const kind of ['all', 'victim', 'perpetrator', 'location']) {
        const c = counts.find((x) => x.districtId === district.id && x.kind === kind);
        const result = trendTest({ recent: c?.recent ?? 0, baseline: c?.baseline ?? 0 });
        rows.push({ districtId: district.id, districtName: district.name, kind, kindName: kindName(kind), ...result, expectedText: result.expected.toFixed(2), chanceText: chance(result.pValue) });
      }
    }
    const label = (from: DateTime, months: number) => `${from.toFormat('MMMM yyyy')} to ${from.plus({ months: months - 1 }).toFormat('MMMM yyyy')}`;
    return { recentLabel: label(recentStart, RECENT_MONTHS), baselineLabel: label(baselineStart, BASELINE_MONTHS), rows, flagged: rows.filter((r) => r.flagged) };
  }

  async function dashboard(period: Period, now: Date) {
    const today = DateTime.fromJSDate(now).setZone(ZONE).toISODate() as string;
    const [byMonth, byKind, byDistrict, byAgency, screening, vulns, heard, open, closures, escalated, actions, trend] = await Promise.all([
      repo.referralsByMonth(db, period),
      repo.referralsBySubjectKind(db, period),
      repo.referralsByDistrict(db, period),
      repo.referralsByAgency(db, period),
      repo.screeningCounts(db, period),
      repo.vulnerabilities(db, period, 10),
      repo.casesHeard(db, period, now),
      repo.casesOpen(db, period.districtId),
      repo.closuresByReason(db, period),
      repo.escalations(db, period, now),
      repo.actionsByAgency(db, period, today),
      trends(now, period.districtId),
    ]);
    const monthly = period.months.map((month) => ({ month, value: byMonth.find((m) => m.month === month)?.n ?? 0 }));
    const kinds = (['victim', 'perpetrator', 'location'] as const).map((k) => ({ label: kindName(k), value: byKind.find((b) => b.key === k)?.n ?? 0 }));
    const closedTotal = closures.reduce((sum, c) => sum + c.n, 0);
    const escalatedTotal = escalated.reduce((sum, c) => sum + c.n, 0);
    const tables: ReportTable[] = [
      { name: 'referrals-by-month', title: 'Referrals by month', headers: ['Month', 'Referrals'], rows: monthly.map((m) => [monthLabel(m.month), m.value]) },
      { name: 'referrals-by-subject-type', title: 'Referrals by subject type', headers: ['Subject type', 'Referrals'], rows: kinds.map((k) => [k.label, k.value]) },
      { name: 'referrals-by-district', title: 'Referrals by district', headers: ['District', 'Referrals'], rows: byDistrict.map((d) => [d.name, d.n]) },
      { name: 'referrals-by-agency', title: 'Referrals by referring agency', headers: ['Referring agency', 'Referrals'], rows: byAgency.map((a) => [a.name, a.n]) },
      {
        name: 'screening',
        title: 'Screening of referrals',
        headers: ['Measure', 'Value'],
        rows: [
          ['Referrals submitted', screening.submitted],
          ['Accepted as high risk', screening.accepted],
          ['Share accepted as high risk', percent(screening.accepted, screening.submitted)],
          ['Rejected', screening.rejected],
          ['Waiting for screening or more information', screening.waiting],
          ['Scored or judged high risk at referral', screening.assessedHigh],
        ],
      },
      { name: 'vulnerabilities', title: 'Vulnerabilities most often present', headers: ['Vulnerability', 'Referrals'], rows: vulns.map((v) => [vulnerabilityName(v.key), v.n]) },
      {
        name: 'case-outcomes',
        title: 'Cases heard, open, closed and escalated',
        headers: ['Measure', 'Cases'],
        rows: [
          ['Heard at a panel in the period', heard],
          ['Open now (awaiting a panel or active)', open],
          ['Closed in the period', closedTotal],
          ...Object.keys(CLOSE_REASON_NAMES)
            .filter((k) => closures.some((c) => c.key === k))
            .map((k) => [`Closed: ${CLOSE_REASON_NAMES[k]}`, closures.find((c) => c.key === k)?.n ?? 0]),
          ['Escalated in the period', escalatedTotal],
          ...Object.keys(ESCALATION_NAMES)
            .filter((k) => escalated.some((c) => c.key === k))
            .map((k) => [`Escalated to ${ESCALATION_NAMES[k]}`, escalated.find((c) => c.key === k)?.n ?? 0]),
        ],
      },
      {
        name: 'actions-by-agency',
        title: 'Actions set at panels in the period, by agency',
        headers: ['Agency', 'Set', 'Completed on time', 'Completed late', 'Overdue', 'Open, not yet due', 'Not possible', 'Not done by the agency', 'Completed on time (%)'],
        rows: actions.map((a) => [a.name, a.set, a.onTime, a.late, a.overdue, a.open, a.notPossible, a.notDone, percent(a.onTime, a.set)]),
      },
      {
        name: 'trend-alerts',
        title: 'Trend test by district and subject type',
        headers: ['District', 'Subject type', `Baseline: ${trend.baselineLabel}`, 'Expected in 3 months', `Last 3 months: ${trend.recentLabel}`, 'Chance (p)', 'Flagged'],
        rows: trend.rows.map((r) => [r.districtName, r.kindName, r.baseline, r.expectedText, r.recent, r.chanceText, r.flagged ? 'Yes' : 'No']),
      },
    ];
    return { tables, monthly, kinds, byDistrict, byAgency, screening, vulns: vulns.map((v) => ({ label: vulnerabilityName(v.key), value: v.n })), actions, trend, heard, open, closedTotal, escalatedTotal };
  }

  async function quarterly(quarter: Quarter, now: Date) {
    const span = { start: quarter.start, end: quarter.end, districtId: null };
    const [all, byKind, repeats, heard, attendance, actions] = await Promise.all([
      districts(),
      repo.referralsByDistrictAndKind(db, span),
      repo.repeatReferralsByDistrict(db, span),
      repo.casesHeardByDistrict(db, span, now),
      repo.attendanceByAgency(db, span, now),
      repo.actionsDueByAgency(db, quarter.firstDay, quarter.lastDay),
    ]);
    const count = (list: { districtId: number; n: number; kind?: string }[], districtId: number, kind?: string) =>
      list.find((x) => x.districtId === districtId && (kind === undefined || x.kind === kind))?.n ?? 0;
    const districtRows = all.map((d) => ({
      name: d.name,
      referrals: count(byKind, d.id, 'all'),
      victim: count(byKind, d.id, 'victim'),
      perpetrator: count(byKind, d.id, 'perpetrator'),
      location: count(byKind, d.id, 'location'),
      repeats: count(repeats, d.id),
      heard: count(heard, d.id),
    }));
    const sum = (key: keyof Omit<(typeof districtRows)[number], 'name'>) => districtRows.reduce((s, r) => s + r[key], 0);
    const totals = { name: 'All districts', referrals: sum('referrals'), victim: sum('victim'), perpetrator: sum('perpetrator'), location: sum('location'), repeats: sum('repeats'), heard: sum('heard') };
    const agencyIds = [...new Set([...attendance.map((a) => a.id), ...actions.map((a) => a.id)])];
    const agencyRows = agencyIds
      .map((id) => {
        const a = attendance.find((x) => x.id === id);
        const b = actions.find((x) => x.id === id);
        const invited = a?.invited ?? 0;
        const attended = a?.attended ?? 0;
        const due = b?.due ?? 0;
        const onTime = b?.onTime ?? 0;
        return { name: (a?.name ?? b?.name) as string, invited, attended, attendanceRate: percent(attended, invited), due, onTime, onTimeRate: percent(onTime, due) };
      })
      .sort((x, y) => x.name.localeCompare(y.name));
    return { quarter, districtRows, totals, agencyRows };
  }

  return { districts, dashboard, trends, quarterly };
}

export type InsightService = ReturnType<typeof insightService>;
export type QuarterlyReturn = Awaited<ReturnType<InsightService['quarterly']>>;

export const QUARTERLY_DISTRICT_HEADERS = ['District', 'Referrals', 'Involving a victim', 'Involving a perpetrator', 'About a location', 'Repeat referrals', 'Cases heard'];
export const QUARTERLY_AGENCY_HEADERS = ['Agency', 'Panels invited to', 'Panels attended', 'Attendance rate', 'Actions due', 'Completed on time', 'Completed on time (%)'];

/** The quarterly return as one CSV: a section column says which table each row belongs to. */
export function quarterlyCsvRows(r: QuarterlyReturn): { headers: string[]; rows: (string | number)[][] } {
  const headers = ['Quarter', 'Section', 'Name', 'Measure', 'Value'];
  const rows: (string | number)[][] = [];
  for (const d of [...r.districtRows, r.totals]) {
    const values = [d.referrals, d.victim, d.perpetrator, d.location, d.repeats, d.heard];
    QUARTERLY_DISTRICT_HEADERS.slice(1).forEach((measure, i) => rows.push([r.quarter.label, 'District', d.name, measure, values[i]]));
  }
  for (const a of r.agencyRows) {
    const values = [a.invited, a.attended, a.attendanceRate, a.due, a.onTime, a.onTimeRate];
    QUARTERLY_AGENCY_HEADERS.slice(1).forEach((measure, i) => rows.push([r.quarter.label, 'Agency', a.name, measure, values[i]]));
  }
  return { headers, rows };
}
