import { monthLabel } from '../reports/svg-chart';
import { percent, type ReportTable } from './dashboard-tables';

/** One young-person check as the report counts it. */
export interface CheckForCount {
  districtName: string;
  /** The London month it was asked for, 'YYYY-MM'. */
  month: string;
  dueOn: string;
  /** The London date it was answered, or null while it is open. */
  answeredOn: string | null;
}

export interface CheckCount {
  districtName: string;
  month: string;
  asked: number;
  onTime: number;
  late: number;
  /** Open and past its due date. */
  overdue: number;
  /** Open and not yet due: not counted in the share, as it may still be answered on time. */
  notYetDue: number;
}

/**
 * Checks by district and month, with how many were answered on time (on or before the due date).
 * The share answered on time is of the checks whose time is up: answered, or open past their due date.
 */
export function countChecks(checks: CheckForCount[], today: string): CheckCount[] {
  const byKey = new Map<string, CheckCount>();
  for (const c of checks) {
    const key = `${c.districtName}\u0000${c.month}`;
    let row = byKey.get(key);
    if (!row) {
      row = { districtName: c.districtName, month: c.month, asked: 0, onTime: 0, late: 0, overdue: 0, notYetDue: 0 };
      byKey.set(key, row);
    }
    row.asked += 1;
    if (c.answeredOn !== null) {
      if (c.answeredOn <= c.dueOn) row.onTime += 1;
      else row.late += 1;
    } else if (c.dueOn < today) row.overdue += 1;
    else row.notYetDue += 1;
  }
  return [...byKey.values()].sort(
    (a, b) => a.month.localeCompare(b.month) || a.districtName.localeCompare(b.districtName),
  );
}

/** The share answered on time, as a whole percentage, or a dash when no check's time is up yet. */
export function onTimeShare(row: Pick<CheckCount, 'onTime' | 'late' | 'overdue'>): string {
  return percent(row.onTime, row.onTime + row.late + row.overdue);
}

/** The counts as a report table (page and CSV), with a total row. */
export function checkCountsTable(rows: CheckCount[]): ReportTable {
  const total = rows.reduce(
    (t, r) => ({
      asked: t.asked + r.asked,
      onTime: t.onTime + r.onTime,
      late: t.late + r.late,
      overdue: t.overdue + r.overdue,
      notYetDue: t.notYetDue + r.notYetDue,
    }),
    { asked: 0, onTime: 0, late: 0, overdue: 0, notYetDue: 0 },
  );
  return {
    name: 'youth-checks-by-district-and-month',
    title: 'Young-person checks by district and month',
    headers: [
      'Month',
      'District',
      'Checks asked',
      'Answered on time',
      'Answered late',
      'Overdue',
      'Not yet due',
      'Share answered on time',
    ],
    rows: [
      ...rows.map((r) => [
        monthLabel(r.month),
        r.districtName,
        r.asked,
        r.onTime,
        r.late,
        r.overdue,
        r.notYetDue,
        onTimeShare(r),
      ]),
      [
        'All months',
        'All districts',
        total.asked,
        total.onTime,
        total.late,
        total.overdue,
        total.notYetDue,
        onTimeShare(total),
      ],
    ],
  };
}
