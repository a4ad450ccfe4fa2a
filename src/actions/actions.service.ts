import type { ServiceDeps } from '../service-deps';
import { formatCalendarDate, formatDate, londonDate, londonWeek } from '../time';
import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { ActionStatus } from '../db/schema';
import type { Actor, CurrentUser } from '../http/context';
import { ForbiddenError, HttpError, NotFoundError } from '../http/errors';
import { recordAudit } from '../audit/audit';
import { enqueueMail } from '../mail/outbox';
import { visibleReferrals } from '../referrals/case-access';

import { canMoveAction, type Priority } from './action-status';
import { INCOMPLETE_STATUSES, weekAhead } from './overdue';

export const ACTION_PAGE_SIZE = 50;

export type ActionFilter = 'open' | 'overdue' | 'due-this-week' | 'all';

export interface ActionListFilters {
  show: ActionFilter;
  panelId: number | null;
  agencyId: number | null;
  page: number;
}

export interface NewAction {
  referralId: number;
  panelId: number;
  agendaItemId: number | null;
  description: string;
  ownerAgencyId: number;
  ownerName: string | null;
  dueOn: string;
  priority: Priority;
}

/** An update to an action refused for a reason the person can act on (shown by the form). */
export class ActionRefusedError extends HttpError {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(400, message);
  }
}

const isPartnershipWide = (user: CurrentUser) => user.role === 'administrator' || user.role === 'chair';

/** Active people who hear about an agency's actions: its representatives and its single point of contact. */
export async function agencyRecipients(db: Db, agencyId: number): Promise<{ id: number; email: string }[]> {
  return db
    .selectFrom('users')
    .select(['users.id', 'users.email'])
    .where('users.active', '=', true)
    .where((eb) =>
      eb.or([
        eb.and([eb('users.agencyId', '=', agencyId), eb('users.role', '=', 'representative')]),
        eb('users.id', '=', eb.selectFrom('agencies').select('agencies.spocUserId').where('agencies.id', '=', agencyId)),
      ]),
    )
    .orderBy('users.id')
    .execute();
}

/**
 * Records an agreed action in the caller's transaction, with its first update, the case timeline
 * entry, the audit row and a notice to the owning agency (no personal data: reference, dates, link).
 */
