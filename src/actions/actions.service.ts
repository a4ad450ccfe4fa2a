import type { ServiceDeps } from '../service-deps';
import { DateTime } from 'luxon';
import { formatCalendarDate, formatDate, londonDate } from '../time';
import type { Db } from '../db/database';
import type { ActionStatus } from '../db/schema';
import type { Actor, CurrentUser } from '../http/context';
import { ForbiddenError, NotFoundError, RefusedError, StaleVersionError } from '../http/errors';
import { recordAudit } from '../audit/audit';
import { enqueueMail } from '../mail/outbox';
import { recordCaseEvent } from '../referrals/referrals.service';
import { canMoveAction, type Priority } from './action-status';
import type { ActionReview } from './action-review';
import { ACTION_COUNT_CAP, INCOMPLETE_STATUSES, weekAhead } from './overdue';
import * as repo from './actions.repository';
import { sendDigests } from './action-digests.service';

export const ACTION_PAGE_SIZE = 50;
/** How far back the panel filter's choices go. */
const PANEL_CHOICE_MONTHS = 12;

export type ActionFilter = 'open' | 'overdue' | 'due-this-week' | 'all';

export interface ActionListFilters {
  show: ActionFilter;
  panelId: number | null;
  agencyId: number | null;
  page: number;
}

export interface NewAction {
  /** The case; null for an action agreed under other business. */
  referralId: number | null;
  panelId: number;
  agendaItemId: number | null;
  description: string;
  ownerAgencyId: number;
  ownerName: string | null;
  dueOn: string;
  priority: Priority;
}

type Deps = Pick<ServiceDeps, 'db' | 'clock' | 'links' | 'mail'>;

const isPartnershipWide = (user: CurrentUser) => user.role === 'administrator' || user.role === 'chair';

/** The agency whose actions alone `user` sees on lists, or null for chairs and administrators. */
const ownAgency = (user: CurrentUser) => (isPartnershipWide(user) ? null : user.agencyId);

function assignedNotice(
  id: number,
  action: NewAction,
  context: { reference: string | null; districtName: string; startsAt: Date },
  baseUrl: string,
) {
  return {
    subject: context.reference
      ? `Action ${id} for case ${context.reference} assigned to your agency`
      : `Action ${id} from other business assigned to your agency`,
    text: [
      `The ${context.districtName} panel of ${formatDate(context.startsAt)} agreed an action ${context.reference ? `for case ${context.reference}` : 'under other business'} and gave it to your agency.`,
      `It is due by ${formatCalendarDate(action.dueOn)} (${action.priority} priority).`,
      '',
      `Read it and report back on it here: ${baseUrl}/actions/${id}`,
      `All of your agency's actions: ${baseUrl}/actions`,
    ].join('\n'),
  };
}

/**
 * Records an agreed action in the caller's transaction, with its first update, the case timeline
 * entry, the audit row and a notice to the owning agency (no personal data: reference, dates, link).
 */
export async function createAction(
  trx: Db,
  actor: Actor,
  baseUrl: string,
  now: Date,
  action: NewAction,
): Promise<number> {
  const id = await repo.insertAction(trx, { ...action, status: 'open', createdBy: actor.userId, createdAt: now });
  await repo.insertUpdate(trx, {
    actionId: id,
    userId: actor.userId,
    panelId: action.panelId,
    at: now,
    fromStatus: null,
    toStatus: 'open',
    note: null,
    newDueOn: action.dueOn,
  });
  if (action.referralId !== null)
    await recordCaseEvent(trx, {
      referralId: action.referralId,
      at: now,
      userId: actor.userId,
      agencyId: actor.agencyId,
      kind: 'action',
      details: { actionId: id, panelId: action.panelId },
    });
  await recordAudit(trx, actor, {
    action: 'action.create',
    entityType: 'action',
    entityId: id,
    details: {
      referralId: action.referralId,
      panelId: action.panelId,
      ownerAgencyId: action.ownerAgencyId,
      dueOn: action.dueOn,
      priority: action.priority,
    },
  });
  const notice = assignedNotice(id, action, await repo.noticeContext(trx, action.referralId, action.panelId), baseUrl);
  for (const recipient of await repo.agencyRecipients(trx, action.ownerAgencyId)) {
    await enqueueMail(trx, {
      kind: 'action.assigned',
      to: recipient.email,
      ...notice,
      entityType: 'action',
      entityId: id,
    });
  }
  return id;
}

/**
 * Records a change to an action in the caller's transaction: the status (if it changes), the due
 * date and owner (carried forward), the note, and a panel's review; one update row with who and when.
 */
