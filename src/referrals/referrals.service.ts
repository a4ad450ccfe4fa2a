import type { ServiceDeps } from '../service-deps';
import type { Db } from '../db/database';
import { recordAudit } from '../audit/audit';
import { districts } from '../directory/directory.repository';
import type { Actor, CurrentUser } from '../http/context';
import { riskMatrixService } from '../risk/risk-matrix.service';
import type { Matrix } from '../risk/scoring';
import { canSeeReferral, requireVisibleReferral, visibleReferrals } from './case-access';
import { canEdit, type ReferralDeps } from './referral-deps';
import { createDraft, editForm, forChange, newForm, saveDraft, stored, validate } from './referral-drafts.service';
import type { RawReferral } from './referral-form';
import type { ListFilters, Sort } from './referral-list-query';
import * as listRepo from './referral-list.repository';
import type { ScreeningOutcome } from './referral-codes';
import { changeStatus, discard, screen } from './referral-screening.service';
import { checkSubmission, possibleDuplicatesOf, submissionForm, submit } from './referral-submission.service';
import type { ReferralInput } from './referral-validation';
import * as repo from './referrals.repository';
import * as planRepo from './case-plan.repository';
import { merge, moveDistrict } from './referral-merge.service';
import * as mergeRepo from './referral-merge.repository';

export { applyPanelDecision, type PanelDecision } from './referral-screening.service';

export const PAGE_SIZE = 25;
/** The list counts matches up to this many; more are shown as "more than". */
export const COUNT_CAP = 1000;

/** The case record: everything about the referral that the user may see, and the view audited. */
async function view(deps: ReferralDeps, user: CurrentUser, actor: Actor, id: number) {
  const { db } = deps;
  await requireVisibleReferral(db, user, actor, id, 'referral.view');
  const record = await stored(deps, id);
  const matrix = await deps.riskMatrix.forForm(record.riskMatrixVersionId);
  // A linked case the user may not open is shown only as a link to "a case held by another agency".
  const caseLinks = [];
  for (const l of await repo.findCaseLinks(db, id))
    caseLinks.push(
      (await canSeeReferral(db, user, l.otherId))
        ? { ...l, canSee: true }
        : {
            id: l.id,
            kind: l.kind,
            direction: l.direction,
            otherId: null,
            otherReference: null,
            otherStatus: null,
            canSee: false,
          },
    );
  // The coordinator screening a referral sees every possible duplicate, including those the referrer could not open.
  const screening = (user.role === 'administrator' || user.role === 'chair') && record.status === 'submitted';
  const possibleDuplicates = screening ? await possibleDuplicatesOf(db, user, id) : [];
  const merges = await mergesOf(db, user, id, record.mergedIntoId);
  const events = await repo.findEvents(db, id);
  const hearings = await planRepo.findHearings(db, id);
  const actions = await planRepo.findCaseActions(db, id);
  await recordAudit(db, actor, { action: 'referral.view', entityType: 'referral', entityId: id });
  return {
    referral: record,
    matrix,
    caseLinks,
    possibleDuplicates,
    ...merges,
    events,
    hearings,
    actions,
    editable: canEdit(user, record),
  };
}

/** The case a referral was merged into, and the referrals merged into this case, each opened only by those who may. */
async function mergesOf(db: Db, user: CurrentUser, id: number, mergedIntoId: number | null) {
  const into = mergedIntoId ? await mergeRepo.caseLabel(db, mergedIntoId) : undefined;
  const mergedInto = into ? { ...into, canSee: await canSeeReferral(db, user, into.id) } : null;
  const mergedReferrals = [];
  for (const m of await mergeRepo.mergedInto(db, id))
    mergedReferrals.push(
      (await canSeeReferral(db, user, m.id)) ? { ...m, canSee: true } : { canSee: false, screenedAt: m.screenedAt },
    );
  return { mergedInto, mergedReferrals };
}

/** The list and search. The audit row records which filters were used, never the words searched for. */
async function list(
  { db }: ReferralDeps,
  user: CurrentUser,
  actor: Actor,
  filters: ListFilters,
  sort: Sort,
  page: number,
) {
  const visible = visibleReferrals(user);
  const n = await listRepo.countMatching(db, visible, filters, COUNT_CAP);
  const capped = n > COUNT_CAP;
  const total = Math.min(n, COUNT_CAP);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const current = Math.min(page, pages);
  const rows = await listRepo.listPage(db, visible, filters, sort, PAGE_SIZE, (current - 1) * PAGE_SIZE);
  const subjects = await listRepo.subjectsOf(
    db,
    rows.map((r) => r.id),
  );
  const used = (Object.keys(filters) as (keyof ListFilters)[]).filter((k) => k !== 'words' && filters[k] !== undefined);
  await recordAudit(db, actor, {
    action: 'referral.search',
    entityType: 'referral',
    details: {
      filters: used,
      text: filters.words.length > 0,
      sort,
      page: current,
      results: total,
      shown: rows.map((r) => r.id),
    },
  });
  return {
    total,
    capped,
    page: current,
    pages,
    rows: rows.map((r) => ({ ...r, subjects: subjects.filter((s) => s.referralId === r.id) })),
  };
}

