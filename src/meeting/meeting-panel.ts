import type { ServiceDeps } from '../service-deps';
import type { Db } from '../db/database';
import type { Actor, CurrentUser } from '../http/context';
import { BadRequestError, NotFoundError } from '../http/errors';
import { addDays, londonDate, today } from '../time';
import { requireVisiblePanel } from '../panels/panel-access';
import { lockPanel, nextPanelStart } from '../panels/panels.service';
import { caseActionsForPanel } from '../actions/actions.service';
import { registerCompleteness } from '../register/register.service';
import * as repo from './meeting.repository';

export type Deps = Pick<ServiceDeps, 'db' | 'clock' | 'links' | 'mail'>;

/** A record cannot be changed because of where the meeting is, not because of what was typed. */
export class MeetingClosedError extends BadRequestError {}

/** The panel if the user may see it (404 otherwise, audited), with its district's and chair's names. */
export async function panelOf(db: Db, user: CurrentUser, actor: Actor, panelId: number, action: string) {
  const panel = await requireVisiblePanel(db, user, actor, panelId, action);
  return { ...panel, ...(await repo.panelNames(db, panel.districtId, panel.chairUserId)) };
}

export async function lockedPanel(trx: Db, panelId: number) {
  const panel = await lockPanel(trx, panelId);
  if (!panel) throw new NotFoundError();
  return panel;
}

export async function itemOf(db: Db, panelId: number, itemId: number) {
  const item = await repo.findItem(db, panelId, itemId);
  if (!item) throw new NotFoundError();
  return item;
}

export function requireInProgress(panel: { status: string }) {
  if (panel.status !== 'in-progress') {
    throw new MeetingClosedError(
      panel.status === 'agenda-published' || panel.status === 'scheduled'
        ? 'The meeting has not started: start it from the meeting page before recording anything'
        : 'The meeting is no longer in progress, so its record cannot be changed',
    );
  }
}

/**
 * Earlier actions of the case (agreed at other panels) still open or in progress, or resolved at
 * this panel, each with `resolvedHere` when this panel has already recorded what happened to it.
 */
export async function earlierActions(db: Db, referralId: number, panelId: number) {
  return caseActionsForPanel(db, referralId, panelId, await repo.lastHeardBefore(db, referralId, panelId));
}

/** The day before the district's next scheduled panel, or 28 days on when none is scheduled. */
export async function defaultDueDate(
  { db, clock }: Pick<Deps, 'db' | 'clock'>,
  panel: { id: number; districtId: number; startsAt: Date },
) {
  const now = today(clock);
  const next = await nextPanelStart(db, panel.districtId, panel.startsAt, ['scheduled', 'agenda-published']);
  if (next) {
    const dayBefore = addDays(londonDate(next), -1);
    if (dayBefore >= now) return dayBefore;
  }
  return addDays(now, 28);
}

/** What still stops the meeting being concluded. */
export async function conclusionCheck(db: Db, panelId: number) {
  const items = await repo.itemsOf(db, panelId);
  // A case needs its decision (and, unless deferred, to be marked discussed); other business only to be marked discussed.
  const undecided = items.filter((i) =>
    i.referralId === null ? !i.discussed : i.decision === null || (i.decision !== 'deferred' && !i.discussed),
  );
  const register = await registerCompleteness(db, panelId);
  return { items, undecided, register, ready: undecided.length === 0 && register.length === 0 };
}

export type ConclusionCheck = Awaited<ReturnType<typeof conclusionCheck>>;
