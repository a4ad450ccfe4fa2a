import { DateTime } from 'luxon';
import type { Db } from '../db/database';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../http/context';
import { NotFoundError, RefusedError, StaleVersionError } from '../http/errors';
import { londonDateTime } from '../time';
import * as appraisal from './appraisal.repository';
import { anonymiseCase, removeFiles, type DestructionDeps } from './destruction.service';
import { findSettings } from './retention.repository';
import * as repo from './retention.repository';

/*
 * Appraisal before destruction (NHS Records Management Code): a case at the end of retention is
 * listed for review, and nothing is destroyed until the co-ordinator confirms it. They may instead
 * keep it longer with a reason, or place a legal hold, which stops the clock until it is lifted.
 */

const BATCH = 100;
const years = (at: Date, n: number) => DateTime.fromJSDate(at).plus({ years: n }).toJSDate();

/** Lists every closed case past its period for review, and brings back extensions that have run out. */
export async function listDueForReview(db: Db, now: Date, closedCaseYears: number): Promise<number> {
  const before = years(now, -closedCaseYears);
  let listed = 0;
  let lastId = 0;
  // Pages along the partial index, so memory stays bounded however many cases fall due at once.
  for (;;) {
    const batch = await repo.dueCaseIds(db, before, lastId, BATCH);
    const cases = batch.map((c) => ({ id: c.id, dueAt: years(c.closedAt as Date, closedCaseYears) }));
    listed += await appraisal.listForReview(db, cases, now);
    if (batch.length < BATCH) break;
    lastId = batch[batch.length - 1].id;
  }
  return listed + (await appraisal.returnExpiredExtensions(db, now));
}

async function reviewOrNotFound(db: Db, referralId: number) {
  const review = await appraisal.findReview(db, referralId);
  if (!review || review.status === 'destroyed') throw new NotFoundError();
  return review;
}

export type Decision =
  | { kind: 'destroy' }
  | { kind: 'extend'; until: string; reason: string }
  | { kind: 'hold'; reason: string }
  | { kind: 'lift' };

function refuseUnlessStatus(status: string, allowed: string[], message: string) {
  if (!allowed.includes(status)) throw new RefusedError({ '': message });
}

/** The review's next state for a decision other than destruction. */
function nextState(review: NonNullable<Awaited<ReturnType<typeof appraisal.findReview>>>, d: Decision, now: Date) {
  switch (d.kind) {
    case 'extend':
      refuseUnlessStatus(review.status, ['due', 'extended'], 'Only a case on the review list can be kept longer');
      return {
        status: 'extended' as const,
        keepUntil: londonDateTime(d.until, '00:00'),
        reason: d.reason,
        heldSince: null,
      };
    case 'hold':
      refuseUnlessStatus(review.status, ['due', 'extended'], 'This case is already on hold');
      return { status: 'held' as const, keepUntil: review.keepUntil, reason: d.reason, heldSince: now };
    case 'lift': {
      refuseUnlessStatus(review.status, ['held'], 'This case is not on hold');
      // The clock stood still while the hold lasted: the case is due that much later.
      const until = review.keepUntil ?? review.dueAt;
      const held = now.getTime() - (review.heldSince ?? now).getTime();
      const moved = new Date(until.getTime() + held);
      return moved > now
        ? { status: 'extended' as const, keepUntil: moved, reason: review.reason, heldSince: null }
        : { status: 'due' as const, keepUntil: null, reason: null, heldSince: null };
    }
    case 'destroy':
      throw new Error('destruction is not a state change');
  }
}

/** Records the co-ordinator's decision on one case; destruction writes its certificate. */
export async function decideReview(
  deps: DestructionDeps,
  actor: Actor & { userId: number },
  referralId: number,
  version: number,
  decision: Decision,
  now: Date,
): Promise<{ certificateId: number | null }> {
  const { db } = deps;
  await reviewOrNotFound(db, referralId);
  if (decision.kind === 'destroy') return destroy(deps, actor, referralId, version, now);
  await db.transaction().execute(async (trx) => {
    const review = await reviewOrNotFound(trx, referralId);
    if (review.version !== version) throw new StaleVersionError();
    const next = nextState(review, decision, now);
    if (!(await appraisal.decide(trx, referralId, version, next, actor.userId, now))) throw new StaleVersionError();
    await recordAudit(trx, actor, {
      action: `retention.${decision.kind === 'lift' ? 'hold-lifted' : decision.kind === 'hold' ? 'held' : 'extended'}`,
      entityType: 'referral',
      entityId: referralId,
      details: { status: next.status, keepUntil: next.keepUntil?.toISOString() ?? null },
    });
  });
  return { certificateId: null };
}

async function destroy(
  deps: DestructionDeps,
  actor: Actor & { userId: number },
  referralId: number,
  version: number,
  now: Date,
): Promise<{ certificateId: number }> {
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const review = await reviewOrNotFound(trx, referralId);
    if (review.version !== version) throw new StaleVersionError();
    refuseUnlessStatus(review.status, ['due'], 'Only a case on the review list can be destroyed');
    const settings = await findSettings(trx);
    const change = { status: 'destroyed' as const, keepUntil: null, reason: null, heldSince: null };
    if (!(await appraisal.decide(trx, referralId, version, change, actor.userId, now))) throw new StaleVersionError();
    const done = await anonymiseCase(deps, actor, referralId, now, settings.closedCaseYears, trx);
    if (!done) throw new RefusedError({ '': 'This case is no longer closed, so it cannot be destroyed' });
    const certificateId = await appraisal.insertCertificate(trx, {
      referralId,
      caseReference: review.reference,
      districtId: review.districtId,
      closedAt: review.closedAt as Date,
      retentionYears: settings.closedCaseYears,
      stores: done.counts,
      approvedBy: actor.userId,
      destroyedAt: now,
    });
    await recordAudit(trx, actor, {
      action: 'retention.destroyed',
      entityType: 'referral',
      entityId: referralId,
      details: { certificateId },
    });
    return { certificateId, emlFiles: done.emlFiles };
  });
  await removeFiles(outcome.emlFiles);
  return { certificateId: outcome.certificateId };
}
