import { recordAudit } from '../audit/audit';
import { districts } from '../directory/directory.repository';
import type { Actor, CurrentUser } from '../http/context';
import { NotFoundError, RefusedError } from '../http/errors';
import { enqueueMail } from '../mail/outbox';
import { requireVisibleReferral } from './case-access';
import { caseLink, type ReferralDeps } from './referral-deps';
import { STATUS_NAMES } from './referral-codes';
import { ALREADY_SCREENED } from './referral-screening.service';
import { possibleDuplicatesOf } from './referral-submission.service';
import * as mergeRepo from './referral-merge.repository';
import * as repo from './referrals.repository';
import { OPEN_STATUSES } from './status';

const FOOTER =
  '\nThis message deliberately contains no personal details: they stay in ASBRAC Manager. Do not reply to it.\n';

function alreadyScreened(status: string) {
  return new RefusedError(
    { '': `It is now: ${STATUS_NAMES[status as keyof typeof STATUS_NAMES].toLowerCase()}. Nothing was changed.` },
    ALREADY_SCREENED,
  );
}

/**
 * Merges a submitted referral into an open case it duplicates. Both are kept: the duplicate, with
 * its subjects, incidents and timeline, ends as "merged" and points at the case; the case's record
 * lists it, and each timeline says what happened. The referrer is told by e-mail.
 */
export async function merge(
  deps: ReferralDeps,
  user: CurrentUser,
  actor: Actor,
  id: number,
  intoId: number,
  note: string | null,
): Promise<{ reference: string | null }> {
  const { db, clock } = deps;
  await requireVisibleReferral(db, user, actor, id, 'referral.merge');
  const candidates = await possibleDuplicatesOf(db, user, id);
  if (!candidates.some((c) => c.referralId === intoId))
    throw new RefusedError({ intoId: 'Choose one of the possible duplicates listed' });
  const result = await db.transaction().execute(async (trx) => {
    const row = await repo.lockReferral(trx, id);
    if (!row) throw new NotFoundError();
    if (row.status !== 'submitted') throw alreadyScreened(row.status);
    const into = await repo.lockReferral(trx, intoId);
    if (!into || !OPEN_STATUSES.includes(into.status))
      throw new RefusedError({ intoId: 'That case is no longer open: choose another or screen the referral' });
    const now = clock.now();
    await mergeRepo.markMerged(trx, id, intoId, { userId: user.id, at: now, note });
    await repo.insertCaseLinks(trx, id, [intoId], 'duplicate', now);
    const by = { at: now, userId: user.id, agencyId: user.agencyId };
    await repo.insertEvent(trx, {
      ...by,
      referralId: id,
      kind: 'merged',
      note: `Merged into ${into.reference} at screening${note ? `: ${note}` : ''}`,
      details: { into: intoId },
    });
    await repo.insertEvent(trx, {
      ...by,
      referralId: intoId,
      kind: 'merged-in',
      note: `${row.reference} was merged into this case at screening; its subjects, incidents and timeline are kept with it`,
      details: { referralId: id },
    });
    await recordAudit(trx, actor, {
      action: 'referral.merge',
      entityType: 'referral',
      entityId: id,
      details: { from: row.status, to: 'merged', into: intoId },
    });
    const referrerEmail = await repo.submitterEmail(trx, id);
    if (referrerEmail && row.reference)
      await enqueueMail(trx, {
        kind: 'referral.merge',
        to: referrerEmail,
        subject: `Referral ${row.reference} joined an existing case`,
        text: `Referral ${row.reference} is about a case the partnership already has open, so the coordinator has merged it into that case. Everything you gave is kept with it and the panel will hear them together.\n\nSign in to see the referral:\n${caseLink(deps, id)}\n${FOOTER}`,
        entityType: 'referral',
        entityId: id,
      });
    return { reference: into.reference };
  });
  deps.pokeMail();
  return result;
}

/** Moves a referral waiting for screening to another district: the case then belongs to that district. */
export async function moveDistrict(
  deps: ReferralDeps,
  user: CurrentUser,
  actor: Actor,
  id: number,
  districtId: number,
): Promise<{ districtName: string }> {
  const { db, clock } = deps;
  await requireVisibleReferral(db, user, actor, id, 'referral.move-district');
  const to = (await districts(db)).find((d) => d.id === districtId);
  if (!to) throw new RefusedError({ districtId: 'Select the district to move the referral to' });
  return db.transaction().execute(async (trx) => {
    const row = await repo.lockReferral(trx, id);
    if (!row) throw new NotFoundError();
    if (row.status !== 'submitted') throw alreadyScreened(row.status);
    const before = await mergeRepo.caseLabel(trx, id);
    if (before?.districtId === districtId)
      throw new RefusedError({ districtId: `The referral is already in ${to.name}: select another district` });
    const now = clock.now();
    await mergeRepo.setDistrict(trx, id, districtId, now);
    await repo.insertEvent(trx, {
      referralId: id,
      at: now,
      userId: user.id,
      agencyId: user.agencyId,
      kind: 'moved',
      note: `Moved from ${before?.districtName ?? 'no district'} to ${to.name}`,
      details: { from: before?.districtId ?? null, to: districtId },
    });
    await recordAudit(trx, actor, {
      action: 'referral.move-district',
      entityType: 'referral',
      entityId: id,
      details: { from: before?.districtId ?? null, to: districtId },
    });
    return { districtName: to.name };
  });
}
