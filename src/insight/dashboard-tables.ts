import { SUBJECT_KIND_NAMES, VULNERABILITY_NAMES } from '../referrals/referral-codes';
import { monthLabel } from '../reports/svg-chart';
import type * as repo from './insight.repository';
import type { DashboardFigures } from './insight.service';

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

export const kindName = (k: string) =>
  k === 'all' ? 'All referrals' : ((SUBJECT_KIND_NAMES as Record<string, string>)[k] ?? k);
export const vulnerabilityName = (k: string) => (VULNERABILITY_NAMES as Record<string, string>)[k] ?? k;
/** A whole-number percentage, or a dash when there is nothing to divide by. */
export const percent = (part: number, whole: number): string =>
  whole === 0 ? '–' : `${Math.round((part / whole) * 100)}%`;

/** The counted reasons, in the order of `names`, for those that occur. */
function namedCounts(
  names: Record<string, string>,
  counts: repo.Count[],
  label: (name: string) => string,
): (string | number)[][] {
  return Object.keys(names)
    .filter((k) => counts.some((c) => c.key === k))
    .map((k) => [label(names[k]), counts.find((c) => c.key === k)?.n ?? 0]);
}

function referralTables(f: DashboardFigures): ReportTable[] {
  return [
    {
      name: 'referrals-by-month',
      title: 'Referrals by month',
      headers: ['Month', 'Referrals'],
      rows: f.monthly.map((m) => [monthLabel(m.month), m.value]),
    },
    {
      name: 'referrals-by-subject-type',
      title: 'Referrals by subject type',
      headers: ['Subject type', 'Referrals'],
      rows: f.kinds.map((k) => [k.label, k.value]),
    },
    {
      name: 'referrals-by-district',
      title: 'Referrals by district',
      headers: ['District', 'Referrals'],
      rows: f.byDistrict.map((d) => [d.name, d.n]),
    },
    {
      name: 'referrals-by-agency',
      title: 'Referrals by referring agency',
      headers: ['Referring agency', 'Referrals'],
      rows: f.byAgency.map((a) => [a.name, a.n]),
    },
  ];
}

function screeningTable({ screening }: DashboardFigures): ReportTable {
  return {
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
  };
}

function vulnerabilitiesTable(f: DashboardFigures): ReportTable {
  return {
    name: 'vulnerabilities',
    title: 'Vulnerabilities most often present',
    headers: ['Vulnerability', 'Referrals'],
    rows: f.vulns.map((v) => [vulnerabilityName(v.key), v.n]),
  };
}

function outcomesTable(f: DashboardFigures): ReportTable {
  return {
    name: 'case-outcomes',
    title: 'Cases heard, open, closed and escalated',
    headers: ['Measure', 'Cases'],
    rows: [
      ['Heard at a panel in the period', f.heard],
      ['Open now (awaiting a panel or active)', f.open],
      ['Closed in the period', f.closedTotal],
      ...namedCounts(CLOSE_REASON_NAMES, f.closures, (name) => `Closed: ${name}`),
      ['Escalated in the period', f.escalatedTotal],
      ...namedCounts(ESCALATION_NAMES, f.escalated, (name) => `Escalated to ${name}`),
    ],
  };
}

function actionsTable(f: DashboardFigures): ReportTable {
  return {
    name: 'actions-by-agency',
    title: 'Actions set at panels in the period, by agency',
    headers: [
      'Agency',
      'Set',
      'Completed on time',
      'Completed late',
      'Overdue',
      'Open, not yet due',
      'Not possible',
      'Not done by the agency',
      'Completed on time (%)',
    ],
    rows: f.actions.map((a) => [
      a.name,
      a.set,
      a.onTime,
      a.late,
      a.overdue,
      a.open,
      a.notPossible,
      a.notDone,
      percent(a.onTime, a.set),
    ]),
  };
}

function trendTable({ trend }: DashboardFigures): ReportTable {
  return {
    name: 'trend-alerts',
    title: 'Trend test by district and subject type',
    headers: [
      'District',
      'Subject type',
      `Baseline: ${trend.baselineLabel}`,
      'Expected in 3 months',
      `Last 3 months: ${trend.recentLabel}`,
      'Chance (p)',
      'Flagged',
      'Why',
    ],
    rows: trend.rows.map((r) => [
      r.districtName,
      r.kindName,
      r.baseline,
      r.expectedText,
      r.recent,
      r.chanceText,
      r.flagged ? 'Yes' : 'No',
      r.reason,
    ]),
  };
}

/** The dashboard's tables, in the order the page shows them. */
export function dashboardTables(f: DashboardFigures): ReportTable[] {
  return [
    ...referralTables(f),
    screeningTable(f),
    vulnerabilitiesTable(f),
    outcomesTable(f),
    actionsTable(f),
    trendTable(f),
  ];
}
