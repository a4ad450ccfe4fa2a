import type { ReferralStatus } from '../db/schema';

/**
 * The life of a referral. Every change of status goes through this table; a change it does not
 * list is refused, so a rejected referral cannot be accepted later by a stale form, a closed case
 * cannot be heard again, and so on.
 */
export const TRANSITIONS = {
  submit: { from: ['draft', 'more-information-requested'], to: 'submitted' },
  accept: { from: ['submitted'], to: 'awaiting-panel' },
  reject: { from: ['submitted'], to: 'rejected' },
  'request-information': { from: ['submitted'], to: 'more-information-requested' },
  // Driven by panels: hearing a case makes it active; it stays active while it is reviewed.
  hear: { from: ['awaiting-panel', 'active'], to: 'active' },
  close: { from: ['awaiting-panel', 'active'], to: 'closed' },
} as const satisfies Record<string, { from: readonly ReferralStatus[]; to: ReferralStatus }>;

export type Transition = keyof typeof TRANSITIONS;

export function canTransition(transition: Transition, from: ReferralStatus): boolean {
  return (TRANSITIONS[transition].from as readonly ReferralStatus[]).includes(from);
}

/** The statuses a referral in `from` may move to. */
export function nextStatuses(from: ReferralStatus): ReferralStatus[] {
  return [
    ...new Set(
      Object.values(TRANSITIONS)
        .filter((t) => (t.from as readonly ReferralStatus[]).includes(from))
        .map((t) => t.to),
    ),
  ];
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly transition: Transition,
    readonly from: ReferralStatus,
  ) {
    super(`A referral that is ${from} cannot be moved by "${transition}"`);
    this.name = 'IllegalTransitionError';
  }
}

/** Statuses of a case that is still open: possible duplicates are looked for among these. */
export const OPEN_STATUSES: readonly ReferralStatus[] = [
  'submitted',
  'more-information-requested',
  'awaiting-panel',
  'active',
];

/**
 * Statuses of an earlier referral that make a new one of the same subject a repeat: it was heard
 * by a panel (active) or closed. An earlier referral still waiting (submitted, with the referrer
 * for more information, awaiting its first panel) makes the new one a possible duplicate instead.
 */
export const REPEAT_STATUSES: readonly ReferralStatus[] = ['active', 'closed'];

/** The referring agency may change the referral only while it is with them. */
export const EDITABLE_STATUSES: readonly ReferralStatus[] = ['draft', 'more-information-requested'];
