import type { Db } from '../db/database';
import type { ReferralStatus } from '../db/schema';
import { recordAudit } from '../audit/audit';
import type { Actor, CurrentUser } from '../http/context';
import { RefusedError, StaleVersionError } from '../http/errors';
import { enqueueMail } from '../mail/outbox';
import { assess, type Assessment } from '../risk/scoring';
import { londonDate, today } from '../time';
import { canSeeReferral, requireVisibleReferral } from './case-access';
import { caseLink, canEdit, readOnlyError, type ReferralDeps } from './referral-deps';
import { keysOf, kindsOf, repeatsOf, scoredFields, stored, subjectRows, validate } from './referral-drafts.service';
import { rawFromStored } from './referral-stored';
import { canTransition, OPEN_STATUSES } from './status';
import * as repo from './referrals.repository';

/** The reason of the refusal to submit a referral that still lacks something it needs. */
export const INCOMPLETE = 'incomplete';

interface PossibleDuplicate {
  referralId: number;
  reference: string | null;
  status: ReferralStatus;
  districtName: string | null;
  agencyShortName: string;
  matchedOn: Set<string>;
  subjectPositions: Set<number>;
}

/** Open cases with a subject like one of this referral's: shown before submitting, to link rather than duplicate. */
async function possibleDuplicates(db: Db, user: CurrentUser, referralId: number, subjects: repo.SubjectKeys[]) {
  const matches = await repo.findSubjectMatches(db, subjects, {
    excludeReferralId: referralId,
    statuses: OPEN_STATUSES,
  });
  const byCase = new Map<number, PossibleDuplicate>();
  for (const m of matches) {
    const entry = byCase.get(m.referralId) ?? {
      referralId: m.referralId,
      reference: m.reference,
      status: m.status,
      districtName: m.districtName,
      agencyShortName: m.agencyShortName,
      matchedOn: new Set(),
      subjectPositions: new Set(),
    };
    for (const s of subjects) {
      if (
        s.kind !== 'location' &&
        m.kind !== 'location' &&
        s.nameKey &&
        s.nameKey === m.nameKey &&
        s.dateOfBirth === m.dateOfBirth
      ) {
        entry.matchedOn.add('name-and-date-of-birth');
        entry.subjectPositions.add(s.position);
      }
      if (s.addressKey && s.addressKey === m.addressKey && s.postcodeKey === m.postcodeKey) {
        entry.matchedOn.add('address-and-postcode');
        entry.subjectPositions.add(s.position);
      }
    }
    byCase.set(m.referralId, entry);
  }
  const result = [];
  for (const e of byCase.values()) {
    const canSee = await canSeeReferral(db, user, e.referralId);
    result.push({
      ...e,
      canSee,
      matchedOn: [...e.matchedOn],
      subjectPositions: [...e.subjectPositions].sort((a, b) => a - b),
    });
  }
  return result;
}

/**
 * The possible duplicates of a stored referral, for the coordinator screening it: every match, with
 * its reference, status, district and referring agency (administrators and chairs see every case).
 */
export async function possibleDuplicatesOf(db: Db, user: CurrentUser, referralId: number) {
  return possibleDuplicates(db, user, referralId, await repo.subjectKeysOf(db, referralId));
}

/**
 * Everything the referrer checks before submitting: the assessment, and the repeats and possible
 * duplicates it may open. Of a match in a case it may not open, it learns only that there is one:
 * the coordinator sees the details when screening.
 */
export async function checkSubmission(deps: ReferralDeps, user: CurrentUser, actor: Actor, id: number) {
  const { db } = deps;
  await requireVisibleReferral(db, user, actor, id, 'referral.view');
  const record = await stored(deps, id);
  const editable = canEdit(user, record);
  const { input, errors, matrix } = await validate(deps, rawFromStored(record), 'submit', record.riskMatrixVersionId);
  const subjects = keysOf(subjectRows(input));
  const asOf = today(deps.clock);
  const repeats = await repeatsOf(db, id, subjects, matrix, asOf);
  const repeatIds = [...new Set(repeats.map((r) => r.referralId))];
  const assessment = assess(matrix, {
    answers: input.answers,
    judgement: input.judgement,
    incidentDates: input.incidents.map((i) => i.date),
    asOf,
    repeatMatches: repeatIds.length,
    kinds: kindsOf(input),
  });
  const duplicates = editable ? await possibleDuplicates(db, user, id, subjects) : [];
  await recordAudit(db, actor, {
    action: 'referral.view',
    entityType: 'referral',
    entityId: id,
    details: { page: 'check', duplicates: duplicates.length, repeats: repeatIds.length },
  });
  const repeatCases = [];
  let otherRepeat = false;
  for (const rid of repeatIds) {
    const first = repeats.find((m) => m.referralId === rid);
    if (!(await canSeeReferral(db, user, rid))) otherRepeat = true;
    else
      repeatCases.push({
        referralId: rid,
        reference: first?.reference ?? null,
        submittedAt: first?.submittedAt ?? null,
      });
  }
  return {
    referral: record,
    editable,
    errors,
    assessment,
    matrix,
    repeats: repeatCases,
    otherRepeat,
    duplicates: duplicates.filter((d) => d.canSee),
    otherDuplicate: duplicates.some((d) => !d.canSee),
  };
}

