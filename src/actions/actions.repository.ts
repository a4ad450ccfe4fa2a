import { sql, type Expression, type ExpressionBuilder, type Insertable, type SqlBool } from 'kysely';
import type { Db } from '../db/database';
import { cappedCount } from '../db/capped-count';
import type { ActionStatus, ActionUpdateTable, Database } from '../db/schema';
import type { CurrentUser } from '../http/context';
import { visibleReferrals } from '../referrals/case-access';
import { INCOMPLETE_STATUSES } from './overdue';
import { literals } from '../db/literals';

/** Which actions a list covers: `agencyId` null means every agency's. */
export interface ActionScope {
  agencyId: number | null;
  panelId: number | null;
  incompleteOnly: boolean;
  dueBefore: string | null;
  dueBetween: { from: string; to: string } | null;
}

const UPDATE_COLUMNS = [
  'actionUpdates.id',
  'actionUpdates.actionId',
  'actionUpdates.at',
  'actionUpdates.fromStatus',
  'actionUpdates.toStatus',
  'actionUpdates.note',
  'actionUpdates.newDueOn',
  'actionUpdates.panelId',
  'actionUpdates.reviewOutcome',
  'actionUpdates.reviewReason',
  'actionUpdates.reviewReasonText',
  'actionUpdates.nextStep',
  'actionUpdates.escalatedTo',
  'actionUpdates.newOwnerName',
  'newOwner.name as newOwnerAgency',
  'users.name as userName',
  'agencies.shortName as agencyShortName',
] as const;

/** Actions with their case (none for other business), panel, district and owning agency. */
function withCase(db: Db) {
  return db
    .selectFrom('actions')
    .leftJoin('referrals', 'referrals.id', 'actions.referralId')
    .innerJoin('panels', 'panels.id', 'actions.panelId')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .innerJoin('agencies', 'agencies.id', 'actions.ownerAgencyId');
}

/** Active people who hear about an agency's actions: its representatives and its single point of contact. */
export function agencyRecipients(db: Db, agencyId: number): Promise<{ id: number; email: string }[]> {
  return db
    .selectFrom('users')
    .select(['users.id', 'users.email'])
    .where('users.active', '=', true)
    .where((eb) =>
      eb.or([
        eb.and([eb('users.agencyId', '=', agencyId), eb('users.role', '=', 'representative')]),
        eb(
          'users.id',
          '=',
          eb.selectFrom('agencies').select('agencies.spocUserId').where('agencies.id', '=', agencyId),
        ),
      ]),
    )
    .orderBy('users.id')
    .execute();
}

