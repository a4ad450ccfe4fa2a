import type { Db } from '../db/database';
import type { Actor, CurrentUser } from '../http/context';
import { BadRequestError, StaleVersionError } from '../http/errors';
import { recordAudit } from '../audit/audit';
import { applyActionUpdate, createAction } from '../actions/actions.service';
import { statusAfterReview } from '../actions/action-review';
import type { ActionInput, ItemRecordInput } from './meeting-form';
import { earlierActions, itemOf, lockedPanel, panelOf, requireInProgress, type Deps } from './meeting-panel';
import * as repo from './meeting.repository';

/** Records what the panel decided about each earlier action still pending; refuses a discussed case with any left. */
async function resolveEarlierActions(
  trx: Db,
  actor: Actor,
  now: Date,
  referralId: number | null,
  panelId: number,
  input: ItemRecordInput,
) {
  const pending = referralId ? (await earlierActions(trx, referralId, panelId)).filter((a) => a.pending) : [];
  for (const review of input.resolutions) {
    const action = pending.find((a) => a.id === review.actionId);
    if (!action) continue;
    await applyActionUpdate(trx, actor, now, action, {
      toStatus: statusAfterReview(review, action.status),
      note: review.note,
      newDueOn: review.dueOn,
      panelId,
      review,
      auditAction: 'action.review',
    });
  }
  const unresolved = pending.filter((a) => !input.resolutions.some((r) => r.actionId === a.id));
  if (input.discussed && input.decision !== 'deferred' && unresolved.length) {
    throw new BadRequestError('Every earlier action must be resolved before the case is marked discussed');
  }
}

/** Saves the record of one item against the version the form was loaded with (StaleVersionError otherwise). */
export async function saveItem(
  { db, clock }: Deps,
  user: CurrentUser,
  actor: Actor,
  panelId: number,
  itemId: number,
  version: number,
  input: ItemRecordInput,
): Promise<void> {
  await panelOf(db, user, actor, panelId, 'agenda-item.update');
  await db.transaction().execute(async (trx) => {
    const panel = await lockedPanel(trx, panelId);
    const item = await itemOf(trx, panelId, itemId);
    requireInProgress(panel);
    const current = await repo.lockRecordVersion(trx, itemId);
    if ((current ?? 0) !== version) throw new StaleVersionError();
    const now = clock.now();
    await resolveEarlierActions(trx, actor, now, item.referralId, panelId, input);
    const values: repo.RecordValues = {
      discussion: input.discussion,
      riskLevel: input.riskLevel,
      decision: input.decision,
      closeReason: input.closeReason,
      escalateTo: input.escalateTo,
      decisionNote: input.decisionNote,
      nextReviewOn: input.nextReviewOn,
      deferredReason: input.deferredReason,
      discussed: input.discussed,
      updatedBy: user.id,
      updatedAt: now,
    };
    if (current !== undefined) await repo.updateRecord(trx, itemId, values);
    else await repo.insertRecord(trx, itemId, values);
    const shared = Object.entries(input.shared).filter((e): e is [string, string] => e[1] !== null);
    await repo.replaceSharedInformation(
      trx,
      itemId,
      shared.map(([agencyId, text]) => ({ agencyId: Number(agencyId), text })),
    );
    await recordAudit(trx, actor, {
      action: 'agenda-item.record',
      entityType: 'agenda-item',
      entityId: itemId,
      details: {
        panelId,
        referralId: item.referralId,
        version: version + 1,
        decision: input.decision,
        riskLevel: input.riskLevel,
        discussed: input.discussed,
        resolvedActions: input.resolutions.map((r) => r.actionId),
      },
    });
  });
}

export async function addAction(
  { db, clock, links, mail }: Deps,
  user: CurrentUser,
  actor: Actor,
  panelId: number,
  itemId: number,
  input: ActionInput,
): Promise<number> {
  await panelOf(db, user, actor, panelId, 'action.create');
  const id = await db.transaction().execute(async (trx) => {
    const panel = await lockedPanel(trx, panelId);
    const item = await itemOf(trx, panelId, itemId);
    requireInProgress(panel);
    return createAction(trx, actor, links.baseUrl, clock.now(), {
      ...input,
      referralId: item.referralId,
      panelId,
      agendaItemId: itemId,
    });
  });
  mail.poke();
  return id;
}
