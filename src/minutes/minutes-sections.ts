import { formatCalendarDate, formatDate, formatDateTime, londonDate, londonTime } from '../time';
import type { MinutesContent, MinutesItem } from './minutes-content';
import type * as repo from './minutes-content.repository';
import type { Recipient } from './minutes-content.repository';
import type { recordedAgenda } from '../meeting/meeting.service';

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
} as const;
const RISK = { high: 'High', medium: 'Medium', low: 'Low' } as const;

type PanelHeadingRow = Awaited<ReturnType<typeof repo.findPanelHeading>>;
export type RegisterRow = Awaited<ReturnType<typeof repo.listRegister>>[number];
type ResponseRow = Awaited<ReturnType<typeof repo.listAttendanceResponses>>[number];
export type AgendaRow = Awaited<ReturnType<typeof recordedAgenda>>[number];

/** What the minutes say of the cases on the agenda, read once for all of them. */
export interface ItemRecord {
  subjects: Awaited<ReturnType<typeof repo.listSubjects>>;
  shared: Awaited<ReturnType<typeof repo.listSharedInformation>>;
  actions: Awaited<ReturnType<typeof repo.listActions>>;
  /** The last note on each action, by action id. */
  lastNote: Map<number, string | null>;
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

/** Those who took part, by agency: observers and those absent or giving apologies are not listed. */
export function attendanceSection(register: RegisterRow[]): MinutesContent['attendance'] {
  const byAgency = new Map<string, MinutesContent['attendance'][number]>();
  for (const r of register.filter((e) => !e.isObserver && e.status !== 'absent' && e.status !== 'apologies')) {
    const agency = r.agency ?? 'No agency';
    const entry = byAgency.get(agency) ?? { agency, people: [] };
    entry.people.push({ name: r.personName, role: r.role, status: statusText(r.status, r.arrivedAt, r.leftAt) });
    byAgency.set(agency, entry);
  }
  return [...byAgency.values()];
}

export function apologiesSection(responses: ResponseRow[]): MinutesContent['apologies'] {
  return responses
    .filter((r) => r.answer === 'apologies')
    .map((r) => ({
      agency: r.agency,
      informationSent: r.informationInAdvance ? 'Yes' : 'No',
      receivedOn: r.informationReceivedOn ? formatCalendarDate(r.informationReceivedOn) : null,
    }));
}

export function observersSection(register: RegisterRow[]): MinutesContent['observers'] {
  return register.filter((e) => e.isObserver).map((e) => ({ name: e.personName, role: e.role }));
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
  summary: string | undefined,
): MinutesItem {
  const actions = record.actions.filter((x) => x.referralId === a.referralId);
  return {
    agendaItemId: a.id,
    number,
    kind: KIND[a.kind],
    reference: a.reference ?? 'No reference',
    subjects: record.subjects
      .filter((s) => s.referralId === a.referralId)
      .map((s) => s.fullName ?? s.description ?? 'Unnamed'),
    sharedInformation: record.shared
      .filter((s) => s.agendaItemId === a.id)
      .map((s) => ({ agency: s.agency, text: s.text })),
    discussion: summary?.trim() || a.discussion,
    recordedDiscussion: a.discussion,
    riskLevel: a.riskLevel ? RISK[a.riskLevel] : 'Not recorded',
    decision: decisionText(a),
    nextReviewOn: a.nextReviewOn ? formatCalendarDate(a.nextReviewOn) : null,
    actions: actions
      .filter((x) => x.panelId === panelId)
      .map((x) => ({
        description: x.description,
        agency: x.agency,
        owner: x.ownerName,
        dueOn: formatCalendarDate(x.dueOn),
      })),
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
            })),
  };
}

export function nextPanelText(startsAt: Date | undefined): string | null {
  return startsAt ? formatDateTime(startsAt) : null;
}

export function circulationSection(recipients: Recipient[]): MinutesContent['circulation'] {
  const byAgency = new Map<string, string[]>();
  for (const r of recipients) byAgency.set(r.agencyName, [...(byAgency.get(r.agencyName) ?? []), r.name]);
  return [...byAgency.entries()].map(([agency, people]) => ({ agency, people }));
}
