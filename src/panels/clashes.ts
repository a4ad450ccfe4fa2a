import { formatDate, londonTime } from '../time';

// Warnings when a panel is scheduled: another panel of the district within 14 days, the chair at
// two panels at once, or the venue booked twice. Pure rules over the panels already found.

export const DISTRICT_GAP_DAYS = 14;

export interface PlannedPanel {
  districtId: number;
  startsAt: Date;
  endsAt: Date;
  chairUserId: number | null;
  venue: string | null;
}

export interface ExistingPanel extends PlannedPanel {
  id: number;
  districtName: string;
}

const DAY_MS = 86_400_000;
const overlaps = (a: PlannedPanel, b: PlannedPanel) => a.startsAt < b.endsAt && b.startsAt < a.endsAt;
const sameVenue = (a: string | null, b: string | null) =>
  Boolean(a?.trim() && b?.trim() && a.trim().toLowerCase() === b.trim().toLowerCase());
const when = (p: ExistingPanel) => `${formatDate(p.startsAt)}, ${londonTime(p.startsAt)} to ${londonTime(p.endsAt)}`;

/** What clashes with the planned panel, in words, one line for each clash. */
export function clashWarnings(planned: PlannedPanel, others: ExistingPanel[]): string[] {
  const warnings: string[] = [];
  for (const o of others) {
    if (
      o.districtId === planned.districtId &&
      Math.abs(o.startsAt.getTime() - planned.startsAt.getTime()) < DISTRICT_GAP_DAYS * DAY_MS
    )
      warnings.push(`Another ${o.districtName} panel is within ${DISTRICT_GAP_DAYS} days: ${when(o)}.`);
    if (planned.chairUserId !== null && o.chairUserId === planned.chairUserId && overlaps(planned, o))
      warnings.push(`The chair is already chairing the ${o.districtName} panel at that time: ${when(o)}.`);
    if (sameVenue(planned.venue, o.venue) && overlaps(planned, o))
      warnings.push(`${o.venue!.trim()} is already booked for the ${o.districtName} panel at that time: ${when(o)}.`);
  }
  return warnings;
}
