import type { Db } from '../db/database';
import { formatCalendarDate } from '../time';
import type { MinutesCorrections } from '../db/schema';
import { nextPanelStart, PANEL_STATUSES } from '../panels/panels.service';
import { confidentialityStatementById } from '../register/register.service';
import { recordedAgenda } from '../meeting/meeting.service';
import { latestReviews } from '../actions/actions.service';
import * as repo from './minutes-content.repository';
import { findDraft } from './minutes.repository';
import {
  attendanceSection,
  circulationSection,
  confidentialitySection,
  itemSection,
  nextPanelText,
  observersSection,
  panelHeading,
  type AgendaRow,
  type ItemRecord,
  type RegisterRow,
} from './minutes-sections';

export { defaultRecipients, eligibleRecipients, type Recipient } from './minutes-content.repository';

/** The minutes name the district's next panel unless it was cancelled. */
const NOT_CANCELLED = PANEL_STATUSES.filter((s) => s !== 'cancelled');

/** Everything the minutes say, display-ready: frozen as JSON when a version is approved. */
export interface MinutesContent {
  panel: {
    id: number;
    district: string;
    date: string;
    dateText: string;
    time: string;
    venue: string | null;
    online: boolean;
    chair: string;
  };
  /** Every invited agency once: Present (with who attended), Apologies (with information sent) or Absent. */
  attendance: Array<{
    agency: string;
    status: string;
    people: Array<{ name: string; role: string | null; deputy: boolean; status: string }>;
    informationSent: string | null;
    receivedOn: string | null;
  }>;
  /** Only in versions approved before the attendance listed apologies itself; the templates still show it. */
  apologies?: Array<{ agency: string; informationSent: string; receivedOn: string | null }>;
  observers: Array<{ name: string; role: string | null }>;
  confidentiality: { version: number; text: string; agreedBy: string[] } | null;
  introduction: string | null;
  items: MinutesItem[];
  /** Each item of other business, with the notes recorded at the meeting and the actions agreed on it. */
  otherBusiness: Array<{
    title: string;
    notes?: string | null;
    actions?: Array<{ description: string; agency: string; owner: string | null; dueOn: string }>;
  }>;
  otherBusinessNotes: string | null;
  nextPanel: string | null;
  circulation: Array<{ agency: string; people: string[] }>;
}

export interface MinutesItem {
  agendaItemId: number;
  number: number;
  kind: string;
  reference: string;
  subjects: string[];
  sharedInformation: Array<{ agencyId?: number; agency: string; text: string; corrected?: boolean }>;
  discussion: string | null;
  recordedDiscussion: string | null;
  riskLevel: string;
  decision: string;
  nextReviewOn: string | null;
  actions: Array<{
    actionId?: number;
    description: string;
    agencyId?: number;
    agency: string;
    owner: string | null;
    dueOn: string;
    /** The due date as YYYY-MM-DD, for correcting it. */
    dueOnIso?: string;
    corrected?: boolean;
  }>;
  previousActions: Array<{
    description: string;
    agency: string;
    status: string;
    outcome: string | null;
    /** What this panel recorded when it reviewed the action: the outcome, the reason and the next step. */
    review: string | null;
  }>;
}

export interface DraftText {
  introduction: string | null;
  otherBusiness: string | null;
  itemSummaries: Record<string, string>;
  corrections: MinutesCorrections;
}

/** The draft's edited text as saved, and its version (0 before the first save). */
export async function draftText(db: Db, panelId: number): Promise<DraftText & { version: number }> {
  const row = await findDraft(db, panelId);
  return {
    introduction: row?.introduction ?? null,
    otherBusiness: row?.otherBusiness ?? null,
    itemSummaries: row?.itemSummaries ?? {},
    corrections: row?.corrections ?? {},
    version: row?.version ?? 0,
  };
}

export function minutesTitle(content: MinutesContent): string {
  return `Minutes of the ASBRAC panel, ${content.panel.district}, ${content.panel.dateText}`;
}

/** The statement agreed to: the panel's own, or else the one the register recorded. */
async function confidentialityStatement(db: Db, panelStatementId: number | null, register: RegisterRow[]) {
  const statementId =
    panelStatementId ?? register.find((e) => e.confidentialityStatementId)?.confidentialityStatementId ?? null;
  return statementId ? confidentialityStatementById(db, statementId) : undefined;
}

async function itemRecord(db: Db, panelId: number, caseItems: AgendaRow[]): Promise<ItemRecord> {
  const referralIds = caseItems.map((a) => a.referralId).filter((id): id is number => Boolean(id));
  const agendaItemIds = caseItems.map((a) => a.id);
  const [subjects, shared, actions] = await Promise.all([
    repo.listSubjects(db, referralIds),
    repo.listSharedInformation(db, agendaItemIds),
    repo.listActions(db, referralIds),
  ]);
  const actionIds = actions.map((a) => a.id);
  const [notes, reviews] = await Promise.all([
    repo.listActionNotes(db, actionIds),
    latestReviews(db, actionIds, panelId),
  ]);
  return { subjects, shared, actions, reviews, lastNote: new Map(notes.map((u) => [u.actionId, u.note])) };
}

/** Assembles the minutes of a panel from its record, with the draft's edited text laid over it. */
export async function assembleMinutes(db: Db, panelId: number, draft: DraftText): Promise<MinutesContent> {
  const panel = await repo.findPanelHeading(db, panelId);
  const [invited, register, responses, agenda, nextStart, recipients] = await Promise.all([
    repo.listInvitedAgencies(db, panelId),
    repo.listRegister(db, panelId),
    repo.listAttendanceResponses(db, panelId),
    recordedAgenda(db, panelId),
    nextPanelStart(db, panel.districtId, panel.startsAt, NOT_CANCELLED),
    repo.defaultRecipients(db, panelId),
  ]);
  const caseItems = agenda.filter((a) => a.kind !== 'other-business');
  const otherItems = agenda.filter((a) => a.kind === 'other-business');
  const otherActions = await repo.listItemActions(
    db,
    otherItems.map((a) => a.id),
  );
  const [statement, record] = await Promise.all([
    confidentialityStatement(db, panel.confidentialityStatementId, register),
    itemRecord(db, panelId, caseItems),
  ]);
  return {
    panel: panelHeading(panel),
    attendance: attendanceSection(invited, register, responses),
    observers: observersSection(register),
    confidentiality: confidentialitySection(statement, register),
    introduction: draft.introduction?.trim() || null,
    items: caseItems.map((a, i) =>
      itemSection(a, i + 1, panelId, record, {
        summary: draft.itemSummaries[String(a.id)],
        corrections: draft.corrections,
        agencyNames: new Map(invited.map((x) => [x.agencyId, x.agency])),
      }),
    ),
    otherBusiness: otherItems.map((a) => ({
      title: a.title ?? '',
      notes: a.discussion,
      actions: otherActions
        .filter((x) => x.agendaItemId === a.id)
        .map((x) => ({
          description: x.description,
          agency: x.agency,
          owner: x.ownerName,
          dueOn: formatCalendarDate(x.dueOn),
        })),
    })),
    otherBusinessNotes: draft.otherBusiness?.trim() || null,
    nextPanel: nextPanelText(nextStart ?? undefined),
    circulation: circulationSection(recipients),
  };
}