export async function applyActionUpdate(
  trx: Db,
  actor: Actor,
  now: Date,
  action: { id: number; status: ActionStatus },
  change: {
    toStatus: ActionStatus | null;
    note: string | null;
    newDueOn?: string | null;
    panelId?: number | null;
    review?: ActionReview;
    auditAction: string;
  },
): Promise<void> {
  const closing =
    change.toStatus !== null && change.toStatus !== action.status && !INCOMPLETE_STATUSES.includes(change.toStatus);
  const moves = change.toStatus !== null && change.toStatus !== action.status;
  const review = change.review;
  await repo.updateAction(trx, action.id, {
    ...(change.toStatus ? { status: change.toStatus } : {}),
    ...(change.newDueOn ? { dueOn: change.newDueOn } : {}),
    ...(review?.ownerAgencyId ? { ownerAgencyId: review.ownerAgencyId, ownerName: review.ownerName } : {}),
    ...(closing ? { closedAt: now } : {}),
  });
  await repo.insertUpdate(trx, {
    actionId: action.id,
    userId: actor.userId,
    panelId: change.panelId ?? null,
    at: now,
    fromStatus: moves ? action.status : null,
    toStatus: moves ? change.toStatus : null,
    note: change.note,
    newDueOn: change.newDueOn ?? null,
    reviewOutcome: review?.outcome ?? null,
    reviewReason: review?.reason ?? null,
    reviewReasonText: review?.reasonText ?? null,
    nextStep: review?.nextStep ?? null,
    escalatedTo: review?.escalatedTo ?? null,
    newOwnerAgencyId: review?.ownerAgencyId ?? null,
    newOwnerName: review?.ownerAgencyId ? review.ownerName : null,
  });
  await recordAudit(trx, actor, {
    action: change.auditAction,
    entityType: 'action',
    entityId: action.id,
    details: {
      from: action.status,
      to: change.toStatus ?? action.status,
      note: change.note !== null,
      newDueOn: change.newDueOn ?? null,
      panelId: change.panelId ?? null,
      ...(review
        ? { outcome: review.outcome, reason: review.reason, nextStep: review.nextStep, newOwner: review.ownerAgencyId }
        : {}),
    },
  });
}

/**
 * Earlier actions of a case (agreed at other panels) that the panel `panelId` hears, with their
 * updates: `resolvedHere` when this panel has recorded what happened to one, `pending` when it
 * still has to. `lastHeard` is when the case was last heard before: what finished since is shown too.
 */
export async function caseActionsForPanel(db: Db, referralId: number, panelId: number, lastHeard: Date | null) {
  const actions = await repo.caseActionsForPanel(db, referralId, panelId, lastHeard);
  if (!actions.length) return [];
  const updates = await repo.updatesOf(
    db,
    actions.map((a) => a.id),
  );
  return actions.map((a) => {
    const own = updates.filter((u) => u.actionId === a.id);
    const resolvedHere = own.some((u) => u.panelId === panelId);
    return { ...a, updates: own, resolvedHere, pending: INCOMPLETE_STATUSES.includes(a.status) && !resolvedHere };
  });
}

export type LatestReview = Awaited<ReturnType<typeof repo.latestReviews>>[number];

/** What the last panel to review each action recorded (only `panelId`'s review, when given), by action id. */
export async function latestReviews(db: Db, actionIds: number[], panelId?: number): Promise<Map<number, LatestReview>> {
  if (!actionIds.length) return new Map();
  const rows = await repo.latestReviews(db, actionIds, panelId);
  return new Map(rows.map((r) => [r.actionId, r]));
}

export const actionsAgreedOnItem = (db: Db, agendaItemId: number) => repo.agreedOnItem(db, agendaItemId);

/** Closes a case's unfinished actions as not possible, in the caller's transaction, when a panel closes the case. */
export async function closeActionsWithCase(
  trx: Db,
  actor: Actor,
  now: Date,
  referralId: number,
  panelId: number,
): Promise<void> {
  for (const action of await repo.incompleteOfCase(trx, referralId)) {
    await applyActionUpdate(trx, actor, now, action, {
      toStatus: 'not-possible',
      note: 'case closed at panel',
      panelId,
      auditAction: 'action.close-with-case',
    });
  }
}

function canUpdate(user: CurrentUser, action: { ownerAgencyId: number; referralStatus: string | null }) {
  if (action.referralStatus === 'closed') return false;
  return isPartnershipWide(user) || action.ownerAgencyId === user.agencyId;
}

/** The action if the user may see it: their agency's, or one on a case they may see. */
async function visible({ db }: Deps, user: CurrentUser, actor: Actor, id: number, auditAction: string) {
  const row = await repo.findVisible(db, user, isPartnershipWide(user), id);
  if (!row) {
    await recordAudit(db, actor, { action: auditAction, outcome: 'denied', entityType: 'action', entityId: id });
    throw new NotFoundError();
  }
  return row;
}

