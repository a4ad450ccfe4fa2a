import type { Db } from '../db/database';
import { recordAudit } from '../audit/audit';
import type { Actor, CurrentUser } from '../http/context';
import { NotFoundError } from '../http/errors';
import { canSeeReferral } from './case-access.repository';

// The actions feature builds its list of cases on this rule; it should come through the referrals service.
export { canSeeReferral, visibleReferrals } from './case-access.repository';

/**
 * Refuses a case the user may not see exactly as one that does not exist (404), so that ids
 * cannot be probed, and records the attempt.
 */
export async function requireVisibleReferral(
  db: Db,
  user: CurrentUser,
  actor: Actor,
  referralId: number,
  action: string,
): Promise<void> {
  if (await canSeeReferral(db, user, referralId)) return;
  await recordAudit(db, actor, { action, outcome: 'denied', entityType: 'referral', entityId: referralId });
  throw new NotFoundError();
}
