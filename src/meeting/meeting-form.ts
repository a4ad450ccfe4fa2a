import { dateParts, parseId, str } from '../http/forms';
import type { ActionReview } from '../actions/action-review';
import { clean, futureDate, objectOf, pick, textReader, type Errors } from './form-fields';
import { readReviews, type PendingAction } from './review-form';
import {
  CLOSE_REASONS,
  DECISIONS,
  ESCALATIONS,
  RISK_LEVELS,
  type CloseReason,
  type DecisionCode,
  type Escalation,
  type RiskLevel,
} from './meeting-codes';

export { MAX_TEXT } from './form-fields';

// Keys carry a letter: the body parser turns small numeric keys (shared[12]) into compacted arrays.
export const sharedField = (agencyId: number) => `shared[a${agencyId}]`;
export { resolutionField } from './review-form';

export interface ItemRecordInput {
  shared: Record<number, string | null>;
  discussion: string | null;
  riskLevel: RiskLevel | null;
  decision: DecisionCode | null;
  closeReason: CloseReason | null;
  escalateTo: Escalation | null;
  decisionNote: string | null;
  nextReviewOn: string | null;
  deferredReason: string | null;
  discussed: boolean;
  resolutions: ActionReview[];
}

type Picked<T extends string> = T | null | 'invalid';

/** The decision's own questions: a review date, why closed, where escalated, why deferred. */
function checkDecision(
  errors: Errors,
  d: {
    decision: Picked<DecisionCode>;
    closeReason: Picked<CloseReason>;
    escalateTo: Picked<Escalation>;
    decisionNote: string | null;
    deferredReason: string | null;
    nextReviewOn: string | null;
  },
) {
  if (d.decision === 'review' && !d.nextReviewOn && !errors.nextReviewOn)
    errors.nextReviewOn = 'Enter the next review date';
  if (d.decision === 'close') {
    if (d.closeReason === null || d.closeReason === 'invalid') errors.closeReason = 'Select why the case is closed';
    else if (d.closeReason === 'other' && !d.decisionNote) errors.decisionNote = 'Say why the case is closed';
  }
  if (d.decision === 'escalate') {
    if (d.escalateTo === null || d.escalateTo === 'invalid')
      errors.escalateTo = 'Select the process the case is escalated to';
    else if (d.escalateTo === 'other' && !d.decisionNote)
      errors.decisionNote = 'Say which process the case is escalated to';
  }
  if (d.decision === 'deferred' && !d.deferredReason) errors.deferredReason = 'Say why the case is deferred';
}

/** A case marked discussed needs a decision (not a deferral) and the risk level. */
function checkDiscussed(errors: Errors, decision: Picked<DecisionCode>, riskLevel: Picked<RiskLevel>) {
  if (decision === null) errors.decision = errors.decision ?? 'Select a decision before marking the case discussed';
  else if (decision === 'deferred')
    errors.discussed = 'A deferred case is not marked discussed: untick the box or choose another decision';
  if (decision !== 'deferred' && riskLevel === null)
    errors.riskLevel = 'Select the risk level after discussion before marking the case discussed';
}

/**
 * Reads and checks one agenda item's record. `agencyIds` are the invited agencies (shared
 * information is kept for those only); `pending` are the earlier actions still to be resolved.
 */
