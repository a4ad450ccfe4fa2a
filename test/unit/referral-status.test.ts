import type { ReferralStatus } from '../../src/db/schema';
import { STATUSES } from '../../src/referrals/referral-codes';
import { canTransition, nextStatuses, TRANSITIONS, type Transition } from '../../src/referrals/status';

const ALLOWED: Record<Transition, ReferralStatus[]> = {
  submit: ['draft', 'more-information-requested'],
  accept: ['submitted'],
  reject: ['submitted'],
  'request-information': ['submitted'],
  hear: ['awaiting-panel', 'active'],
  close: ['awaiting-panel', 'active'],
};

describe('status transitions', () => {
  for (const transition of Object.keys(TRANSITIONS) as Transition[]) {
    for (const from of STATUSES) {
      const allowed = ALLOWED[transition].includes(from);
      test(`${transition} from ${from} is ${allowed ? 'allowed' : 'refused'}`, () => {
        expect(canTransition(transition, from)).toBe(allowed);
      });
    }
  }

  test('each transition leads where the life of a referral says', () => {
    expect(Object.fromEntries(Object.entries(TRANSITIONS).map(([name, t]) => [name, t.to]))).toEqual({
      submit: 'submitted',
      accept: 'awaiting-panel',
      reject: 'rejected',
      'request-information': 'more-information-requested',
      hear: 'active',
      close: 'closed',
    });
  });

  test('rejected and closed are final', () => {
    expect(nextStatuses('rejected')).toEqual([]);
    expect(nextStatuses('closed')).toEqual([]);
  });

  test('a submitted referral can only be screened', () => {
    expect(nextStatuses('submitted').sort()).toEqual(['awaiting-panel', 'more-information-requested', 'rejected']);
  });
});
