import type { Db } from '../db/database';
import type { ReferralStatus } from '../db/schema';
import { recordAudit } from '../audit/audit';
import type { Actor, CurrentUser } from '../http/context';
import { NotFoundError, RefusedError } from '../http/errors';
import { enqueueMail } from '../mail/outbox';
import { requireVisibleReferral } from './case-access';
import { caseLink, readOnlyError, type ReferralDeps } from './referral-deps';
import { STATUS_NAMES, type ScreeningOutcome } from './referral-codes';
import { canTransition, IllegalTransitionError, TRANSITIONS, type Transition } from './status';
import * as repo from './referrals.repository';

/** The reason of the refusal to screen a referral that has been screened already. */
export const ALREADY_SCREENED = 'already-screened';

const SCREENING: Record<ScreeningOutcome, { transition: Transition; event: string }> = {
  accept: { transition: 'accept', event: 'accepted' },
  reject: { transition: 'reject', event: 'rejected' },
  'request-information': { transition: 'request-information', event: 'information-requested' },
};

/** What the referrer is told by email: a reference number and a link, never anything personal. */
function screeningMail(outcome: ScreeningOutcome, reference: string, link: string): { subject: string; text: string } {
  const footer =
    '\nThis message deliberately contains no personal details: they stay in ASBRAC Manager. Do not reply to it.\n';
  switch (outcome) {
    case 'accept':
      return {
        subject: `Referral ${reference} accepted`,
        text: `Referral ${reference} has been accepted as high risk. It will be heard at the next panel for its district.\n\nSign in to see the case:\n${link}\n${footer}`,
      };
    case 'reject':
      return {
        subject: `Referral ${reference} not accepted`,
        text: `Referral ${reference} has not been accepted for the panel. The coordinator has given advice on what to do next.\n\nSign in to read the advice:\n${link}\n${footer}`,
      };
    case 'request-information':
      return {
        subject: `Referral ${reference}: more information needed`,
        text: `The coordinator needs more information before referral ${reference} can be screened.\n\nSign in to see what is needed, then update the referral and submit it again:\n${link}\n${footer}`,
      };
  }
}

/** The coordinator's (or chair's) decision on a submitted referral; the referrer is told by email. */
export async function screen(
  deps: ReferralDeps,
  user: CurrentUser,
  actor: Actor,
  id: number,
  outcome: ScreeningOutcome,
  note: string | null,
): Promise<{ ok: true; status: ReferralStatus }> {
  const { db, clock } = deps;
  await requireVisibleReferral(db, user, actor, id, 'referral.screen');
  const { transition, event } = SCREENING[outcome];
  const result = await db.transaction().execute(async (trx) => {
    const row = await repo.lockReferral(trx, id);
    if (!row) throw new NotFoundError();
    if (!canTransition(transition, row.status))
      throw new RefusedError(
        { '': `It is now: ${STATUS_NAMES[row.status].toLowerCase()}. Nothing was changed.` },
        ALREADY_SCREENED,
      );
    const to = TRANSITIONS[transition].to;
    const now = clock.now();
    await repo.setStatus(trx, id, row.status, to, { screeningNote: note, screenedBy: user.id, screenedAt: now }, now);
    await repo.insertEvent(trx, {
      referralId: id,
      at: now,
      userId: user.id,
      agencyId: user.agencyId,
      kind: event,
      note,
    });
    await recordAudit(trx, actor, {
      action: 'referral.screen',
      entityType: 'referral',
      entityId: id,
      details: { outcome, from: row.status, to },
    });
    const referrerEmail = await repo.submitterEmail(trx, id);
    if (referrerEmail && row.reference) {
      const mail = screeningMail(outcome, row.reference, caseLink(deps, id));
      await enqueueMail(trx, {
        kind: `referral.${outcome}`,
        to: referrerEmail,
        subject: mail.subject,
        text: mail.text,
        entityType: 'referral',
        entityId: id,
      });
    }
    return { ok: true as const, status: to };
  });
  deps.pokeMail();
  return result;
}

