import type { ServiceDeps } from '../service-deps';
import type { Db } from '../db/database';
import { londonDate, ZONE } from '../time';
import { DateTime } from 'luxon';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../http/context';
import { districts } from '../directory/directory.repository';
import * as repo from './insight.repository';
import { BASELINE_MONTHS, flagReason, RECENT_MONTHS, trendTest, type TrendResult } from './trend';
import { lastCompleteQuarter, parsePeriod, parseQuarter, type Period, type Quarter } from './period';
import { dashboardTables, kindName, percent, vulnerabilityName } from './dashboard-tables';

export { CLOSE_REASON_NAMES, ESCALATION_NAMES, percent, type ReportTable } from './dashboard-tables';

const chance = (p: number) => (p < 0.001 ? '<0.001' : p.toFixed(3));

export interface TrendRow extends TrendResult {
  districtId: number;
  districtName: string;
  kind: string;
  kindName: string;
  expectedText: string;
  chanceText: string;
  /** Why it is or is not flagged, in words. */
  reason: string;
}

export interface TrendReport {
  recentLabel: string;
  baselineLabel: string;
  rows: TrendRow[];
  flagged: TrendRow[];
}

const SUBJECT_KINDS = ['all', 'victim', 'perpetrator', 'location'] as const;

export async function trends(db: Db, now: Date, districtId: number | null): Promise<TrendReport> {
  const thisMonth = DateTime.fromJSDate(now).setZone(ZONE).startOf('month');
  const recentStart = thisMonth.minus({ months: RECENT_MONTHS });
  const baselineStart = recentStart.minus({ months: BASELINE_MONTHS });
  const [counts, all] = await Promise.all([
    repo.trendCounts(db, {
      baselineStart: baselineStart.toJSDate(),
      recentStart: recentStart.toJSDate(),
      end: thisMonth.toJSDate(),
    }),
    districts(db),
  ]);
  const rows: TrendRow[] = [];
  for (const district of all) {
    if (districtId !== null && district.id !== districtId) continue;
    for (const kind of SUBJECT_KINDS) {
      const c = counts.find((x) => x.districtId === district.id && x.kind === kind);
      const result = trendTest({ recent: c?.recent ?? 0, baseline: c?.baseline ?? 0 });
      rows.push({
        districtId: district.id,
        districtName: district.name,
        kind,
        kindName: kindName(kind),
        ...result,
        expectedText: result.expected.toFixed(2),
        chanceText: chance(result.pValue),
        reason: flagReason(result, result.expected.toFixed(2)),
      });
    }
  }
  const label = (from: DateTime, months: number) =>
    `${from.toFormat('MMMM yyyy')} to ${from.plus({ months: months - 1 }).toFormat('MMMM yyyy')}`;
  return {
    recentLabel: label(recentStart, RECENT_MONTHS),
    baselineLabel: label(baselineStart, BASELINE_MONTHS),
    rows,
    flagged: rows.filter((r) => r.flagged),
  };
}

async function dashboardFigures(db: Db, period: Period, now: Date) {
  const [byMonth, byKind, byDistrict, byAgency, screening, vulns, heard, open, closures, escalated, actions, trend] =
    await Promise.all([
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
      repo.actionsByAgency(db, period, londonDate(now)),
      trends(db, now, period.districtId),
    ]);
  const monthly = period.months.map((month) => ({ month, value: byMonth.find((m) => m.month === month)?.n ?? 0 }));
  const kinds = (['victim', 'perpetrator', 'location'] as const).map((k) => ({
    label: kindName(k),
    value: byKind.find((b) => b.key === k)?.n ?? 0,
  }));
  const closedTotal = closures.reduce((sum, c) => sum + c.n, 0);
  const escalatedTotal = escalated.reduce((sum, c) => sum + c.n, 0);
  return {
    monthly,
    kinds,
    byDistrict,
    byAgency,
    screening,
    vulns,
    heard,
    open,
    closures,
    closedTotal,
    escalated,
    escalatedTotal,
    actions,
    trend,
  };
}

export type DashboardFigures = Awaited<ReturnType<typeof dashboardFigures>>;

export async function dashboard(db: Db, period: Period, now: Date) {
  const f = await dashboardFigures(db, period, now);
  const { closures: _closures, escalated: _escalated, ...shown } = f;
  return {
    ...shown,
    tables: dashboardTables(f),
    vulns: f.vulns.map((v) => ({ label: vulnerabilityName(v.key), value: v.n })),
  };
}

function agencyRow(
  attendance: { id: number; name: string; fullName: string; invited: number; attended: number } | undefined,
  actions: { id: number; name: string; fullName: string; due: number; onTime: number } | undefined,
) {
  const invited = attendance?.invited ?? 0;
  const attended = attendance?.attended ?? 0;
  const due = actions?.due ?? 0;
  const onTime = actions?.onTime ?? 0;
  return {
    name: attendance?.name ?? actions?.name ?? '',
    /** The agency's full name, for the board's printed return. */
    fullName: attendance?.fullName ?? actions?.fullName ?? '',
    invited,
    attended,
    attendanceRate: percent(attended, invited),
    due,
    onTime,
    onTimeRate: percent(onTime, due),
  };
}

