import { reviewSummary, statusAfterReview, type ActionReview } from '../../src/actions/action-review';
import { readReviews, pendingAction } from '../../src/meeting/review-form';

const base: ActionReview = {
  actionId: 1,
  outcome: 'not-completed',
  reason: 'not-possible',
  reasonText: null,
  nextStep: 'carry-forward',
  dueOn: '2027-01-12',
  ownerAgencyId: 2,
  ownerName: null,
  escalatedTo: null,
  note: null,
};

describe('what a review does to an action', () => {
  test('when the panel says it was completed, then it is completed', () => {
    expect(statusAfterReview({ ...base, outcome: 'completed' }, 'in-progress')).toBe('completed');
  });
  test('when it is carried forward, then it stays open or in progress', () => {
    expect(statusAfterReview(base, 'open')).toBe('open');
    expect(statusAfterReview(base, 'in-progress')).toBe('in-progress');
  });
  test('when it is escalated, then it ends escalated whatever the reason', () => {
    expect(statusAfterReview({ ...base, nextStep: 'escalate' }, 'open')).toBe('escalated');
  });
  test('when it is closed, then it ends as its reason says', () => {
    expect(statusAfterReview({ ...base, nextStep: 'close' }, 'open')).toBe('not-possible');
    expect(statusAfterReview({ ...base, reason: 'not-done', nextStep: 'close' }, 'open')).toBe('not-done');
    expect(statusAfterReview({ ...base, reason: 'other', nextStep: 'close' }, 'open')).toBe('closed');
  });
});

describe('a review in words', () => {
  const stored = {
    reviewOutcome: 'not-completed' as const,
    reviewReason: 'not-done' as const,
    reviewReasonText: null,
    nextStep: 'carry-forward' as const,
    escalatedTo: null,
    newDueOn: '2027-01-12',
    newOwnerAgency: 'Lincolnshire Police',
    newOwnerName: 'PC Amy Hart',
  };
  test('when carried forward, then it says why, to when and to whom', () => {
    expect(reviewSummary(stored)).toBe(
      'Not completed. Reason: Not done by the agency. Carried forward to 12 January 2027 (Lincolnshire Police, PC Amy Hart)',
    );
  });
  test('when escalated for another reason, then it says the reason typed and where', () => {
    expect(
      reviewSummary({
        ...stored,
        reviewReason: 'other',
        reviewReasonText: 'Tenant refused entry',
        nextStep: 'escalate',
        escalatedTo: 'MARAC',
      }),
    ).toBe('Not completed. Reason: Tenant refused entry. Escalated to MARAC');
  });
  test('when completed, then it says so; an update that is no review says nothing', () => {
    expect(reviewSummary({ ...stored, reviewOutcome: 'completed' })).toBe('Completed');
    expect(reviewSummary({ ...stored, reviewOutcome: null })).toBeNull();
  });
});

describe('reading the review of earlier actions', () => {
  const action = pendingAction({
    id: 7,
    description: 'Visit the tenant and agree a safety plan with the family',
    ownerAgencyShortName: 'Police',
    ownerAgencyId: 2,
  });
  const ctx = { pending: [action], agencyIds: [2, 3], today: '2026-12-01', mustResolve: true };
  const read = (fields: Record<string, unknown>, must = true) => {
    const errors: Record<string, string> = {};
    const reviews = readReviews({ resolutions: { a7: fields } }, errors, { ...ctx, mustResolve: must });
    return { reviews, errors };
  };

  test('when the case is marked discussed with an action unanswered, then the error names the action', () => {
    const { errors } = read({});
    expect(errors['resolutions[a7][outcome]']).toBe(
      'Say whether action 7 (Police: Visit the tenant and agree a safety plan…) was completed before marking the case discussed',
    );
  });
  test('when an action is not completed with no reason or next step, then both are asked for by name', () => {
    const { errors } = read({ outcome: 'not-completed' });
    expect(errors['resolutions[a7][reason]']).toContain('Select why action 7');
    expect(errors['resolutions[a7][next]']).toContain('Select what happens next to action 7');
  });
  test('when another reason is chosen without saying it, then the reason is asked for', () => {
    const { errors } = read({ outcome: 'not-completed', reason: 'other', next: 'close' });
    expect(errors['resolutions[a7][reasonText]']).toContain('Say why action 7');
  });
  test('when carried forward, then a future due date and an invited owner are needed', () => {
    const { errors } = read({
      outcome: 'not-completed',
      reason: 'not-possible',
      next: 'carry-forward',
      due: { day: '1', month: '11', year: '2026' },
      ownerAgencyId: '99',
    });
    expect(errors['resolutions[a7][due]']).toContain('today or in the future');
    expect(errors['resolutions[a7][ownerAgencyId]']).toContain('Select the agency that owns action 7');
  });
  test('when escalated, then where to is needed', () => {
    const { errors } = read({ outcome: 'not-completed', reason: 'not-done', next: 'escalate' });
    expect(errors['resolutions[a7][escalatedTo]']).toContain(
      'Say to whom action 7 (Police: Visit the tenant and agree a safety plan…) is escalated',
    );
  });
  test('when carried forward properly, then the new date, owner and reason are read', () => {
    const { reviews, errors } = read({
      outcome: 'not-completed',
      reason: 'not-possible',
      next: 'carry-forward',
      due: { day: '12', month: '1', year: '2027' },
      ownerAgencyId: '3',
      ownerName: 'Dr Patel',
      escalatedTo: 'ignored',
    });
    expect(errors).toEqual({});
    expect(reviews).toEqual([
      {
        actionId: 7,
        outcome: 'not-completed',
        reason: 'not-possible',
        reasonText: null,
        nextStep: 'carry-forward',
        dueOn: '2027-01-12',
        ownerAgencyId: 3,
        ownerName: 'Dr Patel',
        escalatedTo: null,
        note: null,
      },
    ]);
  });
  test('when the case is not yet marked discussed, then an unanswered action is simply left', () => {
    expect(read({}, false)).toEqual({ reviews: [], errors: {} });
  });
});
