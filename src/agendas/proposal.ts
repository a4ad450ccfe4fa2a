import type { AgendaItemKind } from '../db/schema';

/** A case that could go on an agenda, as the proposal needs to see it. */
export interface CandidateCase {
  referralId: number;
  reference: string;
  riskScore: number;
  involvesChildren: boolean;
  /** When the case was first heard at a panel ('YYYY-MM-DD'), or null for a new case. */
  firstHeardOn: string | null;
  incompleteActions: number;
}

export interface ProposalInput {
  /** The panel's date, 'YYYY-MM-DD' (London). */
  panelDate: string;
  /** Active cases heard at an earlier panel of the district and kept open for review. */
  reviews: CandidateCase[];
  /** Cases of the district accepted as high risk and awaiting a panel. */
  awaiting: CandidateCase[];
}

export interface ProposedItem {
  kind: Exclude<AgendaItemKind, 'other-business'>;
  referralId: number;
  reference: string;
  riskScore: number;
  involvesChildren: boolean;
  incompleteActions: number;
  minutesAllotted: number;
}

export const NEW_CASE_MINUTES = 15;
export const REVIEW_MINUTES = 10;
export const OTHER_BUSINESS_MINUTES = 10;

/** The date twelve months before a date, both 'YYYY-MM-DD'. */
export function twelveMonthsBefore(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const day = Math.min(d, new Date(Date.UTC(y - 1, m, 0)).getUTCDate());
  return `${y - 1}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const byRisk = (a: CandidateCase, b: CandidateCase) =>
  b.riskScore - a.riskScore || a.reference.localeCompare(b.reference);

/**
 * The agenda a chair would start from: reviews (with their incomplete actions) first, then new
 * cases involving children (so children's services can leave early), then other new cases, each
 * by risk score, highest first; then cases first heard twelve or more months ago, for a decision
 * on closure. No case appears twice.
 */
export function proposeAgenda(input: ProposalInput): ProposedItem[] {
  const anniversaryCutoff = twelveMonthsBefore(input.panelDate);
  const seen = new Set<number>();
  const once = (c: CandidateCase) => {
    if (seen.has(c.referralId)) return false;
    seen.add(c.referralId);
    return true;
  };
  const isAnniversary = (c: CandidateCase) => c.firstHeardOn !== null && c.firstHeardOn <= anniversaryCutoff;
  const reviews = [...input.reviews].filter((c) => !isAnniversary(c)).sort(byRisk);
  const anniversaries = [...input.reviews].filter(isAnniversary).sort(byRisk);
  const newCases = [...input.awaiting].sort(byRisk);
  const item = (kind: ProposedItem['kind'], c: CandidateCase): ProposedItem => ({
    kind,
    referralId: c.referralId,
    reference: c.reference,
    riskScore: c.riskScore,
    involvesChildren: c.involvesChildren,
    incompleteActions: c.incompleteActions,
    minutesAllotted: kind === 'new' ? NEW_CASE_MINUTES : REVIEW_MINUTES,
  });
  return [
    ...reviews.filter(once).map((c) => item('review', c)),
    ...newCases
      .filter((c) => c.involvesChildren)
      .filter(once)
      .map((c) => item('new', c)),
    ...newCases
      .filter((c) => !c.involvesChildren)
      .filter(once)
      .map((c) => item('new', c)),
    ...anniversaries.filter(once).map((c) => item('anniversary', c)),
  ];
}

export interface Slot {
  startsAt: Date;
  endsAt: Date;
  /** True when the item ends after the panel's end time. */
  overruns: boolean;
}

/** Each item's time slot, one after another from the panel's start. */
export function timeSlots(
  panel: { startsAt: Date; endsAt: Date },
  items: { minutesAllotted: number }[],
): { slots: Slot[]; endsAt: Date; overrunMinutes: number } {
  let cursor = panel.startsAt.getTime();
  const slots = items.map((i) => {
    const startsAt = new Date(cursor);
    cursor += i.minutesAllotted * 60_000;
    return { startsAt, endsAt: new Date(cursor), overruns: cursor > panel.endsAt.getTime() };
  });
  return {
    slots,
    endsAt: new Date(cursor),
    overrunMinutes: Math.max(0, Math.round((cursor - panel.endsAt.getTime()) / 60_000)),
  };
}

/** One item of a published agenda, as frozen in its version. */
export interface SnapshotItem {
  key: string;
  label: string;
  kind: AgendaItemKind;
  position: number;
  /** 'HH:MM' London time. */
  startsAt: string;
  minutes: number;
  referralId: number | null;
  reference: string | null;
  title: string | null;
  presentingAgency: string | null;
}

/** What changed between two published versions, in words a reader of the agenda understands. */
export function agendaChanges(before: SnapshotItem[], after: SnapshotItem[]): string[] {
  const old = new Map(before.map((i) => [i.key, i]));
  const now = new Map(after.map((i) => [i.key, i]));
  const changes: string[] = [];
  for (const i of after) if (!old.has(i.key)) changes.push(`Added: ${i.label} (item ${i.position}, ${i.startsAt})`);
  for (const i of before) if (!now.has(i.key)) changes.push(`Removed: ${i.label}`);
  // Reordered: the relative order of items on both versions changed, not just shifted by additions.
  const keptBefore = before.filter((i) => now.has(i.key)).map((i) => i.key);
  const keptAfter = after.filter((i) => old.has(i.key)).map((i) => i.key);
  for (const i of after) {
    const was = old.get(i.key);
    if (!was) continue;
    if (keptBefore.indexOf(i.key) !== keptAfter.indexOf(i.key))
      changes.push(`Moved: ${i.label} from item ${was.position} to item ${i.position}`);
    if (was.startsAt !== i.startsAt || was.minutes !== i.minutes)
      changes.push(
        `Time changed: ${i.label} now ${i.startsAt}, ${i.minutes} minutes (was ${was.startsAt}, ${was.minutes} minutes)`,
      );
  }
  return changes;
}