interface StatusChange {
  userId: number | null;
  note?: string | null;
  event: string;
  changes?: Parameters<typeof repo.setStatus>[4];
  details?: Record<string, string | number | boolean | null>;
}

/** Moves a case along the table of transitions, with its timeline event and audit row. */
export async function changeStatus(
  { db, clock }: ReferralDeps,
  actor: Actor,
  id: number,
  transition: Transition,
  opts: StatusChange,
) {
  return db.transaction().execute(async (trx) => {
    const row = await repo.lockReferral(trx, id);
    if (!row) throw new NotFoundError();
    if (!canTransition(transition, row.status)) throw new IllegalTransitionError(transition, row.status);
    const to = TRANSITIONS[transition].to;
    const now = clock.now();
    await repo.setStatus(trx, id, row.status, to, opts.changes ?? {}, now);
    await repo.insertEvent(trx, {
      referralId: id,
      at: now,
      userId: opts.userId,
      agencyId: actor.agencyId,
      kind: opts.event,
      note: opts.note ?? null,
      details: opts.details,
    });
    await recordAudit(trx, actor, {
      action: `referral.${transition}`,
      entityType: 'referral',
      entityId: id,
      details: { from: row.status, to, ...opts.details },
    });
    return { from: row.status, to };
  });
}

/** Deletes a draft of the user's agency; anything else is no longer theirs to delete. */
export async function discard({ db }: ReferralDeps, user: CurrentUser, actor: Actor, id: number): Promise<void> {
  await requireVisibleReferral(db, user, actor, id, 'referral.discard');
  await db.transaction().execute(async (trx) => {
    const row = await repo.lockReferral(trx, id);
    if (!row || row.status !== 'draft' || row.referringAgencyId !== user.agencyId) throw readOnlyError();
    await repo.deleteReferral(trx, id);
    await recordAudit(trx, actor, { action: 'referral.discard', entityType: 'referral', entityId: id });
  });
}

/** What a panel decided for a case, as the meeting recorded it. */
export interface PanelDecision {
  panelId: number;
  decision: 'review' | 'escalate' | 'close' | 'deferred';
  escalateTo: string | null;
  nextReviewOn: string | null;
  closeReason: string | null;
  /** The close reason in words with the chair's note, as the case record shows it. */
  closedReasonText: string;
  deferredReason: string | null;
}

/**
 * Applies a panel's decision to its case inside the panel's own transaction: heard cases become
 * active, closed ones close, deferred ones wait for a panel again; each leaves a timeline event.
 * Returns the case's status before, or null when the case no longer exists.
 */
export async function applyPanelDecision(
  trx: Db,
  referralId: number,
  outcome: PanelDecision,
  by: { userId: number; agencyId: number | null; at: Date },
): Promise<ReferralStatus | null> {
  const referral = await repo.lockReferral(trx, referralId);
  if (!referral) return null;
  const { at } = by;
  const event = { referralId, at, userId: by.userId, agencyId: by.agencyId };
  const { panelId } = outcome;
  if (outcome.decision === 'review' || outcome.decision === 'escalate') {
    if (canTransition('hear', referral.status))
      await repo.setStatus(trx, referralId, referral.status, 'active', {}, at);
    await repo.insertEvent(trx, {
      ...event,
      kind: 'discussed',
      details: {
        panelId,
        decision: outcome.decision,
        escalateTo: outcome.escalateTo,
        nextReviewOn: outcome.nextReviewOn,
      },
    });
  } else if (outcome.decision === 'close') {
    if (canTransition('close', referral.status)) {
      await repo.setStatus(
        trx,
        referralId,
        referral.status,
        'closed',
        { closedReason: outcome.closedReasonText, closedAt: at },
        at,
      );
      await repo.insertEvent(trx, {
        ...event,
        kind: 'closed',
        note: outcome.closedReasonText,
        details: { panelId, closeReason: outcome.closeReason },
      });
    }
  } else {
    if (referral.status === 'active') await repo.setStatus(trx, referralId, 'active', 'awaiting-panel', {}, at);
    await repo.insertEvent(trx, { ...event, kind: 'deferred', note: outcome.deferredReason, details: { panelId } });
  }
  return referral.status;
}
