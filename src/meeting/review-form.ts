import { dateParts, parseId } from '../http/forms';
import { REVIEW_OUTCOMES, REVIEW_REASONS, NEXT_STEPS, type ActionReview } from '../actions/action-review';
import { clean, futureDate, objectOf, pick, textReader, type Errors } from './form-fields';

// Keys carry a letter: the body parser turns small numeric keys into compacted arrays.
export const resolutionField = (actionId: number) => `resolutions[a${actionId}]`;

/** An earlier action still to be reviewed: its id, how the error summary names it, and its owner now. */
export interface PendingAction {
  id: number;
  label: string;
  ownerAgencyId: number;
}

/** How an error message names an action: "action 12 (Police: Visit the tenant to …)". */
export function pendingAction(a: {
  id: number;
  description: string;
  ownerAgencyShortName: string;
  ownerAgencyId: number;
}): PendingAction {
  const words = a.description.length > 40 ? `${a.description.slice(0, 40).trimEnd()}…` : a.description;
  return { id: a.id, label: `action ${a.id} (${a.ownerAgencyShortName}: ${words})`, ownerAgencyId: a.ownerAgencyId };
}

interface ReviewContext {
  pending: PendingAction[];
  agencyIds: number[];
  today: string;
  /** The case is being marked discussed: every pending action needs an outcome. */
  mustResolve: boolean;
}

/** Why it was not completed, and what happens next; the errors name the action. */
function readNotCompleted(fields: Record<string, unknown>, errors: Errors, action: PendingAction, ctx: ReviewContext) {
  const name = resolutionField(action.id);
  const text = textReader(errors);
  const reason = pick(REVIEW_REASONS, fields.reason);
  if (reason === null || reason === 'invalid')
    errors[`${name}[reason]`] = `Select why ${action.label} was not completed`;
  const reasonText = text(`${name}[reasonText]`, 'The reason', fields.reasonText);
  if (reason === 'other' && !reasonText && !errors[`${name}[reasonText]`])
    errors[`${name}[reasonText]`] = `Say why ${action.label} was not completed`;
  const nextStep = pick(NEXT_STEPS, fields.next);
  if (nextStep === null || nextStep === 'invalid')
    errors[`${name}[next]`] = `Select what happens next to ${action.label}`;
  let dueOn: string | null = null;
  let ownerAgencyId: number | null = null;
  let ownerName: string | null = null;
  if (nextStep === 'carry-forward') {
    const due = futureDate(dateParts(fields.due), 'The new due date', ctx.today);
    if ('error' in due) errors[`${name}[due]`] = `${due.error} (${action.label})`;
    else if (!due.value) errors[`${name}[due]`] = `Enter the new due date of ${action.label}`;
    else dueOn = due.value;
    ownerAgencyId = parseId(fields.ownerAgencyId);
    if (!ownerAgencyId || !ctx.agencyIds.includes(ownerAgencyId))
      errors[`${name}[ownerAgencyId]`] = `Select the agency that owns ${action.label} from now on`;
    ownerName = clean(fields.ownerName) || null;
    if (ownerName && (ownerName.length > 200 || /\n/.test(ownerName)))
      errors[`${name}[ownerName]`] = 'The named person must be one line of 200 characters or fewer';
  }
  const escalatedTo =
    nextStep === 'escalate' ? text(`${name}[escalatedTo]`, 'Where it is escalated', fields.escalatedTo) : null;
  if (nextStep === 'escalate' && !escalatedTo && !errors[`${name}[escalatedTo]`])
    errors[`${name}[escalatedTo]`] = `Say to whom ${action.label} is escalated`;
  return {
    reason: reason === 'invalid' ? null : reason,
    reasonText: reason === 'other' ? reasonText : null,
    nextStep: nextStep === 'invalid' ? null : nextStep,
    dueOn,
    ownerAgencyId,
    ownerName,
    escalatedTo,
  };
}

/** What the panel recorded of each earlier action still pending; one left unanswered is skipped unless it must be. */
export function readReviews(body: Record<string, unknown>, errors: Errors, ctx: ReviewContext): ActionReview[] {
  const raw = objectOf(body.resolutions);
  const reviews: ActionReview[] = [];
  for (const action of ctx.pending) {
    const fields = objectOf(raw[`a${action.id}`]);
    const name = resolutionField(action.id);
    const outcome = pick(REVIEW_OUTCOMES, fields.outcome);
    const note = textReader(errors)(`${name}[note]`, 'The note', fields.note);
    if (outcome === 'invalid') errors[`${name}[outcome]`] = `Say whether ${action.label} was completed`;
    if (outcome === null && ctx.mustResolve)
      errors[`${name}[outcome]`] = `Say whether ${action.label} was completed before marking the case discussed`;
    if (outcome === null || outcome === 'invalid') continue;
    if (outcome === 'completed') {
      reviews.push({
        actionId: action.id,
        outcome,
        reason: null,
        reasonText: null,
        nextStep: null,
        dueOn: null,
        ownerAgencyId: null,
        ownerName: null,
        escalatedTo: null,
        note,
      });
      continue;
    }
    reviews.push({ actionId: action.id, outcome, note, ...readNotCompleted(fields, errors, action, ctx) });
  }
  return reviews;
}
