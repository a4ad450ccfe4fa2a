import { ACTION_STATUS_NAMES, ACTION_STATUS_TAGS, isFinal } from '../actions/action-status';
import { reviewSummary, type StoredReview } from '../actions/action-review';
import type { ActionStatus, Decision } from '../db/schema';
import {
  CLOSE_REASON_NAMES,
  DECISION_NAMES,
  ESCALATION_NAMES,
  ITEM_KIND_NAMES,
  RISK_LEVEL_NAMES,
  type CloseReason,
  type Escalation,
  type RiskLevel,
} from '../meeting/meeting-codes';
import { formatCalendarDate, formatDate, formatDateTime } from '../time';
import { paragraphs } from './referral-view';

export interface Hearing {
  agendaItemId: number;
  kind: string;
  panelId: number;
  startsAt: Date;
  panelStatus: string;
  districtName: string;
  riskLevel: RiskLevel | null;
  decision: Decision | null;
  closeReason: CloseReason | null;
  escalateTo: Escalation | null;
  decisionNote: string | null;
  nextReviewOn: string | null;
  deferredReason: string | null;
}

export interface CaseAction {
  id: number;
  description: string;
  ownerName: string | null;
  dueOn: string;
  status: ActionStatus;
  closedAt: Date | null;
  agencyName: string;
  panelStartsAt: Date;
  lastNote: string | null;
  lastUpdateAt: Date | null;
}

function hearingView(h: Hearing) {
  return {
    title: `${h.districtName} panel, ${formatDate(h.startsAt)}`,
    kindName: ITEM_KIND_NAMES[h.kind] ?? h.kind,
    inProgress: h.panelStatus === 'in-progress',
    riskLevelName: h.riskLevel ? RISK_LEVEL_NAMES[h.riskLevel] : null,
    decisionName: h.decision ? DECISION_NAMES[h.decision] : null,
    closeReasonName: h.closeReason ? CLOSE_REASON_NAMES[h.closeReason] : null,
    escalationName: h.escalateTo ? ESCALATION_NAMES[h.escalateTo] : null,
    nextReviewText: h.nextReviewOn ? formatCalendarDate(h.nextReviewOn) : null,
    noteParagraphs: paragraphs(h.decisionNote),
    deferredParagraphs: paragraphs(h.deferredReason),
  };
}

function actionView(a: CaseAction, review: StoredReview | undefined, today: string) {
  const closed = isFinal(a.status);
  const closedAt = a.closedAt ?? a.lastUpdateAt;
  return {
    id: a.id,
    description: a.description,
    owner: a.ownerName ? `${a.agencyName} (${a.ownerName})` : a.agencyName,
    dueText: formatCalendarDate(a.dueOn),
    overdue: !closed && a.dueOn < today,
    statusName: ACTION_STATUS_NAMES[a.status],
    statusTag: ACTION_STATUS_TAGS[a.status],
    setAt: formatDate(a.panelStartsAt),
    closed,
    closedText: closed && closedAt ? formatDateTime(closedAt) : null,
    closingNoteParagraphs: closed ? paragraphs(a.lastNote) : [],
    review: review ? reviewSummary(review) : null,
  };
}

const time = (d: Date | null) => d?.getTime() ?? 0;

/** The panel's plan for a case as its record shows it: each hearing, then open actions before closed ones. */
export function casePlanView(
  hearings: Hearing[],
  actions: CaseAction[],
  reviews: Map<number, StoredReview>,
  today: string,
) {
  const open = actions.filter((a) => !isFinal(a.status));
  const closed = actions
    .filter((a) => isFinal(a.status))
    .sort((a, b) => time(b.closedAt ?? b.lastUpdateAt) - time(a.closedAt ?? a.lastUpdateAt));
  return {
    hearings: hearings.map(hearingView),
    openActions: open.map((a) => actionView(a, reviews.get(a.id), today)),
    closedActions: closed.map((a) => actionView(a, reviews.get(a.id), today)),
    any: hearings.length > 0 || actions.length > 0,
  };
}

export type CasePlan = ReturnType<typeof casePlanView>;