/**
 * Referrals: drafting, submitting, screening, the case record and the list. Each part is a module
 * of its own (referral-drafts, referral-submission, referral-screening); this is their one face.
 */
export function referralsService(deps: Omit<ServiceDeps, 'documents'>) {
  const riskMatrix = riskMatrixService(deps);
  const d: ReferralDeps = {
    db: deps.db,
    clock: deps.clock,
    baseUrl: deps.links.baseUrl,
    pokeMail: () => deps.mail.poke(),
    riskMatrix,
  };
  return {
    riskMatrix,
    canEdit,
    newForm: (user: CurrentUser) => newForm(d, user),
    validate: (raw: RawReferral, mode: 'draft' | 'submit', matrixId?: number) => validate(d, raw, mode, matrixId),
    editForm: (user: CurrentUser, actor: Actor, id: number) => editForm(d, user, actor, id),
    forChange: (user: CurrentUser, actor: Actor, id: number, action: string) => forChange(d, user, actor, id, action),
    createDraft: (user: CurrentUser, actor: Actor, input: ReferralInput, matrix: Matrix) =>
      createDraft(d, user, actor, input, matrix),
    saveDraft: (user: CurrentUser, actor: Actor, id: number, version: number, input: ReferralInput, matrix: Matrix) =>
      saveDraft(d, user, actor, id, version, input, matrix),
    checkSubmission: (user: CurrentUser, actor: Actor, id: number) => checkSubmission(d, user, actor, id),
    submissionForm: (user: CurrentUser, actor: Actor, id: number) => submissionForm(d, user, actor, id),
    submit: (user: CurrentUser, actor: Actor, id: number, version: number, linkTo: number[]) =>
      submit(d, user, actor, id, version, linkTo),
    screen: (user: CurrentUser, actor: Actor, id: number, outcome: ScreeningOutcome, note: string | null) =>
      screen(d, user, actor, id, outcome, note),
    merge: (user: CurrentUser, actor: Actor, id: number, intoId: number, note: string | null) =>
      merge(d, user, actor, id, intoId, note),
    moveDistrict: (user: CurrentUser, actor: Actor, id: number, districtId: number) =>
      moveDistrict(d, user, actor, id, districtId),
    /** A panel heard the case (the panels feature calls this). */
    hear: (actor: Actor, id: number, details: { panelId?: number } = {}) =>
      changeStatus(d, actor, id, 'hear', {
        userId: actor.userId,
        event: 'heard',
        details: { panelId: details.panelId ?? null },
      }),
    /** A panel closed the case, with its reason (the panels feature calls this). */
    close: (actor: Actor, id: number, reason: string) =>
      changeStatus(d, actor, id, 'close', {
        userId: actor.userId,
        event: 'closed',
        note: reason,
        changes: { closedReason: reason, closedAt: deps.clock.now() },
      }),
    discard: (user: CurrentUser, actor: Actor, id: number) => discard(d, user, actor, id),
    view: (user: CurrentUser, actor: Actor, id: number) => view(d, user, actor, id),
    list: (user: CurrentUser, actor: Actor, filters: ListFilters, sort: Sort, page: number) =>
      list(d, user, actor, filters, sort, page),
    waitingForScreening: (user: CurrentUser) => listRepo.countWithStatus(deps.db, visibleReferrals(user), 'submitted'),
    districts: () => districts(deps.db),
  };
}

export type ReferralsService = ReturnType<typeof referralsService>;

/** A case's subjects, for another feature's page about the case (the meeting item). */
export function caseSubjects(db: Db, referralId: number) {
  return repo.findSubjects(db, referralId);
}

export type CaseSubject = Awaited<ReturnType<typeof caseSubjects>>[number];

export type CaseEvent = Parameters<typeof repo.insertEvent>[1];

/** An entry on a case's timeline, in the caller's transaction: other features record theirs here. */
export function recordCaseEvent(trx: Db, event: CaseEvent): Promise<void> {
  return repo.insertEvent(trx, event);
}