async function list({ db, clock }: Deps, user: CurrentUser, actor: Actor, filters: ActionListFilters) {
  const now = clock.now();
  const today = londonDate(now);
  const scope: repo.ActionScope = {
    agencyId: ownAgency(user) ?? filters.agencyId,
    panelId: filters.panelId,
    incompleteOnly: filters.show !== 'all',
    dueBefore: filters.show === 'overdue' ? today : null,
    dueBetween: filters.show === 'due-this-week' ? weekAhead(now) : null,
  };
  const counted = await repo.countInScope(db, scope, ACTION_COUNT_CAP);
  const capped = counted > ACTION_COUNT_CAP;
  const total = Math.min(counted, ACTION_COUNT_CAP);
  const pages = Math.max(1, Math.ceil(total / ACTION_PAGE_SIZE));
  const page = Math.min(filters.page, pages);
  const rows = await repo.pageInScope(db, scope, ACTION_PAGE_SIZE, (page - 1) * ACTION_PAGE_SIZE);
  await recordAudit(db, actor, {
    action: 'action.list',
    entityType: 'action',
    details: {
      show: filters.show,
      panelId: filters.panelId,
      agencyId: filters.agencyId,
      page,
      results: rows.map((r) => r.id),
    },
  });
  return { rows, total, capped, page, pages, today };
}

async function view(deps: Deps, user: CurrentUser, actor: Actor, id: number) {
  const action = await visible(deps, user, actor, id, 'action.view');
  const updates = await repo.updatesOf(deps.db, [id]);
  await recordAudit(deps.db, actor, {
    action: 'action.view',
    entityType: 'action',
    entityId: id,
    details: { referralId: action.referralId },
  });
  return { action, updates, canUpdate: canUpdate(user, action) };
}

/** A progress note and/or a status change, reported back by the agency (or the chair or co-ordinator). */
async function update(
  { db, clock }: Deps,
  user: CurrentUser,
  actor: Actor,
  id: number,
  version: number,
  change: { toStatus: ActionStatus | null; note: string | null },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const action = await repo.lockWithCase(trx, id);
    if (action.referralStatus === 'closed')
      throw new RefusedError({ status: 'The case is closed, so its actions can no longer be updated' });
    if (!canUpdate(user, action))
      throw new ForbiddenError('Only the agency that owns this action can report back on it');
    if (action.version !== version) throw new StaleVersionError();
    const toStatus = change.toStatus === action.status ? null : change.toStatus;
    if (toStatus && !canMoveAction(action.status, toStatus)) {
      throw new RefusedError({
        status: `An action that is ${action.status.replace('-', ' ')} cannot be moved to ${toStatus.replace('-', ' ')}`,
      });
    }
    if (toStatus === 'completed' && !change.note)
      throw new RefusedError({ note: 'Say what was done to complete the action' });
    if (!toStatus && !change.note) throw new RefusedError({ note: 'Enter a progress note or choose a new status' });
    await applyActionUpdate(trx, actor, clock.now(), action, {
      toStatus,
      note: change.note,
      auditAction: 'action.update',
    });
  });
}

export function actionsService(deps: Deps) {
  return {
    canUpdate,
    list: (user: CurrentUser, actor: Actor, filters: ActionListFilters) => list(deps, user, actor, filters),
    /** Panels that gave this user's agency actions (every panel with actions for chairs and administrators). */
    /** The panels of the last year to filter by (an older one is reached from its own page), and the one chosen. */
    panelChoices: (user: CurrentUser, chosenId: number | null) =>
      repo.panelsWithActions(
        deps.db,
        ownAgency(user),
        DateTime.fromJSDate(deps.clock.now()).minus({ months: PANEL_CHOICE_MONTHS }).toJSDate(),
        chosenId,
      ),
    view: (user: CurrentUser, actor: Actor, id: number) => view(deps, user, actor, id),
    update: (
      user: CurrentUser,
      actor: Actor,
      id: number,
      version: number,
      change: { toStatus: ActionStatus | null; note: string | null },
    ) => update(deps, user, actor, id, version, change),
    sendDigests: (now: Date) => sendDigests(deps, now),
    /** What the last panel to review each action recorded, by action id: for views of actions already read. */
    latestReviews: (actionIds: number[]) => latestReviews(deps.db, actionIds),
  };
}

export type ActionsService = ReturnType<typeof actionsService>;

/** The weekly digest job: `sendActionDigests(services, now)`. */
export function sendActionDigests(services: { actions: ActionsService }, now: Date): Promise<number> {
  return services.actions.sendDigests(now);
}
