import { formatCalendarDate, formatDate, formatDateTime, londonDate, londonTime } from '../time';
import type { MinutesContent, MinutesItem } from './minutes-content';
import { reviewSummary, type StoredReview } from '../actions/action-review';
import type { MinutesCorrections } from '../db/schema';
import type * as repo from './minutes-content.repository';
import type { Recipient } from './minutes-content.repository';
import type { recordedAgenda } from '../meeting/meeting.service';

/** A subject's role, as the minutes name it beside the subject. */
const SUBJECT_ROLES: Record<string, string> = { victim: 'victim', perpetrator: 'perpetrator', location: 'location' };

// The sections of the minutes, each built from rows already read: no database here.

const KIND = {
  review: 'Review',
  new: 'New case',
  anniversary: 'Anniversary review',
  'other-business': 'Other business',
} as const;
const STATUS = {
  present: 'Present',
  online: 'Online',
  late: 'Arrived late',
  'left-early': 'Left early',
  absent: 'Absent',
  apologies: 'Apologies',
} as const;
const AGENCY_STATUS = { present: 'Present', apologies: 'Apologies', absent: 'Absent' } as const;
const DECISION = { review: 'Keep under review', close: 'Close', escalate: 'Escalate', deferred: 'Deferred' } as const;
const CLOSE = {
  'risk-reduced': 'risk reduced',
  'moved-away': 'moved away',
  'other-process': 'managed by another process',
  other: 'other reason',
} as const;
const ESCALATE = {
  marac: 'MARAC',
  mappa: 'MAPPA',
  'adult-safeguarding': 'adult safeguarding',
  'child-safeguarding': 'child safeguarding',
  other: 'another process',
} as const;
const ACTION_STATUS = {
  open: 'Open',
  'in-progress': 'In progress',
  completed: 'Completed',
  'not-possible': 'Not possible',
  'not-done': 'Not done',
  escalated: 'Escalated',
  closed: 'Closed by the panel',
} as const;
const RISK = { high: 'High', medium: 'Medium', low: 'Low' } as const;

type PanelHeadingRow = Awaited<ReturnType<typeof repo.findPanelHeading>>;
export type RegisterRow = Awaited<ReturnType<typeof repo.listRegister>>[number];
type InvitedRow = Awaited<ReturnType<typeof repo.listInvitedAgencies>>[number];
type ResponseRow = Awaited<ReturnType<typeof repo.listAttendanceResponses>>[number];
export type AgendaRow = Awaited<ReturnType<typeof recordedAgenda>>[number];

/** What the minutes say of the cases on the agenda, read once for all of them. */
export interface ItemRecord {
  subjects: Awaited<ReturnType<typeof repo.listSubjects>>;
  shared: Awaited<ReturnType<typeof repo.listSharedInformation>>;
  actions: Awaited<ReturnType<typeof repo.listActions>>;
  /** The last note on each action, by action id. */
  lastNote: Map<number, string | null>;
  /** What this panel recorded when it reviewed each earlier action, by action id. */
  reviews: Map<number, StoredReview>;
}

export function panelHeading(panel: PanelHeadingRow): MinutesContent['panel'] {
  return {
    id: panel.id,
    district: panel.district,
    date: londonDate(panel.startsAt),
    dateText: formatDate(panel.startsAt),
    time: `${londonTime(panel.startsAt)} to ${londonTime(panel.endsAt)}`,
    venue: panel.venue,
    online: Boolean(panel.onlineLink),
    chair: panel.chair,
  };
}

function statusText(status: keyof typeof STATUS, arrivedAt: string | null, leftAt: string | null): string {
  if (status === 'late') return arrivedAt ? `Arrived late at ${arrivedAt}` : STATUS.late;
  if (status === 'left-early') return leftAt ? `Left early at ${leftAt}` : STATUS['left-early'];
  return STATUS[status];
}

/** Whether an entry attended: present in the room or online, late or leaving early. */
function attended(e: RegisterRow): boolean {
  return e.status !== 'absent' && e.status !== 'apologies';
}

/** Observers are the register's entries without an agency, whether or not marked as observers. */
function isObserver(e: RegisterRow): boolean {
  return e.isObserver || e.agencyId === null;
}

/**
 * An agency's status is the register's: present if anyone attended for it, else apologies if the
 * register says so. An agency the register does not name sent apologies if it answered so beforehand.
 */
function agencyStatus(entries: RegisterRow[], response: ResponseRow | undefined): keyof typeof AGENCY_STATUS {
  if (entries.some(attended)) return 'present';
  if (entries.some((e) => e.status === 'apologies')) return 'apologies';
  if (entries.length) return 'absent';
  return response?.answer === 'apologies' ? 'apologies' : 'absent';
}

/** A deputy is the person the agency said it was sending instead of its representative. */
function isDeputy(e: RegisterRow, response: ResponseRow | undefined): boolean {
  const deputy = response?.answer === 'deputy' ? response.deputyName?.trim().toLowerCase() : undefined;
  return Boolean(deputy) && deputy === e.personName.trim().toLowerCase();
}

/**
 * Every invited agency once, and any other agency on the register, with its status: who attended
 * for it, or, with its apologies, whether it sent information and when that was received.
 */
