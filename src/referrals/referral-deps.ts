import type { Clock } from '../clock';
import type { Db } from '../db/database';
import type { ReferralStatus } from '../db/schema';
import type { CurrentUser } from '../http/context';
import { RefusedError } from '../http/errors';
import type { RiskMatrixService } from '../risk/risk-matrix.service';
import { EDITABLE_STATUSES } from './status';

/** What the referrals service's parts are built from. */
export interface ReferralDeps {
  db: Db;
  clock: Clock;
  /** Where links in e-mails point. */
  baseUrl: string;
  /** Wakes the mail worker once a transaction that queued messages has committed. */
  pokeMail: () => void;
  riskMatrix: RiskMatrixService;
}

export const caseLink = (deps: ReferralDeps, id: number) => `${deps.baseUrl}/referrals/${id}`;

/** The referring agency may change its referral while it is a draft or more information is asked for. */
export function canEdit(user: CurrentUser, referral: { status: ReferralStatus; referringAgencyId: number }): boolean {
  return referral.referringAgencyId === user.agencyId && EDITABLE_STATUSES.includes(referral.status);
}

/** The reason of the refusal of a change to a referral that is no longer the referrer's to change. */
export const READ_ONLY = 'read-only';

export function readOnlyError(): RefusedError {
  return new RefusedError({ '': 'This referral can no longer be changed' }, READ_ONLY);
}

export function isReadOnlyError(err: unknown): err is RefusedError {
  return err instanceof RefusedError && err.reason === READ_ONLY;
}
