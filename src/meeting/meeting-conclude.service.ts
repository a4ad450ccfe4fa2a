import type { Db } from '../db/database';
import type { Actor, CurrentUser } from '../http/context';
import { RefusedError } from '../http/errors';
import { recordAudit } from '../audit/audit';
import { applyPanelDecision } from '../referrals/referrals.service';
import { closeActionsWithCase } from '../actions/actions.service';
import { setPanelStatus } from '../panels/panels.service';
import { CLOSE_REASON_NAMES } from './meeting-codes';
import { conclusionCheck, lockedPanel, panelOf, requireInProgress, type Deps } from './meeting-panel';
import * as repo from './meeting.repository';

export async function concludeSummary({ db }: Deps, user: CurrentUser, actor: Actor, panelId: number) {
  const panel = await panelOf(db, user, actor, panelId, 'panel.conclude.view');
  await recordAudit(db, actor, { action: 'panel.conclude.view', entityType: 'panel', entityId: panelId });
  return { panel, ...(await conclusionCheck(db, panelId)) };
}

/** Applies the decision recorded for one case heard at the meeting, in the conclusion's transaction. */
async function applyDecision(
  trx: Db,
  user: CurrentUser,
  actor: Actor,
  now: Date,
  panelId: number,
  itemId: number,
  referralId: number,
) {
  const record = await repo.findRecord(trx, itemId);
  const decision = record.decision;
  if (!decision) return;
  const before = await applyPanelDecision(
    trx,
    referralId,
    {
      panelId,
      decision,
      escalateTo: record.escalateTo,
      nextReviewOn: record.nextReviewOn,
      closeReason: record.closeReason,
      closedReasonText: [record.closeReason ? CLOSE_REASON_NAMES[record.closeReason] : null, record.decisionNote]
        .filter(Boolean)
        .join(': '),
      deferredReason: record.deferredReason,
    },
    { userId: user.id, agencyId: actor.agencyId, at: now },
  );
  if (before === null) return;
  if (decision === 'close') await closeActionsWithCase(trx, actor, now, referralId, panelId);
  await recordAudit(trx, actor, {
    action: `referral.panel-${decision}`,
    entityType: 'referral',
    entityId: referralId,
    details: { panelId, from: before },
  });
}

/**
 * Concludes the meeting: the panel becomes concluded and every case takes its decision. Heard
 * cases become active, closed cases close with their open actions, deferred cases wait again.
 * Refused (RefusedError) while a case is undecided or the register is incomplete.
 */
export async function conclude({ db, clock }: Deps, user: CurrentUser, actor: Actor, panelId: number): Promise<void> {
  await panelOf(db, user, actor, panelId, 'panel.conclude');
  await db.transaction().execute(async (trx) => {
    const panel = await lockedPanel(trx, panelId);
    requireInProgress(panel);
    const check = await conclusionCheck(trx, panelId);
    if (!check.ready)
      throw new RefusedError({
        '': 'Every case needs a decision and the register must be complete before the meeting is concluded',
      });
    const now = clock.now();
    for (const item of check.items) {
      if (item.referralId) await applyDecision(trx, user, actor, now, panelId, item.id, item.referralId);
    }
    await setPanelStatus(trx, panelId, 'concluded', now, now);
    await recordAudit(trx, actor, {
      action: 'panel.conclude',
      entityType: 'panel',
      entityId: panelId,
      details: { items: check.items.map((i) => i.id) },
    });
  });
}
