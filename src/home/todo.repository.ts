import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { PanelStatus, ReferralStatus } from '../db/schema';
import { INCOMPLETE_STATUSES } from '../actions/overdue';
import { literal, literals } from '../db/literals';
import { cappedCount } from '../db/capped-count';

// The counts on the home page. Read only: each table is written by its own feature.

const count = (row: { n: string | number | bigint } | undefined) => Number(row?.n ?? 0);

/**
 * Submitted referrals waiting for screening: how many, and the `limit` longest waiting, in one
 * statement (each row carries the count of them all).
 */
export async function referralsToScreen(db: Db, limit: number) {
  const rows = await db
    .selectFrom('referrals')
    .select(['id', 'reference', 'submittedAt'])
    .select(sql<string>`count(*) over ()`.as('n'))
    .where('status', '=', literal<ReferralStatus>('submitted'))
    .orderBy('submittedAt')
    .orderBy('id')
    .limit(limit)
    .execute();
  return { count: count(rows[0]), oldest: rows.map(({ n: _n, ...r }) => r) };
}

/**
 * The panel work on the home page, in one statement: panels to come still to be built and
 * published, held panels whose minutes wait for approval, and panels whose approved minutes wait to be
 * circulated; chaired by this user when one is given.
 */
export async function panelWork(db: Db, now: Date, chairUserId: number | null) {
  let q = db
    .selectFrom('panels')
    .select([
      sql<string>`count(*) filter (where status = 'scheduled' and starts_at > ${now})`.as('toBuild'),
      sql<string>`count(*) filter (where status = 'concluded')`.as('toApprove'),
      sql<string>`count(*) filter (where status = 'minutes-approved')`.as('toCirculate'),
    ])
    .where('status', 'in', literals<PanelStatus>(['scheduled', 'concluded', 'minutes-approved']));
  if (chairUserId !== null) q = q.where('chairUserId', '=', chairUserId);
  const row = await q.executeTakeFirstOrThrow();
  return { toBuild: Number(row.toBuild), toApprove: Number(row.toApprove), toCirculate: Number(row.toCirculate) };
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
  let q = db
    .selectFrom('actions')
    .select('id')
    .where('dueOn', '<', today)
    .where('status', 'in', literals(INCOMPLETE_STATUSES));
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