export async function createAction(trx: Db, actor: Actor, baseUrl: string, now: Date, action: NewAction): Promise<number> {
  const row = await trx
    .insertInto('actions')
    .values({ ...action, status: 'open', createdBy: actor.userId, createdAt: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx.insertInto('actionUpdates').values({ actionId: row.id, userId: actor.userId, panelId: action.panelId, at: now, fromStatus: null, toStatus: 'open', note: null, newDueOn: action.dueOn }).execute();
  await trx
    .insertInto('referralEvents')
    .values({ referralId: action.referralId, at: now, userId: actor.userId, agencyId: actor.agencyId, kind: 'action', note: null, details: JSON.stringify({ actionId: row.id, panelId: action.panelId }) })
    .execute();
  await recordAudit(trx, actor, {
    action: 'action.create',
    entityType: 'action',
    entityId: row.id,
    details: { referralId: action.referralId, panelId: action.panelId, ownerAgencyId: action.ownerAgencyId, dueOn: action.dueOn, priority: action.priority },
  });
  const { reference } = await trx.selectFrom('referrals').select('reference').where('id', '=', action.referralId).executeTakeFirstOrThrow();
  const panel = await trx
    .selectFrom('panels')
    .innerJoin('districts', 'districts.id', 'panels.districtId')
    .select(['districts.name as districtName', 'panels.startsAt'])
    .where('panels.id', '=', action.panelId)
    .executeTakeFirstOrThrow();
  const context = { reference, ...panel };
  for (const recipient of await agencyRecipients(trx, action.ownerAgencyId)) {
    await enqueueMail(trx, {
      kind: 'action.assigned',
      to: recipient.email,
      subject: `Action ${row.id} for case ${context.reference ?? ''} assigned to your agency`,
      text: [
        `The ${context.districtName} panel of ${formatDate(context.startsAt)} agreed an action for case ${context.reference ?? ''} and gave it to your agency.`,
        `It is due by ${formatCalendarDate(action.dueOn)} (${action.priority} priority).`,
        '',
        `Read it and report back on it here: ${baseUrl}/actions/${row.id}`,
        `All of your agency's actions: ${baseUrl}/actions`,
      ].join('\n'),
      entityType: 'action',
      entityId: row.id,
    });
  }
  return row.id;
}

/**
 * Records a change to an action in the caller's transaction: the status (if it changes), the due
 * date (carried forward), the note; one update row with who and when.
 */
export async function applyActionUpdate(
  trx: Db,
  actor: Actor,
  now: Date,
  action: { id: number; status: ActionStatus },
  change: { toStatus: ActionStatus | null; note: string | null; newDueOn?: string | null; panelId?: number | null; auditAction: string },
): Promise<void> {
  const closing = change.toStatus !== null && change.toStatus !== action.status && !INCOMPLETE_STATUSES.includes(change.toStatus);
  await trx
    .updateTable('actions')
    .set({
      ...(change.toStatus ? { status: change.toStatus } : {}),
      ...(change.newDueOn ? { dueOn: change.newDueOn } : {}),
      ...(closing ? { closedAt: now } : {}),
      version: sql`version + 1`,
    })
    .where('id', '=', action.id)
    .execute();
  await trx
    .insertInto('actionUpdates')
    .values({
      actionId: action.id,
      userId: actor.userId,
      panelId: change.panelId ?? null,
      at: now,
      fromStatus: change.toStatus && change.toStatus !== action.status ? action.status : null,
      toStatus: change.toStatus && change.toStatus !== action.status ? change.toStatus : null,
      note: change.note,
      newDueOn: change.newDueOn ?? null,
    })
    .execute();
  await recordAudit(trx, actor, {
    action: change.auditAction,
    entityType: 'action',
    entityId: action.id,
    details: { from: action.status, to: change.toStatus ?? action.status, note: change.note !== null, newDueOn: change.newDueOn ?? null, panelId: change.panelId ?? null },
  });
}

export function actionsService({ db, clock, links, mail }: ServiceDeps) {
  const { baseUrl } = links;
  const pokeMail = () => mail.poke();
  function baseQuery() {
    return db
      .selectFrom('actions')
      .innerJoin('referrals', 'referrals.id', 'actions.referralId')
      .innerJoin('panels', 'panels.id', 'actions.panelId')
      .innerJoin('districts', 'districts.id', 'panels.districtId')
      .innerJoin('agencies', 'agencies.id', 'actions.ownerAgencyId');
  }

  /** The action if the user may see it: their agency's, or one on a case they may see. */
  async function visible(user: CurrentUser, actor: Actor, id: number, auditAction: string) {
    const row = await baseQuery()
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
      .where((eb) => (isPartnershipWide(user) ? eb.lit(true) : eb.or([eb('actions.ownerAgencyId', '=', user.agencyId), eb('referrals.id', 'in', eb.selectFrom('referrals').select('referrals.id').where(visibleReferrals(user)))])))
      .executeTakeFirst();
    if (!row) {
      await recordAudit(db, actor, { action: auditAction, outcome: 'denied', entityType: 'action', entityId: id });
      throw new NotFoundError();
    }
    return row;
  }

  function canUpdate(user: CurrentUser, action: { ownerAgencyId: number; referralStatus: string }) {
    if (action.referralStatus === 'closed') return false;
    return isPartnershipWide(user) || action.ownerAgencyId === user.agencyId;
  }

  return {
    canUpdate,

    async list(user: CurrentUser, actor: Actor, filters: ActionListFilters) {
      const now = clock.now();
      const today = londonDate(now);
      const week = weekAhead(now);
      let q = baseQuery();
      if (!isPartnershipWide(user)) q = q.where('actions.ownerAgencyId', '=', user.agencyId);
      else if (filters.agencyId) q = q.where('actions.ownerAgencyId', '=', filters.agencyId);
      if (filters.panelId) q = q.where('actions.panelId', '=', filters.panelId);
      if (filters.show !== 'all') q = q.where('actions.status', 'in', INCOMPLETE_STATUSES);
      if (filters.show === 'overdue') q = q.where('actions.dueOn', '<', today);
      if (filters.show === 'due-this-week') q = q.where('actions.dueOn', '>=', week.from).where('actions.dueOn', '<=', week.to);
      const { total } = await q.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow();
      const pages = Math.max(1, Math.ceil(Number(total) / ACTION_PAGE_SIZE));
      const page = Math.min(filters.page, pages);
      const rows = await q
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
        .limit(ACTION_PAGE_SIZE)
        .offset((page - 1) * ACTION_PAGE_SIZE)
        .execute();
      await recordAudit(db, actor, {
        action: 'action.list',
        entityType: 'action',
        details: { show: filters.show, panelId: filters.panelId, agencyId: filters.agencyId, page, results: rows.map((r) => r.id) },
      });
      return { rows, total: Number(total), page, pages, today };
    },

    /** Panels that gave this user's agency actions (every panel with actions for chairs and administrators). */
    async panelChoices(user: CurrentUser) {
      let q = db
        .selectFrom('panels')
        .innerJoin('districts', 'districts.id', 'panels.districtId')
        .select(['panels.id', 'panels.startsAt', 'districts.name as districtName'])
        .where('panels.id', 'in', (eb) => {
          let sub = eb.selectFrom('actions').select('actions.panelId');
          if (!isPartnershipWide(user)) sub = sub.where('actions.ownerAgencyId', '=', user.agencyId);
          return sub;
        });
      q = q.orderBy('panels.startsAt', 'desc');
      return q.limit(200).execute();
    },

    async view(user: CurrentUser, actor: Actor, id: number) {
      const action = await visible(user, actor, id, 'action.view');
      const updates = await db
        .selectFrom('actionUpdates')
        .leftJoin('users', 'users.id', 'actionUpdates.userId')
        .leftJoin('agencies', 'agencies.id', 'users.agencyId')
        .select(['actionUpdates.id', 'actionUpdates.at', 'actionUpdates.fromStatus', 'actionUpdates.toStatus', 'actionUpdates.note', 'actionUpdates.newDueOn', 'actionUpdates.panelId', 'users.name as userName', 'agencies.shortName as agencyShortName'])
        .where('actionUpdates.actionId', '=', id)
        .orderBy('actionUpdates.at', 'asc')
        .orderBy('actionUpdates.id', 'asc')
        .execute();
      await recordAudit(db, actor, { action: 'action.view', entityType: 'action', entityId: id, details: { referralId: action.referralId } });
      return { action, updates, canUpdate: canUpdate(user, action) };
    },

    /** A progress note and/or a status change, reported back by the agency (or the chair or co-ordinator). */
    async update(user: CurrentUser, actor: Actor, id: number, version: number, change: { toStatus: ActionStatus | null; note: string | null }) {
      const result = await db.transaction().execute(async (trx) => {
        const action = await trx
          .selectFrom('actions')
          .innerJoin('referrals', 'referrals.id', 'actions.referralId')
          .select(['actions.id', 'actions.status', 'actions.version', 'actions.ownerAgencyId', 'referrals.status as referralStatus'])
          .where('actions.id', '=', id)
          .forUpdate()
          .executeTakeFirstOrThrow();
        if (action.referralStatus === 'closed') throw new ActionRefusedError('The case is closed, so its actions can no longer be updated', 'status');
        if (!canUpdate(user, action)) throw new ForbiddenError('Only the agency that owns this action can report back on it');
        if (action.version !== version) return { ok: false as const };
        const toStatus = change.toStatus === action.status ? null : change.toStatus;
        if (toStatus && !canMoveAction(action.status, toStatus)) {
          throw new ActionRefusedError(`An action that is ${action.status.replace('-', ' ')} cannot be moved to ${toStatus.replace('-', ' ')}`, 'status');
        }
        if (toStatus === 'completed' && !change.note) throw new ActionRefusedError('Say what was done to complete the action', 'note');
        if (!toStatus && !change.note) throw new ActionRefusedError('Enter a progress note or choose a new status', 'note');
        await applyActionUpdate(trx, actor, clock.now(), action, { toStatus, note: change.note, auditAction: 'action.update' });
        return { ok: true as const };
      });
      return result;
    },

    sendDigests: (now: Date) => sendDigests(db, baseUrl, now, pokeMail),
  };
}

/**
 * The weekly digest: to each representative (and single point of contact) of an agency with open
 * actions, the counts of open and overdue actions and a link. One per person per London week,
 * whichever instance runs it, because the reminder log row is written with the e-mail.
 */
async function sendDigests(db: Db, baseUrl: string, now: Date, pokeMail: () => void): Promise<number> {
  const today = londonDate(now);
  const week = londonWeek(now);
  const counts = await db
    .selectFrom('actions')
    .innerJoin('agencies', 'agencies.id', 'actions.ownerAgencyId')
    .innerJoin('referrals', 'referrals.id', 'actions.referralId')
    .select((eb) => [
      'actions.ownerAgencyId',
      eb.fn.countAll<string>().as('open'),
      eb.fn.sum<string>(eb.case().when('actions.dueOn', '<', today).then(1).else(0).end()).as('overdue'),
    ])
    .where('actions.status', 'in', INCOMPLETE_STATUSES)
    .where('referrals.status', '!=', 'closed')
    .where('agencies.active', '=', true)
    .groupBy('actions.ownerAgencyId')
    .execute();
  let sent = 0;
  for (const agency of counts) {
    const open = Number(agency.open);
    const overdue = Number(agency.overdue ?? 0);
    for (const recipient of await agencyRecipients(db, agency.ownerAgencyId)) {
      const queued = await db.transaction().execute(async (trx) => {
        const claimed = await trx
          .insertInto('reminderLog')
          .values({ kind: 'action-digest', subjectKey: `${week}:${recipient.id}`, sentAt: now })
          .onConflict((oc) => oc.columns(['kind', 'subjectKey']).doNothing())
          .returning('kind')
          .executeTakeFirst();
        if (!claimed) return false;
        await enqueueMail(trx, {
          kind: 'action.digest',
          to: recipient.email,
          subject: `Your agency's panel actions: ${open} open, ${overdue} overdue`,
          text: [
            `Your agency has ${open} open panel ${open === 1 ? 'action' : 'actions'}, ${overdue} of them overdue, as of ${formatCalendarDate(today)}.`,
            '',
            `Report back on them here: ${baseUrl}/actions`,
            ...(overdue ? [`The overdue ones: ${baseUrl}/actions?show=overdue`] : []),
          ].join('\n'),
          entityType: 'agency',
          entityId: agency.ownerAgencyId,
        });
        return true;
      });
      if (queued) sent += 1;
    }
  }
  if (sent) pokeMail();
  return sent;
}

export type ActionsService = ReturnType<typeof actionsService>;

/** The weekly digest job: `sendActionDigests(services, now)`. */
export function sendActionDigests(services: { actions: ActionsService }, now: Date): Promise<number> {
  return services.actions.sendDigests(now);
}
