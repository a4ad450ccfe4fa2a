import type { ActionStatus, NextStep, ReviewOutcome, ReviewReason } from '../db/schema';
import { formatCalendarDate } from '../time';

// What a panel records when it reviews an earlier action that is not yet complete: whether it was
// completed; if not, why not and what happens next. Pure rules: no database here.

export const REVIEW_OUTCOMES: readonly ReviewOutcome[] = ['completed', 'not-completed'];
export const REVIEW_OUTCOME_NAMES: Record<ReviewOutcome, string> = {
  completed: 'Completed',
  'not-completed': 'Not completed',
};

export const REVIEW_REASONS: readonly ReviewReason[] = ['not-possible', 'not-done', 'other'];
export const REVIEW_REASON_NAMES: Record<ReviewReason, string> = {
  'not-possible': 'Not possible: change in circumstances',
  'not-done': 'Not done by the agency',
  other: 'Another reason',
};

export const NEXT_STEPS: readonly NextStep[] = ['carry-forward', 'escalate', 'close'];
export const NEXT_STEP_NAMES: Record<NextStep, string> = {
  'carry-forward': 'Carry forward with a new due date',
  escalate: 'Escalate',
  close: 'Close the action',
};

export interface ActionReview {
  actionId: number;
  outcome: ReviewOutcome;
  reason: ReviewReason | null;
  reasonText: string | null;
  nextStep: NextStep | null;
  dueOn: string | null;
  ownerAgencyId: number | null;
  ownerName: string | null;
  escalatedTo: string | null;
  note: string | null;
}

/**
 * The action's status after the review. Carried forward, it stays as it was (open or in progress)
 * with its new due date and owner; closed, it ends as its reason says.
 */
export function statusAfterReview(review: ActionReview, current: ActionStatus): ActionStatus {
  if (review.outcome === 'completed') return 'completed';
  switch (review.nextStep) {
    case 'carry-forward':
    case null:
      return current;
    case 'escalate':
      return 'escalated';
    case 'close':
      if (review.reason === 'not-possible') return 'not-possible';
      if (review.reason === 'not-done') return 'not-done';
      return 'closed';
  }
}

/** A review as stored on the action's update row. */
export interface StoredReview {
  reviewOutcome: ReviewOutcome | null;
  reviewReason: ReviewReason | null;
  reviewReasonText: string | null;
  nextStep: NextStep | null;
  escalatedTo: string | null;
  newDueOn: string | null;
  newOwnerAgency?: string | null;
  newOwnerName: string | null;
}

/** Why an action was not completed, in words: "Not possible: change in circumstances", or the reason typed. */
export function reasonText(r: Pick<StoredReview, 'reviewReason' | 'reviewReasonText'>): string | null {
  if (!r.reviewReason) return null;
  if (r.reviewReason === 'other') return r.reviewReasonText ?? REVIEW_REASON_NAMES.other;
  return REVIEW_REASON_NAMES[r.reviewReason];
}

/** What happens next, in words: "Carried forward to 12 January 2027 (Police, PC Smith)", "Escalated to MARAC", "Closed". */
export function nextStepText(r: StoredReview): string | null {
  switch (r.nextStep) {
    case null:
      return null;
    case 'carry-forward': {
      const owner = [r.newOwnerAgency, r.newOwnerName].filter(Boolean).join(', ');
      const due = r.newDueOn ? ` to ${formatCalendarDate(r.newDueOn)}` : '';
      return `Carried forward${due}${owner ? ` (${owner})` : ''}`;
    }
    case 'escalate':
      return r.escalatedTo ? `Escalated to ${r.escalatedTo}` : 'Escalated';
    case 'close':
      return 'Closed';
  }
}

/** The whole review in one sentence, for minutes, agendas and the action's history; null when the row is no review. */
export function reviewSummary(r: StoredReview): string | null {
  if (!r.reviewOutcome) return null;
  if (r.reviewOutcome === 'completed') return 'Completed';
  const reason = reasonText(r);
  const next = nextStepText(r);
  return ['Not completed', reason && `Reason: ${reason}`, next].filter(Boolean).join('. ');
}