export function readItemForm(
  body: Record<string, unknown>,
  ctx: { agencyIds: number[]; pending: PendingAction[]; today: string; otherBusiness?: boolean },
): { input: ItemRecordInput; errors: Record<string, string> } {
  if (ctx.otherBusiness) return readOtherBusiness(body);
  const errors: Errors = {};
  const textField = textReader(errors);
  const sharedRaw = objectOf(body.shared);
  const shared: Record<number, string | null> = {};
  for (const id of ctx.agencyIds) shared[id] = textField(sharedField(id), 'Information shared', sharedRaw[`a${id}`]);

  const discussion = textField('discussion', 'The risk discussion', body.discussion);
  const decisionNote = textField('decisionNote', 'The note on the decision', body.decisionNote);
  const deferredReason = textField('deferredReason', 'The reason for deferring', body.deferredReason);

  const riskLevel = pick(RISK_LEVELS, body.riskLevel);
  if (riskLevel === 'invalid') errors.riskLevel = 'Select the risk level after discussion';
  const decision = pick(DECISIONS, body.decision);
  if (decision === 'invalid') errors.decision = 'Select a decision';
  const closeReason = pick(CLOSE_REASONS, body.closeReason);
  const escalateTo = pick(ESCALATIONS, body.escalateTo);
  const discussed = str(body.discussed) === 'yes';

  const review = futureDate(dateParts(body.nextReviewOn), 'The next review date', ctx.today);
  let nextReviewOn: string | null = null;
  if ('error' in review) errors.nextReviewOn = review.error;
  else nextReviewOn = review.value;

  checkDecision(errors, { decision, closeReason, escalateTo, decisionNote, deferredReason, nextReviewOn });
  const resolutions = readReviews(body, errors, { ...ctx, mustResolve: discussed && decision !== 'deferred' });
  if (discussed) checkDiscussed(errors, decision, riskLevel);

  return {
    input: {
      shared,
      discussion,
      riskLevel: riskLevel === 'invalid' ? null : riskLevel,
      decision: decision === 'invalid' ? null : decision,
      closeReason: decision === 'close' && closeReason !== 'invalid' ? closeReason : null,
      escalateTo: decision === 'escalate' && escalateTo !== 'invalid' ? escalateTo : null,
      decisionNote,
      nextReviewOn,
      deferredReason: decision === 'deferred' ? deferredReason : null,
      discussed,
      resolutions,
    },
    errors,
  };
}

/**
 * Other business is recorded as notes, and is complete once marked discussed: it has no agencies'
 * information, risk level or decision.
 */
function readOtherBusiness(body: Record<string, unknown>): { input: ItemRecordInput; errors: Record<string, string> } {
  const errors: Errors = {};
  const notes = textReader(errors)('discussion', 'The notes', body.discussion);
  return {
    input: {
      shared: {},
      discussion: notes,
      riskLevel: null,
      decision: null,
      closeReason: null,
      escalateTo: null,
      decisionNote: null,
      nextReviewOn: null,
      deferredReason: null,
      discussed: str(body.discussed) === 'yes',
      resolutions: [],
    },
    errors,
  };
}

export interface ActionInput {
  description: string;
  ownerAgencyId: number;
  ownerName: string | null;
  dueOn: string;
  priority: 'high' | 'medium' | 'low';
}

/** Reads and checks a new action; `agencyIds` are the agencies that may own one. */
export function readActionForm(
  body: Record<string, unknown>,
  ctx: { agencyIds: number[]; today: string },
): { input: ActionInput | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const description = clean(body.description);
  if (!description) errors.description = 'Enter what is to be done';
  else if (description.length > 2000) errors.description = 'What is to be done must be 2,000 characters or fewer';
  const ownerAgencyId = parseId(body.ownerAgencyId);
  if (!ownerAgencyId || !ctx.agencyIds.includes(ownerAgencyId))
    errors.ownerAgencyId = 'Select the agency that owns the action';
  const ownerName = clean(body.ownerName);
  if (ownerName.length > 200) errors.ownerName = 'The named person must be 200 characters or fewer';
  else if (/\n/.test(ownerName)) errors.ownerName = 'The named person must be on one line';
  const due = futureDate(dateParts(body.due), 'The due date', ctx.today);
  let dueOn: string | null = null;
  if ('error' in due) errors.due = due.error;
  else if (!due.value) errors.due = 'Enter the due date';
  else dueOn = due.value;
  const priority = pick(['high', 'medium', 'low'] as const, body.priority);
  if (priority === null || priority === 'invalid') errors.priority = 'Select the priority';
  if (Object.keys(errors).length || !ownerAgencyId || !dueOn || !priority || priority === 'invalid')
    return { input: null, errors };
  return { input: { description, ownerAgencyId, ownerName: ownerName || null, dueOn, priority }, errors };
}
