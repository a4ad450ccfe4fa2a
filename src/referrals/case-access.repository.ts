import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Db } from '../db/database';
import type { Database } from '../db/schema';
import type { CurrentUser } from '../http/context';

type ReferralsEb = ExpressionBuilder<Database, 'referrals'>;

/** Which referrals a user may see, as a condition on `referrals`. */
export type Visibility = (eb: ReferralsEb) => Expression<SqlBool>;

/**
 * One reason a user may see a case, as a condition on `referrals`, or null when it never applies
 * to this user. A user sees a case when any grant allows it; nothing else opens a case.
 */
type Grant = (eb: ReferralsEb, user: CurrentUser) => Expression<SqlBool> | null;

function onInvitedAgenda(eb: ReferralsEb, user: CurrentUser, caseColumn: 'referrals.id' | 'referrals.mergedIntoId') {
  if (user.role === 'administrator' || user.role === 'chair') return null;
  return eb.exists(
    eb
      .selectFrom('agendaItems')
      .innerJoin('panels', 'panels.id', 'agendaItems.panelId')
      .innerJoin('panelInvitations', 'panelInvitations.panelId', 'panels.id')
      .select('agendaItems.id')
      .whereRef('agendaItems.referralId', '=', caseColumn)
      .where('agendaItems.removedAt', 'is', null)
      .where('panels.agendaVersion', '>', 0)
      .where('panelInvitations.agencyId', '=', user.agencyId),
  );
}

const GRANTS: Grant[] = [
  // Administrators and chairs screen and hear every case of the partnership. A draft is not yet
  // shared with the partnership, so it stays with the agency writing it.
  (eb, user) => (user.role === 'administrator' || user.role === 'chair' ? eb('referrals.status', '!=', 'draft') : null),
  // An agency sees everything it referred.
  (eb, user) => eb('referrals.referringAgencyId', '=', user.agencyId),
  // An agency invited to a panel sees the cases on its agenda once the agenda is published, so it
  // can research them; a case taken off the agenda is no longer shown through that panel.
  // (Administrators and chairs already see every shared case, so they skip this costlier test.)
  (eb, user) => onInvitedAgenda(eb, user, 'referrals.id'),
  // A referral merged into such a case at screening is part of that case: its subjects, incidents
  // and timeline are read with it.
  (eb, user) => onInvitedAgenda(eb, user, 'referrals.mergedIntoId'),
];

/**
 * The need-to-know rule as a condition on `referrals`: the list, the search, the record page and
 * every action on a case use this, and only this, to decide what a user may see.
 */
export function visibleReferrals(user: CurrentUser): Visibility {
  return (eb) => {
    const conditions = GRANTS.map((grant) => grant(eb, user)).filter((c): c is Expression<SqlBool> => c !== null);
    return eb.or(conditions);
  };
}

export async function canSeeReferral(db: Db, user: CurrentUser, referralId: number): Promise<boolean> {
  const row = await db
    .selectFrom('referrals')
    .select('id')
    .where('id', '=', referralId)
    .where(visibleReferrals(user))
    .executeTakeFirst();
  return row !== undefined;
}
