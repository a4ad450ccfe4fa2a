import { DateTime } from 'luxon';
import { dateParts, parseId, str, type DateParts } from '../http/forms';
import { formatCalendarDate } from '../time';
import { RESOLUTIONS, type Resolution } from '../actions/action-status';
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

export const MAX_TEXT = 10_000;

// Keys carry a letter: the body parser turns small numeric keys (shared[12]) into compacted arrays.
export const sharedField = (agencyId: number) => `shared[a${agencyId}]`;
export const resolutionField = (actionId: number) => `resolutions[a${actionId}]`;

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
  resolutions: { actionId: number; outcome: Resolution; dueOn: string | null; note: string | null }[];
}

const clean = (v: unknown) => str(v).replace(/\r\n/g, '\n').trim();

/**
 * A date typed in three boxes that must be a real date from `today` on; '' when left empty.
 * Returns the ISO date, or an error message.
 */
export function futureDate(
  parts: DateParts,
  label: string,
  today: string,
): { value: string | null } | { error: string } {
  const d = parts.day.trim();
  const m = parts.month.trim();
  const y = parts.year.trim();
  if (!d && !m && !y) return { value: null };
  const missing = [!d && 'day', !m && 'month', !y && 'year'].filter(Boolean);
  if (missing.length) return { error: `${label} must include a ${missing.join(' and ')}` };
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y))
    return { error: `${label} must be a real date` };
  const dt = DateTime.fromObject({ year: Number(y), month: Number(m), day: Number(d) }, { zone: 'UTC' });
  if (!dt.isValid) return { error: `${label} must be a real date` };
  const iso = dt.toISODate();
  if (iso < today) return { error: `${label} must be today or in the future` };
  if (iso > DateTime.fromISO(today, { zone: 'UTC' }).plus({ years: 3 }).toISODate()!)
    return {
      error: `${label} must be before ${formatCalendarDate(DateTime.fromISO(today, { zone: 'UTC' }).plus({ years: 3 }).toISODate())}`,
    };
  return { value: iso };
}

function pick<T extends string>(values: readonly T[], raw: unknown): T | null | 'invalid' {
  const v = str(raw);
  if (v === '') return null;
  return (values as readonly string[]).includes(v) ? (v as T) : 'invalid';
}

type Errors = Record<string, string>;

/** A text field cleaned of CR/LF and trimmed, null when empty; too long is an error under `name`. */
function textReader(errors: Errors) {
  return (name: string, label: string, value: unknown) => {
    const v = clean(value);
    if (v.length > MAX_TEXT) errors[name] = `${label} must be ${MAX_TEXT.toLocaleString('en-GB')} characters or fewer`;
    return v === '' ? null : v;
  };
}

const objectOf = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};

/** What the panel decided about each earlier action still pending. */
function readResolutions(
  body: Record<string, unknown>,
  errors: Errors,
  ctx: { pending: number[]; today: string },
  mustResolve: boolean,
): ItemRecordInput['resolutions'] {
  const textField = textReader(errors);
  const resolutionsRaw = objectOf(body.resolutions);
  const resolutions: ItemRecordInput['resolutions'] = [];
  for (const actionId of ctx.pending) {
    const fields = objectOf(resolutionsRaw[`a${actionId}`]);
    const outcome = pick(RESOLUTIONS, fields.outcome);
    const name = resolutionField(actionId);
    if (outcome === 'invalid') {
      errors[`${name}[outcome]`] = 'Select what happened to this action';
      continue;
    }
    const note = textField(`${name}[note]`, 'The note', fields.note);
    if (outcome === null) {
      if (mustResolve)
        errors[`${name}[outcome]`] = 'Say what happened to this action before marking the case discussed';
      continue;
    }
    let dueOn: string | null = null;
    if (outcome === 'carried-forward') {
      const due = futureDate(dateParts(fields.due), 'The new due date', ctx.today);
      if ('error' in due) errors[`${name}[due]`] = due.error;
      else if (!due.value) errors[`${name}[due]`] = 'Enter the new due date';
      else dueOn = due.value;
    }
    resolutions.push({ actionId, outcome, dueOn, note });
  }
  return resolutions;
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
  ctx: { agencyIds: number[]; pending: number[]; today: string; otherBusiness?: boolean },
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
  const resolutions = readResolutions(body, errors, ctx, discussed && decision !== 'deferred');
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
