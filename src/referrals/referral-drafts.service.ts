import type { Db } from '../db/database';
import type { SubjectKind } from '../db/schema';
import { recordAudit } from '../audit/audit';
import { districts } from '../directory/directory.repository';
import type { Actor, CurrentUser } from '../http/context';
import { NotFoundError, StaleVersionError } from '../http/errors';
import { assess, periodStart, type Matrix } from '../risk/scoring';
import { londonDateTime, today } from '../time';
import { requireVisibleReferral } from './case-access';
import { addressKey, nameKey, postcodeKey } from './matching';
import { canEdit, readOnlyError, type ReferralDeps } from './referral-deps';
import type { RawReferral } from './referral-form';
import { rawFromStored } from './referral-stored';
import { validateReferral, type ReferralInput } from './referral-validation';
import { REPEAT_STATUSES } from './status';
import * as repo from './referrals.repository';

/** Keys for matching, and the words the list's search finds a referral by. */
export function subjectRows(input: ReferralInput): repo.SubjectRow[] {
  return input.subjects.map((s) => ({
    kind: s.kind,
    fullName: s.fullName,
    nameKey: s.kind === 'location' ? null : nameKey(s.fullName),
    dateOfBirth: s.dateOfBirth,
    approximateAge: s.approximateAge,
    gender: s.gender,
    address: s.address,
    addressKey: addressKey(s.address),
    postcode: s.postcode,
    postcodeKey: postcodeKey(s.postcode),
    description: s.description,
    vulnerabilities: s.vulnerabilities,
  }));
}

function searchTextOf(reference: string | null, subjects: repo.SubjectRow[]): string {
  return [reference, ...subjects.flatMap((s) => [s.fullName, s.address, s.postcode, s.postcodeKey, s.description])]
    .filter((v): v is string => !!v)
    .join(' ')
    .replace(/\s+/g, ' ')
    .toLowerCase();
}

type KeyedSubject = {
  kind: SubjectKind | null;
  nameKey: string | null;
  dateOfBirth: string | null;
  addressKey: string | null;
  postcodeKey: string | null;
};

/** The kinds of the referral's subjects: each is scored on its own questions. */
export const kindsOf = (input: ReferralInput): SubjectKind[] => [
  ...new Set(input.subjects.map((s) => s.kind).filter((k): k is SubjectKind => k !== null)),
];

export const keysOf = (subjects: KeyedSubject[]): repo.SubjectKeys[] =>
  subjects.map((s, i) => ({
    position: i + 1,
    kind: s.kind,
    nameKey: s.nameKey,
    dateOfBirth: s.dateOfBirth,
    addressKey: s.addressKey,
    postcodeKey: s.postcodeKey,
  }));

export async function validate(deps: ReferralDeps, raw: RawReferral, mode: 'draft' | 'submit', matrixId?: number) {
  const matrix = await deps.riskMatrix.forForm(matrixId ?? (Number(raw.matrixVersionId) || null));
  const districtRows = await districts(deps.db);
  const result = validateReferral(raw, {
    mode,
    today: today(deps.clock),
    districtIds: new Set(districtRows.map((d) => d.id)),
    matrix,
  });
  return { ...result, matrix };
}

/**
 * Earlier referrals of the same people or places within the matrix's repeat period that were heard
 * or closed. One still waiting for screening or a panel is a possible duplicate, not a repeat.
 */
export function repeatsOf(trx: Db, referralId: number, subjects: repo.SubjectKeys[], matrix: Matrix, asOf: string) {
  const since = londonDateTime(periodStart(asOf, matrix.repeatMonths), '00:00');
  return repo.findSubjectMatches(trx, subjects, {
    excludeReferralId: referralId,
    submittedSince: since,
    statuses: REPEAT_STATUSES,
  });
}

/** The referral's fields and rows as saved, scored against the matrix today. */
export async function scoredFields(
  deps: ReferralDeps,
  trx: Db,
  referralId: number,
  reference: string | null,
  input: ReferralInput,
  matrix: Matrix,
) {
  const subjects = subjectRows(input);
  const asOf = today(deps.clock);
  const repeats = await repeatsOf(trx, referralId, keysOf(subjects), matrix, asOf);
  const repeatIds = [...new Set(repeats.map((r) => r.referralId))];
  const assessment = assess(matrix, {
    answers: input.answers,
    judgement: input.judgement,
    incidentDates: input.incidents.map((i) => i.date),
    asOf,
    repeatMatches: repeatIds.length,
    kinds: kindsOf(input),
  });
  const fields: repo.ReferralFields = {
    districtId: input.districtId,
    officerName: input.officerName,
    officerRole: input.officerRole,
    officerPhone: input.officerPhone,
    officerEmail: input.officerEmail,
    reason: input.reason,
    triedActions: input.triedActions,
    triedOther: input.triedOther,
    triedDetails: input.triedDetails,
    lawfulBasis: input.lawfulBasis,
    consent: input.consent,
    consentReason: input.consentReason,
    riskMatrixVersionId: matrix.id,
    riskScore: assessment.score,
    riskVerdict: assessment.verdict,
    criteria: assessment.criteria,
    judgement: input.judgement,
    judgementReasons: input.judgementReasons,
    escalationCount: assessment.escalationCount,
    subjectKinds: kindsOf(input),
    searchText: searchTextOf(reference, subjects),
  };
  const children: repo.Children = {
    subjects,
    links: input.links,
    incidents: input.incidents.map((i) => ({
      incidentDate: i.date,
      type: i.type,
      summary: i.summary,
      agencyReference: i.agencyReference,
    })),
    answers: input.answers,
  };
  return { fields, children, assessment, repeatIds };
}