/** The referral as stored, shown in its form again when it cannot be submitted yet. */
export async function submissionForm(deps: ReferralDeps, user: CurrentUser, actor: Actor, id: number) {
  await requireVisibleReferral(deps.db, user, actor, id, 'referral.submit');
  const referral = await stored(deps, id);
  const matrix = await deps.riskMatrix.forForm(referral.riskMatrixVersionId);
  return { referral, raw: rawFromStored(referral), matrix };
}

async function tellAdministrators(deps: ReferralDeps, trx: Db, id: number, reference: string, resubmission: boolean) {
  for (const admin of await repo.activeAdministrators(trx)) {
    await enqueueMail(trx, {
      kind: 'referral.submitted',
      to: admin.email,
      subject: `Referral ${reference} waiting for screening`,
      text: `Referral ${reference} has been ${resubmission ? 'resubmitted with more information' : 'submitted'} and is waiting for screening.\n\nSign in to screen it:\n${caseLink(deps, id)}\n\nThis message deliberately contains no personal details: they stay in ASBRAC Manager. Do not reply to it.\n`,
      entityType: 'referral',
      entityId: id,
    });
  }
}

/** The events on both cases of the referrer linking a referral to possible duplicates. */
async function recordDuplicateLinks(
  trx: Db,
  user: CurrentUser,
  id: number,
  linked: { referralId: number; reference: string | null }[],
  now: Date,
) {
  for (const other of linked) {
    const by = { at: now, userId: user.id, agencyId: user.agencyId, kind: 'linked' };
    await repo.insertEvent(trx, {
      ...by,
      referralId: id,
      note: `Linked by the referrer as a possible duplicate of ${other.reference}`,
      details: { referralId: other.referralId },
    });
    await repo.insertEvent(trx, {
      ...by,
      referralId: other.referralId,
      // Not named: those who may see this case may not see the new one (the linked cases say whether they can).
      note: 'A later referral was linked to this case as a possible duplicate',
      details: { referralId: id },
    });
  }
}

/**
 * Submits the referral made from `version`, scored today, linked to its repeats and to the possible
 * duplicates the referrer chose; the administrators are told by e-mail.
 */
export async function submit(
  deps: ReferralDeps,
  user: CurrentUser,
  actor: Actor,
  id: number,
  version: number,
  linkTo: number[],
): Promise<{ ok: true; reference: string; assessment: Assessment }> {
  const { db, clock } = deps;
  await requireVisibleReferral(db, user, actor, id, 'referral.submit');
  const record = await stored(deps, id);
  if (!canEdit(user, record)) throw readOnlyError();
  const { input, errors, matrix } = await validate(deps, rawFromStored(record), 'submit', record.riskMatrixVersionId);
  if (Object.keys(errors).length) throw new RefusedError(errors, INCOMPLETE);
  const duplicates = await possibleDuplicates(db, user, id, keysOf(subjectRows(input)));
  // Only a case the referrer may open can be linked: the ids of others were never shown to it.
  const chosen = [...new Set(linkTo)].filter((candidate) =>
    duplicates.some((d) => d.referralId === candidate && d.canSee),
  );
  const result = await db.transaction().execute(async (trx) => {
    const row = await repo.lockReferral(trx, id);
    if (!row || row.version !== version || !canTransition('submit', row.status)) throw new StaleVersionError();
    const now = clock.now();
    const year = Number(londonDate(now).slice(0, 4));
    const reference =
      row.reference ?? `ASB-${year}-${String(await repo.nextReferenceNumber(trx, year)).padStart(4, '0')}`;
    const { fields, assessment, repeatIds } = await scoredFields(deps, trx, id, reference, input, matrix);
    await repo.setStatus(
      trx,
      id,
      row.status,
      'submitted',
      { ...fields, reference, submittedAt: record.submittedAt ?? now, lastSubmittedAt: now, submittedBy: user.id },
      now,
    );
    await repo.insertCaseLinks(trx, id, repeatIds, 'repeat', now);
    await repo.insertCaseLinks(trx, id, chosen, 'duplicate', now);
    await recordDuplicateLinks(
      trx,
      user,
      id,
      duplicates.filter((d) => chosen.includes(d.referralId)),
      now,
    );
    const resubmission = row.status === 'more-information-requested';
    const verdict = { score: assessment.score, verdict: assessment.verdict, criteria: assessment.criteria };
    await repo.insertEvent(trx, {
      referralId: id,
      at: now,
      userId: user.id,
      agencyId: user.agencyId,
      kind: resubmission ? 'resubmitted' : 'submitted',
      details: { ...verdict, linked: chosen },
    });
    await recordAudit(trx, actor, {
      action: 'referral.submit',
      entityType: 'referral',
      entityId: id,
      details: { from: row.status, ...verdict, repeats: repeatIds, linked: chosen },
    });
    await tellAdministrators(deps, trx, id, reference, resubmission);
    return { ok: true as const, reference, assessment };
  });
  deps.pokeMail();
  return result;
}