export async function quarterly(db: Db, quarter: Quarter, now: Date) {
  const span = { start: quarter.start, end: quarter.end, districtId: null };
  const [all, byKind, repeats, heard, attendance, actions] = await Promise.all([
    districts(db),
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
  const totals = {
    name: 'All districts',
    referrals: sum('referrals'),
    victim: sum('victim'),
    perpetrator: sum('perpetrator'),
    location: sum('location'),
    repeats: sum('repeats'),
    heard: sum('heard'),
  };
  const agencyIds = [...new Set([...attendance.map((a) => a.id), ...actions.map((a) => a.id)])];
  const agencyRows = agencyIds
    .map((id) =>
      agencyRow(
        attendance.find((x) => x.id === id),
        actions.find((x) => x.id === id),
      ),
    )
    .sort((x, y) => x.name.localeCompare(y.name));
  return { quarter, districtRows, totals, agencyRows };
}

type Deps = Pick<ServiceDeps, 'db' | 'clock'>;

/** The dashboard's filters as typed, checked against today and the districts that exist. */
async function filters({ db, clock }: Deps, query: Record<string, unknown>) {
  const all = await districts(db);
  return {
    districts: all,
    parsed: parsePeriod(
      query,
      clock.now(),
      all.map((d) => d.id),
    ),
  };
}

/** The quarter asked for (the last complete one when none is), checked. */
function quarterAsked({ clock }: Deps, value: unknown) {
  const requested = typeof value === 'string' ? value : lastCompleteQuarter(clock.now());
  return { requested, parsed: parseQuarter(requested, clock.now()) };
}

function filterDetails(p: Period) {
  return { from: p.fromMonth, to: p.toMonth, districtId: p.districtId };
}

/** The dashboard for a period; the viewing is audited. */
async function dashboardFor({ db, clock }: Deps, period: Period, actor: Actor) {
  const report = await dashboard(db, period, clock.now());
  await recordAudit(db, actor, {
    action: 'report.view',
    entityType: 'report',
    entityId: 'dashboard',
    details: filterDetails(period),
  });
  return report;
}

/** One table of the dashboard for export, or undefined when there is none of that name; the export is audited. */
async function dashboardTable({ db, clock }: Deps, period: Period, name: string, actor: Actor) {
  const report = await dashboard(db, period, clock.now());
  const table = report.tables.find((t) => t.name === name);
  if (table)
    await recordAudit(db, actor, {
      action: 'report.export',
      entityType: 'report',
      entityId: name,
      details: { ...filterDetails(period), rows: table.rows.length },
    });
  return table;
}

/** The quarterly return, shown (`format` absent) or exported; either is audited. */
async function quarterlyFor({ db, clock }: Deps, quarter: Quarter, actor: Actor, format?: 'csv' | 'pdf') {
  const data = await quarterly(db, quarter, clock.now());
  const details = { quarter: quarter.label, ...(format ? { format } : {}) };
  await recordAudit(db, actor, {
    action: format ? 'report.export' : 'report.view',
    entityType: 'report',
    entityId: 'quarterly',
    details,
  });
  return data;
}

export function insightService(deps: Deps) {
  const { db, clock } = deps;
  return {
    districts: () => districts(db),
    filters: (query: Record<string, unknown>) => filters(deps, query),
    quarterAsked: (value: unknown) => quarterAsked(deps, value),
    dashboard: (period: Period, actor: Actor) => dashboardFor(deps, period, actor),
    dashboardTable: (period: Period, name: string, actor: Actor) => dashboardTable(deps, period, name, actor),
    trends: (districtId: number | null) => trends(db, clock.now(), districtId),
    quarterly: (quarter: Quarter, actor: Actor, format?: 'csv' | 'pdf') => quarterlyFor(deps, quarter, actor, format),
  };
}

export type InsightService = ReturnType<typeof insightService>;
export type QuarterlyReturn = Awaited<ReturnType<typeof quarterly>>;

export const QUARTERLY_DISTRICT_HEADERS = [
  'District',
  'Referrals',
  'Involving a victim',
  'Involving a perpetrator',
  'About a location',
  'Repeat referrals',
  'Cases heard',
];
export const QUARTERLY_AGENCY_HEADERS = [
  'Agency',
  'Panels invited to',
  'Panels attended',
  'Attendance rate',
  'Actions due',
  'Completed on time',
  'Completed on time (%)',
];

/** The quarterly return as one CSV: a section column says which table each row belongs to. */
export function quarterlyCsvRows(r: QuarterlyReturn): { headers: string[]; rows: (string | number)[][] } {
  const headers = ['Quarter', 'Section', 'Name', 'Measure', 'Value'];
  const rows: (string | number)[][] = [];
  for (const d of [...r.districtRows, r.totals]) {
    const values = [d.referrals, d.victim, d.perpetrator, d.location, d.repeats, d.heard];
    QUARTERLY_DISTRICT_HEADERS.slice(1).forEach((measure, i) =>
      rows.push([r.quarter.label, 'District', d.name, measure, values[i]]),
    );
  }
  for (const a of r.agencyRows) {
    const values = [a.invited, a.attended, a.attendanceRate, a.due, a.onTime, a.onTimeRate];
    QUARTERLY_AGENCY_HEADERS.slice(1).forEach((measure, i) =>
      rows.push([r.quarter.label, 'Agency', a.name, measure, values[i]]),
    );
  }
  return { headers, rows };
}