/** The referral with its subjects, links, incidents and answers. */
export async function stored({ db }: ReferralDeps, id: number) {
  const referral = await repo.findReferral(db, id);
  if (!referral) throw new NotFoundError();
  const subjects = await repo.findSubjects(db, id);
  const subjectLinks = await repo.findSubjectLinks(db, id);
  const incidents = await repo.findIncidents(db, id);
  const answers = await repo.findAnswers(db, id);
  return { ...referral, subjects, subjectLinks, incidents, answers };
}

/** What a new referral form starts with: the user's own details, their agency's district. */
export async function newForm(deps: ReferralDeps, user: CurrentUser): Promise<{ raw: RawReferral; matrix: Matrix }> {
  const me = await repo.officerDefaults(deps.db, user.id);
  const matrix = await deps.riskMatrix.current();
  const raw = rawFromStored({
    districtId: me.districtId,
    officerName: user.name,
    officerRole: me.jobTitle,
    officerPhone: me.phone,
    officerEmail: user.email,
    reason: null,
    triedActions: [],
    triedOther: null,
    triedDetails: null,
    riskMatrixVersionId: matrix.id,
    judgement: null,
    judgementReasons: null,
    lawfulBasis: null,
    consent: null,
    consentReason: null,
    subjects: [],
    subjectLinks: [],
    incidents: [],
    answers: [],
  });
  return { raw, matrix };
}

/**
 * The referral as its edit form shows it. A draft started on an older matrix is moved to the
 * current one, keeping the answers to questions that are still asked the same way.
 */
export async function editForm(deps: ReferralDeps, user: CurrentUser, actor: Actor, id: number) {
  const { db, riskMatrix } = deps;
  await requireVisibleReferral(db, user, actor, id, 'referral.view');
  const record = await stored(deps, id);
  const current = await riskMatrix.current();
  const raw = rawFromStored(record);
  if (record.riskMatrixVersionId !== current.id) {
    const old = await riskMatrix.forForm(record.riskMatrixVersionId);
    const oldIdOf = new Map(old.questions.map((q) => [q.code, q.id]));
    const risk: Record<string, string> = {};
    for (const q of current.questions) {
      const answer = raw.risk[`q${oldIdOf.get(q.code)}`];
      if (answer && q.options.some((o) => o.key === answer)) risk[`q${q.id}`] = answer;
    }
    raw.risk = risk;
    raw.matrixVersionId = String(current.id);
  }
  await recordAudit(db, actor, {
    action: 'referral.view',
    entityType: 'referral',
    entityId: id,
    details: { page: 'edit' },
  });
  return { referral: record, raw, matrix: current, editable: canEdit(user, record) };
}

/** The referral about to be changed, checked for visibility (not audited as a view: the change is). */
export async function forChange({ db }: ReferralDeps, user: CurrentUser, actor: Actor, id: number, action: string) {
  await requireVisibleReferral(db, user, actor, id, action);
  const referral = await repo.findReferral(db, id);
  if (!referral) throw new NotFoundError();
  return { referral, editable: canEdit(user, referral) };
}

export async function createDraft(
  deps: ReferralDeps,
  user: CurrentUser,
  actor: Actor,
  input: ReferralInput,
  matrix: Matrix,
): Promise<number> {
  return deps.db.transaction().execute(async (trx) => {
    const now = deps.clock.now();
    const id = await repo.insertReferral(trx, {
      status: 'draft',
      referringAgencyId: user.agencyId,
      createdBy: user.id,
      riskMatrixVersionId: matrix.id,
      createdAt: now,
      updatedAt: now,
    });
    const { fields, children } = await scoredFields(deps, trx, id, null, input, matrix);
    await repo.updateReferral(trx, id, 1, fields, now);
    await repo.replaceChildren(trx, id, children);
    await repo.insertEvent(trx, { referralId: id, at: now, userId: user.id, agencyId: user.agencyId, kind: 'created' });
    await recordAudit(trx, actor, {
      action: 'referral.create',
      entityType: 'referral',
      entityId: id,
      details: { subjects: input.subjects.length, incidents: input.incidents.length },
    });
    return id;
  });
}

/** Saves a draft (or a referral sent back for more information) made from `version`. */
export async function saveDraft(
  deps: ReferralDeps,
  user: CurrentUser,
  actor: Actor,
  id: number,
  version: number,
  input: ReferralInput,
  matrix: Matrix,
): Promise<{ id: number }> {
  const { db, clock } = deps;
  await requireVisibleReferral(db, user, actor, id, 'referral.update');
  const current = await repo.findReferral(db, id);
  if (!current) throw new NotFoundError();
  if (!canEdit(user, current)) throw readOnlyError();
  return db.transaction().execute(async (trx) => {
    const now = clock.now();
    const { fields, children } = await scoredFields(deps, trx, id, current.reference, input, matrix);
    if (!(await repo.updateReferral(trx, id, version, fields, now))) throw new StaleVersionError();
    await repo.replaceChildren(trx, id, children);
    await recordAudit(trx, actor, {
      action: 'referral.update',
      entityType: 'referral',
      entityId: id,
      details: { status: current.status, subjects: input.subjects.length, incidents: input.incidents.length },
    });
    return { id };
  });
}
