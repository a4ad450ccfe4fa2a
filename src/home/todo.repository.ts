import type { Db } from '../db/database';
import type { PanelStatus } from '../db/schema';
import { INCOMPLETE_STATUSES } from '../actions/overdue';
import { cappedCount } from '../db/capped-count';

// The counts on the home page. Read only: each table is written by its own feature.

const count = (row: { n: string | number | bigint } | undefined) => Number(row?.n ?? 0);

/** Submitted referrals waiting for screening, the longest waiting first. */
export function referralsToScreen(db: Db, limit: number) {
  return db
    .selectFrom('referrals')
    .select(['id', 'reference', 'submittedAt'])
    .where('status', '=', 'submitted')
    .orderBy('submittedAt')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function referralsToScreenCount(db: Db): Promise<number> {
  return count(
    await db
      .selectFrom('referrals')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'submitted')
      .executeTakeFirst(),
  );
}

/** Panels to come, in these statuses, chaired by this user when one is given. */
export async function upcomingPanels(
  db: Db,
  now: Date,
  statuses: readonly PanelStatus[],
  chairUserId: number | null,
): Promise<number> {
  let q = db
    .selectFrom('panels')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('startsAt', '>', now)
    .where('status', 'in', statuses);
  if (chairUserId !== null) q = q.where('chairUserId', '=', chairUserId);
  return count(await q.executeTakeFirst());
}

/** Panels held in these statuses (concluded, minutes approved), chaired by this user when one is given. */
export async function panelsInStatus(
  db: Db,
  statuses: readonly PanelStatus[],
  chairUserId: number | null,
): Promise<number> {
  let q = db
    .selectFrom('panels')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('status', 'in', statuses);
  if (chairUserId !== null) q = q.where('chairUserId', '=', chairUserId);
  return count(await q.executeTakeFirst());
}

/** Research requests of these agencies not yet answered, for panels whose research has not closed. */
export async function researchDue(db: Db, agencyIds: number[], today: string): Promise<number> {
  if (agencyIds.length === 0) return 0;
  return count(
    await db
      .selectFrom('researchRequests')
      .innerJoin('panels', 'panels.id', 'researchRequests.panelId')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('researchRequests.agencyId', 'in', agencyIds)
      .where('researchRequests.status', '=', 'requested')
      .where('researchRequests.withdrawnAt', 'is', null)
      .where('panels.researchClosesOn', '>=', today)
      .where('panels.status', '=', 'agenda-published')
      .executeTakeFirst(),
  );
}

/** Panels to come to which one of these agencies is invited and has not answered. */
export async function attendanceUnanswered(db: Db, agencyIds: number[], now: Date): Promise<number> {
  if (agencyIds.length === 0) return 0;
  return count(
    await db
      .selectFrom('panelInvitations')
      .innerJoin('panels', 'panels.id', 'panelInvitations.panelId')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('panelInvitations.agencyId', 'in', agencyIds)
      .where('panels.startsAt', '>', now)
      .where('panels.status', 'in', ['scheduled', 'agenda-published'])
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('attendanceResponses')
              .select('attendanceResponses.id')
              .whereRef('attendanceResponses.panelId', '=', 'panelInvitations.panelId')
              .whereRef('attendanceResponses.agencyId', '=', 'panelInvitations.agencyId'),
          ),
        ),
      )
      .executeTakeFirst(),
  );
}

/**
 * Actions still to do whose due date has passed: an agency's, or one person's of it, or everyone's.
 * Counted no further than `cap` + 1, in the order of the index of the incomplete actions.
 */
export function overdueActions(
  db: Db,
  today: string,
  owner: { agencyId: number; name?: string } | null,
  cap: number,
): Promise<number> {
  let q = db.selectFrom('actions').select('id').where('dueOn', '<', today).where('status', 'in', INCOMPLETE_STATUSES);
  if (owner) q = q.where('ownerAgencyId', '=', owner.agencyId);
  if (owner?.name) q = q.where((eb) => eb(eb.fn('lower', ['ownerName']), '=', owner.name!.toLowerCase()));
  return cappedCount(db, q.orderBy('dueOn').orderBy('id'), cap);
}

/** Messages the mail worker gave up on. */
export async function failedDeliveries(db: Db): Promise<number> {
  return count(
    await db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'failed')
      .executeTakeFirst(),
  );
}