export function attendanceSection(
  invited: InvitedRow[],
  register: RegisterRow[],
  responses: ResponseRow[],
): MinutesContent['attendance'] {
  const members = register.filter((e) => !isObserver(e));
  const agencies = new Map(invited.map((a) => [a.agencyId, a.agency]));
  for (const e of members)
    if (e.agencyId !== null && !agencies.has(e.agencyId)) agencies.set(e.agencyId, e.agency ?? '');
  return [...agencies]
    .map(([agencyId, agency]) => {
      const entries = members.filter((e) => e.agencyId === agencyId);
      const response = responses.find((r) => r.agencyId === agencyId);
      const status = agencyStatus(entries, response);
      const apologies = status === 'apologies';
      return {
        agency,
        status: AGENCY_STATUS[status],
        people: entries.filter(attended).map((e) => ({
          name: e.personName,
          role: e.role,
          deputy: isDeputy(e, response),
          status: statusText(e.status, e.arrivedAt, e.leftAt),
        })),
        informationSent: apologies ? (response?.informationInAdvance ? 'Yes' : 'No') : null,
        receivedOn:
          apologies && response?.informationReceivedOn ? formatCalendarDate(response.informationReceivedOn) : null,
      };
    })
    .sort((a, b) => a.agency.localeCompare(b.agency, 'en-GB'));
}

export function observersSection(register: RegisterRow[]): MinutesContent['observers'] {
  return register.filter(isObserver).map((e) => ({ name: e.personName, role: e.role }));
}

export function confidentialitySection(
  statement: { version: number; text: string } | undefined,
  register: RegisterRow[],
): MinutesContent['confidentiality'] {
  return statement
    ? {
        version: statement.version,
        text: statement.text,
        agreedBy: register.filter((e) => e.confidentialityAgreed).map((e) => e.personName),
      }
    : null;
}

function decisionText(a: AgendaRow): string {
  let decision: string = a.decision ? DECISION[a.decision] : 'Not recorded';
  if (a.decision === 'close' && a.closeReason) decision += ` (${CLOSE[a.closeReason]})`;
  if (a.decision === 'escalate' && a.escalateTo) decision += ` to ${ESCALATE[a.escalateTo]}`;
  if (a.decision === 'deferred' && a.deferredReason) decision += `: ${a.deferredReason}`;
  if (a.decisionNote) decision += `. ${a.decisionNote}`;
  return decision;
}

/**
 * One case on the agenda: the actions agreed at this panel, and (except for a new case) those
 * from earlier panels with how they ended. A summary in the draft replaces the recorded discussion.
 */
export function itemSection(
  a: AgendaRow,
  number: number,
  panelId: number,
  record: ItemRecord,
  draft: { summary: string | undefined; corrections: MinutesCorrections; agencyNames: Map<number, string> },
): MinutesItem {
  const actions = record.actions.filter((x) => x.referralId === a.referralId);
  const sharedFix = draft.corrections.shared ?? {};
  const actionFix = draft.corrections.actions ?? {};
  return {
    agendaItemId: a.id,
    number,
    kind: KIND[a.kind],
    reference: a.reference ?? 'No reference',
    subjects: record.subjects
      .filter((s) => s.referralId === a.referralId)
      .map((s) => `${s.fullName ?? s.description ?? 'Unnamed'} (${SUBJECT_ROLES[s.kind ?? ''] ?? 'subject'})`),
    sharedInformation: record.shared
      .filter((s) => s.agendaItemId === a.id)
      .map((s) => {
        const fix = sharedFix[`${a.id}:${s.agencyId}`];
        return { agencyId: s.agencyId, agency: s.agency, text: fix ?? s.text, corrected: fix !== undefined };
      }),
    discussion: draft.summary?.trim() || a.discussion,
    recordedDiscussion: a.discussion,
    riskLevel: a.riskLevel ? RISK[a.riskLevel] : 'Not recorded',
    decision: decisionText(a),
    nextReviewOn: a.nextReviewOn ? formatCalendarDate(a.nextReviewOn) : null,
    actions: actions
      .filter((x) => x.panelId === panelId)
      .map((x) => {
        const fix = actionFix[String(x.id)];
        const shown = fix ?? {
          description: x.description,
          ownerAgencyId: x.ownerAgencyId,
          ownerName: x.ownerName,
          dueOn: x.dueOn,
        };
        return {
          actionId: x.id,
          description: shown.description,
          agencyId: shown.ownerAgencyId,
          agency: fix ? (draft.agencyNames.get(fix.ownerAgencyId) ?? x.agency) : x.agency,
          owner: shown.ownerName,
          dueOn: formatCalendarDate(shown.dueOn),
          dueOnIso: shown.dueOn,
          corrected: fix !== undefined,
        };
      }),
    previousActions:
      a.kind === 'new'
        ? []
        : actions
            .filter((x) => x.panelId !== panelId)
            .map((x) => ({
              description: x.description,
              agency: x.agency,
              status: ACTION_STATUS[x.status],
              outcome: record.lastNote.get(x.id) ?? null,
              review: reviewOf(record.reviews.get(x.id)),
            })),
  };
}

const reviewOf = (r: StoredReview | undefined) => (r ? reviewSummary(r) : null);

export function nextPanelText(startsAt: Date | undefined): string | null {
  return startsAt ? formatDateTime(startsAt) : null;
}

export function circulationSection(recipients: Recipient[]): MinutesContent['circulation'] {
  const byAgency = new Map<string, string[]>();
  for (const r of recipients) byAgency.set(r.agencyName, [...(byAgency.get(r.agencyName) ?? []), r.name]);
  return [...byAgency.entries()].map(([agency, people]) => ({ agency, people }));
}