export async function insertAction(trx: Db, values: Insertable<Database['actions']>): Promise<number> {
  const row = await trx.insertInto('actions').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function insertUpdate(trx: Db, values: Insertable<ActionUpdateTable>): Promise<void> {
  await trx.insertInto('actionUpdates').values(values).execute();
}

/** What an e-mail about an action names: the case reference and the panel that agreed it. */
export async function noticeContext(trx: Db, referralId: number | null, panelId: number) {
  const reference =
    referralId === null
      ? null
      : (await trx.selectFrom('referrals').select('reference').where('id', '=', referralId).executeTakeFirstOrThrow())
          .reference;
  const panel = await trx
    .selectFrom('panels')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .select(['districts.name as districtName', 'panels.startsAt'])
    .where('panels.id', '=', panelId)
    .executeTakeFirstOrThrow();
  return { reference, ...panel };
}

/** Moves the status and/or due date, stamping the close time when the action finishes; bumps the version. */
export async function updateAction(
  trx: Db,
  id: number,
  change: { status?: ActionStatus; dueOn?: string; closedAt?: Date; ownerAgencyId?: number; ownerName?: string | null },
): Promise<void> {
  await trx
    .updateTable('actions')
    .set({ ...change, version: sql<number>`version + 1` })
    .where('id', '=', id)
    .execute();
}

/** The action if `user` may see it: their agency's, or one on a case they may see (all for partnership-wide roles). */
export function findVisible(db: Db, user: CurrentUser, partnershipWide: boolean, id: number) {
  return withCase(db)
    .selectAll('actions')
    .select([
      'referrals.reference',
      'referrals.status as referralStatus',
      'panels.startsAt as panelStartsAt',
      'districts.name as districtName',
      'agencies.name as ownerAgencyName',
      'agencies.shortName as ownerAgencyShortName',
    ])
    .where('actions.id', '=', id)
    .where((eb) =>
      partnershipWide
        ? eb.lit(true)
        : eb.or([
            eb('actions.ownerAgencyId', '=', user.agencyId),
            eb('referrals.id', 'in', eb.selectFrom('referrals').select('referrals.id').where(visibleReferrals(user))),
          ]),
    )
    .executeTakeFirst();
}

/** The scope's conditions, all on the actions table itself. */
function inScope(scope: ActionScope) {
  return (eb: ExpressionBuilder<Database, 'actions'>) => {
    const conditions: Expression<SqlBool>[] = [];
    if (scope.agencyId) conditions.push(eb('actions.ownerAgencyId', '=', scope.agencyId));
    if (scope.panelId) conditions.push(eb('actions.panelId', '=', scope.panelId));
    if (scope.incompleteOnly) conditions.push(eb('actions.status', 'in', literals(INCOMPLETE_STATUSES)));
    if (scope.dueBefore) conditions.push(eb('actions.dueOn', '<', scope.dueBefore));
    if (scope.dueBetween)
      conditions.push(eb('actions.dueOn', '>=', scope.dueBetween.from), eb('actions.dueOn', '<=', scope.dueBetween.to));
    return eb.and(conditions);
  };
}

/**
 * How many actions are in scope, counting no further than `cap` + 1 (more is "more than `cap`").
 * From the actions alone: each has its panel, district and agency, so the list's joins add no rows.
 */
export function countInScope(db: Db, scope: ActionScope, cap: number): Promise<number> {
  let counted = db.selectFrom('actions').select('actions.id').where(inScope(scope));
  // In the order of the index of just the incomplete actions, so those are counted from it.
  if (scope.incompleteOnly) counted = counted.orderBy('actions.dueOn').orderBy('actions.id');
  return cappedCount(db, counted, cap);
}

/** One page of the actions in scope, soonest due first. */
export function pageInScope(db: Db, scope: ActionScope, limit: number, offset: number) {
  return withCase(db)
    .where(inScope(scope))
    .select([
      'actions.id',
      'actions.description',
      'actions.status',
      'actions.dueOn',
      'actions.priority',
      'actions.ownerName',
      'actions.panelId',
      'referrals.id as referralId',
      'referrals.reference',
      'panels.startsAt as panelStartsAt',
      'districts.name as districtName',
      'agencies.shortName as ownerAgencyShortName',
    ])
    .orderBy('actions.dueOn', 'asc')
    .orderBy('actions.id', 'asc')
    .limit(limit)
    .offset(offset)
    .execute();
}

/**
 * Panels since `since` (and the one `alsoId`, when given) that gave actions (to `agencyId`'s
 * agency, or to any when null), latest first.
 */
export function panelsWithActions(db: Db, agencyId: number | null, since: Date, alsoId: number | null) {
  return db
    .selectFrom('panels')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .select(['panels.id', 'panels.startsAt', 'districts.name as districtName'])
    .where('panels.id', 'in', (eb) => {
      let sub = eb.selectFrom('actions').select('actions.panelId');
      if (agencyId !== null) sub = sub.where('actions.ownerAgencyId', '=', agencyId);
      return sub;
    })
    .where((eb) =>
      alsoId
        ? eb.or([eb('panels.startsAt', '>=', since), eb('panels.id', '=', alsoId)])
        : eb('panels.startsAt', '>=', since),
    )
    .orderBy('panels.startsAt', 'desc')
    .limit(200)
    .execute();
}

/** The updates of these actions, oldest first, with who made them. */
export function updatesOf(db: Db, actionIds: number[]) {
  return db
    .selectFrom('actionUpdates')
    .leftJoin('users', 'users.id', 'actionUpdates.userId')
    .leftJoin('agencies', 'agencies.id', 'users.agencyId')
    .leftJoin('agencies as newOwner', 'newOwner.id', 'actionUpdates.newOwnerAgencyId')
    .select(UPDATE_COLUMNS)
    .where('actionUpdates.actionId', 'in', actionIds)
    .orderBy('actionUpdates.at', 'asc')
    .orderBy('actionUpdates.id', 'asc')
    .execute();
}

/** The latest review of each action by a panel (at `panelId` only, when given), with the new owner's name. */
export function latestReviews(db: Db, actionIds: number[], panelId?: number) {
  let query = db
    .selectFrom('actionUpdates')
    .leftJoin('agencies as newOwner', 'newOwner.id', 'actionUpdates.newOwnerAgencyId')
    .distinctOn('actionUpdates.actionId')
    .select([
      'actionUpdates.actionId',
      'actionUpdates.panelId',
      'actionUpdates.note',
      'actionUpdates.newDueOn',
      'actionUpdates.reviewOutcome',
      'actionUpdates.reviewReason',
      'actionUpdates.reviewReasonText',
      'actionUpdates.nextStep',
      'actionUpdates.escalatedTo',
      'actionUpdates.newOwnerName',
      'newOwner.name as newOwnerAgency',
    ])
    .where('actionUpdates.actionId', 'in', actionIds)
    .where('actionUpdates.reviewOutcome', 'is not', null);
  if (panelId !== undefined) query = query.where('actionUpdates.panelId', '=', panelId);
  return query
    .orderBy('actionUpdates.actionId')
    .orderBy('actionUpdates.at', 'desc')
    .orderBy('actionUpdates.id', 'desc')
    .execute();
}

/** The action and its case's status, locked for the rest of the transaction. */
export function lockWithCase(trx: Db, id: number) {
  return trx
    .selectFrom('actions')
    .leftJoin('referrals', 'referrals.id', 'actions.referralId')
    .select([
      'actions.id',
      'actions.status',
      'actions.version',
      'actions.ownerAgencyId',
      'referrals.status as referralStatus',
    ])
    .where('actions.id', '=', id)
    .forUpdate('actions')
    .executeTakeFirstOrThrow();
}

/** Open and overdue counts by owning agency, over active agencies' actions on cases still open. */
export function openCountsByAgency(db: Db, today: string) {
  return db
    .selectFrom('actions')
    .innerJoin('agencies', 'agencies.id', 'actions.ownerAgencyId')
    .leftJoin('referrals', 'referrals.id', 'actions.referralId')
    .select((eb) => [
      'actions.ownerAgencyId',
      eb.fn.countAll<string>().as('open'),
      eb.fn.sum<string>(eb.case().when('actions.dueOn', '<', today).then(1).else(0).end()).as('overdue'),
    ])
    .where('actions.status', 'in', literals(INCOMPLETE_STATUSES))
    .where((eb) => eb.or([eb('referrals.status', 'is', null), eb('referrals.status', '!=', 'closed')]))
    .where('agencies.active', '=', true)
    .groupBy('actions.ownerAgencyId')
    .execute();
}

/** Writes the reminder log row; false when another run has already written it. */
export async function claimReminder(trx: Db, kind: string, subjectKey: string, at: Date): Promise<boolean> {
  const claimed = await trx
    .insertInto('reminderLog')
    .values({ kind, subjectKey, sentAt: at })
    .onConflict((oc) => oc.columns(['kind', 'subjectKey']).doNothing())
    .returning('kind')
    .executeTakeFirst();
  return claimed !== undefined;
}

/**
 * A case's actions agreed at other panels that the panel `panelId` hears: still open or in
 * progress, resolved at this panel, or finished since `since` (when the case was last heard).
 */
export function caseActionsForPanel(db: Db, referralId: number, panelId: number, since: Date | null) {
  return db
    .selectFrom('actions')
    .innerJoin('agencies', 'agencies.id', 'actions.ownerAgencyId')
    .innerJoin('panels', 'panels.id', 'actions.panelId')
    .selectAll('actions')
    .select([
      'agencies.shortName as ownerAgencyShortName',
      'agencies.name as ownerAgencyName',
      'panels.startsAt as panelStartsAt',
    ])
    .where('actions.referralId', '=', referralId)
    .where('actions.panelId', '!=', panelId)
    .where((eb) =>
      eb.or([
        eb('actions.status', 'in', literals(INCOMPLETE_STATUSES)),
        eb.exists(
          eb
            .selectFrom('actionUpdates')
            .select('actionUpdates.id')
            .whereRef('actionUpdates.actionId', '=', 'actions.id')
            .where('actionUpdates.panelId', '=', panelId),
        ),
        ...(since ? [eb('actions.closedAt', '>=', since)] : []),
      ]),
    )
    .orderBy('actions.dueOn')
    .orderBy('actions.id')
    .execute();
}

/** The actions agreed on one agenda item, with the owning agency's short name. */
export function agreedOnItem(db: Db, agendaItemId: number) {
  return db
    .selectFrom('actions')
    .innerJoin('agencies', 'agencies.id', 'actions.ownerAgencyId')
    .selectAll('actions')
    .select('agencies.shortName as ownerAgencyShortName')
    .where('actions.agendaItemId', '=', agendaItemId)
    .orderBy('actions.id')
    .execute();
}

export function incompleteOfCase(trx: Db, referralId: number) {
  return trx
    .selectFrom('actions')
    .select(['id', 'status'])
    .where('referralId', '=', referralId)
    .where('status', 'in', literals(INCOMPLETE_STATUSES))
    .execute();
}
