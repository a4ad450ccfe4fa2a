import type { ServiceDeps } from '../service-deps';
import { ZONE } from '../time';
import { DateTime } from 'luxon';
import type { Db } from '../db/database';
import type { ReferralStatus, SubjectKind } from '../db/schema';
import { recordAudit } from '../audit/audit';
import { enqueueMail } from '../mail/outbox';
import type { Actor, CurrentUser } from '../http/context';
import { NotFoundError } from '../http/errors';

import { riskMatrixService } from '../risk/risk-matrix.service';
import { assess, periodStart, type Assessment, type Matrix } from '../risk/scoring';
import { canSeeReferral, requireVisibleReferral, visibleReferrals } from './case-access';
import { addressKey, nameKey, postcodeKey } from './matching';
import type { RawReferral } from './referral-form';
import { rawFromStored } from './referral-stored';
import { validateReferral, type ReferralInput } from './referral-validation';
import type { ScreeningOutcome } from './referral-codes';
import { EDITABLE_STATUSES, IllegalTransitionError, OPEN_STATUSES, TRANSITIONS, canTransition, type Transition } from './status';
import * as repo from './referrals.repository';

export const PAGE_SIZE = 25;
/** The list counts matches up to this many; more are shown as "more than". */
export const COUNT_CAP = 10_000;

export type SaveResult = { ok: true; id: number } | { ok: false; reason: 'stale' | 'read-only' };
export type SubmitResult =
  | { ok: true; reference: string; assessment: Assessment }
  | { ok: false; reason: 'stale' }
  | { ok: false; reason: 'read-only' }
  | { ok: false; reason: 'incomplete'; raw: RawReferral; errors: Record<string, string> };
export type ScreenResult = { ok: true; status: ReferralStatus } | { ok: false; reason: 'already-screened'; status: ReferralStatus };

const SCREENING: Record<ScreeningOutcome, { transition: Transition; event: string }> = {
  accept: { transition: 'accept', event: 'accepted' },
  reject: { transition: 'reject', event: 'rejected' },
  'request-information': { transition: 'request-information', event: 'information-requested' },
};

/** What the referrer is told by email: a reference number and a link, never anything personal. */
function screeningMail(outcome: ScreeningOutcome, reference: string, link: string): { subject: string; text: string } {
  const footer = '\nThis message deliberately contains no personal details: they stay in ASBRAC Manager. Do not reply to it.\n';
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
    default:
      return {
        subject: `Referral ${reference}: more information needed`,
        text: `The coordinator needs more information before referral ${reference} can be screened.\n\nSign in to see what is needed, then update the referral and submit it again:\n${link}\n${footer}`,
      };
  }
}

/** Keys for matching, and the words the list's search finds a referral by. */
function subjectRows(input: ReferralInput): repo.SubjectRow[] {
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

const keysOf = (subjects: { kind: SubjectKind | null; nameKey: string | null; dateOfBirth: string | null; addressKey: string | null; postcodeKey: string | null }[]): repo.SubjectKeys[] =>
  subjects.map((s, i) => ({ position: i + 1, kind: s.kind, nameKey: s.nameKey, dateOfBirth: s.dateOfBirth, addressKey: s.addressKey, postcodeKey: s.postcodeKey }));

export function referralsService(deps: Omit<ServiceDeps, 'documents'>) {
  const { db, clock } = deps;
  const { baseUrl } = deps.links;
  const pokeMail = () => deps.mail.poke();
  const riskMatrix = riskMatrixService(deps);

  const today = () => DateTime.fromJSDate(clock.now()).setZone(ZONE).toISODate() as string;
  const link = (id: number) => `${baseUrl}/referrals/${id}`;
  const canEdit = (user: CurrentUser, r: { status: ReferralStatus; referringAgencyId: number }) =>
    r.referringAgencyId === user.agencyId && EDITABLE_STATUSES.includes(r.status);

  async function validate(raw: RawReferral, mode: 'draft' | 'submit', matrixId?: number) {
    const matrix = await riskMatrix.forForm(matrixId ?? (Number(raw.matrixVersionId) || null));
    const districts = await repo.districtIds(db);
    const result = validateReferral(raw, { mode, today: today(), districtIds: new Set(districts.map((d) => d.id)), matrix });
    return { ...result, matrix };
  }

  /** Earlier referrals of the same people or places within the matrix's repeat period. */
  async function repeatsOf(trx: Db, referralId: number, subjects: repo.SubjectKeys[], matrix: Matrix, asOf: string) {
    const since = DateTime.fromISO(periodStart(asOf, matrix.repeatMonths), { zone: ZONE }).toJSDate();
    return repo.findSubjectMatches(trx, subjects, { excludeReferralId: referralId, submittedSince: since });
  }

  async function scoredFields(trx: Db, referralId: number, reference: string | null, input: ReferralInput, matrix: Matrix) {
    const subjects = subjectRows(input);
    const asOf = today();
    const repeats = await repeatsOf(trx, referralId, keysOf(subjects), matrix, asOf);
    const repeatIds = [...new Set(repeats.map((r) => r.referralId))];
    const assessment = assess(matrix, {
      answers: input.answers,
      judgement: input.judgement,
      incidentDates: input.incidents.map((i) => i.date),
      asOf,
      repeatMatches: repeatIds.length,
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
      subjectKinds: [...new Set(input.subjects.map((s) => s.kind).filter((k): k is SubjectKind => k !== null))],
      searchText: searchTextOf(reference, subjects),
    };
    const children: repo.Children = {
      subjects,
      links: input.links,
      incidents: input.incidents.map((i) => ({ incidentDate: i.date, type: i.type, summary: i.summary, agencyReference: i.agencyReference })),
      answers: input.answers,
    };
    return { fields, children, assessment, repeatIds };
  }

  async function stored(id: number) {
    const referral = await repo.findReferral(db, id);
    if (!referral) throw new NotFoundError();
    const subjects = await repo.findSubjects(db, id);
    const subjectLinks = await repo.findSubjectLinks(db, id);
    const incidents = await repo.findIncidents(db, id);
    const answers = await repo.findAnswers(db, id);
    return { ...referral, subjects, subjectLinks, incidents, answers };
  }

  /** Open cases with a subject like one of this referral's: shown before submitting, to link rather than duplicate. */
  async function possibleDuplicates(user: CurrentUser, referralId: number, subjects: repo.SubjectKeys[]) {
    const matches = await repo.findSubjectMatches(db, subjects, { excludeReferralId: referralId, statuses: OPEN_STATUSES });
    const byCase = new Map<number, { referralId: number; reference: string | null; status: ReferralStatus; districtName: string | null; agencyShortName: string; matchedOn: Set<string>; subjectPositions: Set<number>; canSee: boolean }>();
    for (const m of matches) {
      const entry = byCase.get(m.referralId) ?? { referralId: m.referralId, reference: m.reference, status: m.status, districtName: m.districtName, agencyShortName: m.agencyShortName, matchedOn: new Set(), subjectPositions: new Set(), canSee: false };
      for (const s of subjects) {
        if (s.kind !== 'location' && m.kind !== 'location' && s.nameKey && s.nameKey === m.nameKey && s.dateOfBirth === m.dateOfBirth) {
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
    const result = [...byCase.values()];
    for (const entry of result) entry.canSee = await canSeeReferral(db, user, entry.referralId);
    return result.map((e) => ({ ...e, matchedOn: [...e.matchedOn], subjectPositions: [...e.subjectPositions].sort((a, b) => a - b) }));
  }

  async function changeStatus(
    actor: Actor,
    id: number,
    transition: Transition,
    opts: { userId: number | null; note?: string | null; event: string; changes?: Parameters<typeof repo.setStatus>[4]; details?: Record<string, string | number | boolean | null> },
  ) {
    return db.transaction().execute(async (trx) => {
      const row = await repo.lockReferral(trx, id);
      if (!row) throw new NotFoundError();
      if (!canTransition(transition, row.status)) throw new IllegalTransitionError(transition, row.status);
      const to = TRANSITIONS[transition].to;
      const now = clock.now();
      await repo.setStatus(trx, id, row.status, to, opts.changes ?? {}, now);
      await repo.insertEvent(trx, { referralId: id, at: now, userId: opts.userId, agencyId: actor.agencyId, kind: opts.event, note: opts.note ?? null, details: opts.details });
      await recordAudit(trx, actor, { action: `referral.${transition}`, entityType: 'referral', entityId: id, details: { from: row.status, to, ...opts.details } });
      return { from: row.status, to };
    });
  }

  return {
    riskMatrix,
    canEdit,

    /** What a new referral form starts with: the user's own details, their agency's district. */
    async newForm(user: CurrentUser): Promise<{ raw: RawReferral; matrix: Matrix }> {
      const me = await db
        .selectFrom('users')
        .innerJoin('agencies', 'agencies.id', 'users.agencyId')
        .select(['users.jobTitle', 'users.phone', 'agencies.districtId'])
        .where('users.id', '=', user.id)
        .executeTakeFirstOrThrow();
      const matrix = await riskMatrix.current();
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
    },

    validate,

    /**
     * The referral as its edit form shows it. A draft started on an older matrix is moved to the
     * current one, keeping the answers to questions that are still asked the same way.
     */
    async editForm(user: CurrentUser, actor: Actor, id: number) {
      await requireVisibleReferral(db, user, actor, id, 'referral.view');
      const record = await stored(id);
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
      await recordAudit(db, actor, { action: 'referral.view', entityType: 'referral', entityId: id, details: { page: 'edit' } });
      return { referral: record, raw, matrix: current, editable: canEdit(user, record) };
    },

    /** The referral about to be changed, checked for visibility (not audited as a view: the change is). */
    async forChange(user: CurrentUser, actor: Actor, id: number, action: string) {
      await requireVisibleReferral(db, user, actor, id, action);
      const referral = await repo.findReferral(db, id);
      if (!referral) throw new NotFoundError();
      return { referral, editable: canEdit(user, referral) };
    },

    async createDraft(user: CurrentUser, actor: Actor, input: ReferralInput, matrix: Matrix): Promise<number> {
      return db.transaction().execute(async (trx) => {
        const now = clock.now();
        const id = await repo.insertReferral(trx, {
          status: 'draft',
          referringAgencyId: user.agencyId,
          createdBy: user.id,
          riskMatrixVersionId: matrix.id,
          createdAt: now,
          updatedAt: now,
        });
        const { fields, children } = await scoredFields(trx, id, null, input, matrix);
        await repo.updateReferral(trx, id, 1, fields, now);
        await repo.replaceChildren(trx, id, children);
        await repo.insertEvent(trx, { referralId: id, at: now, userId: user.id, agencyId: user.agencyId, kind: 'created' });
        await recordAudit(trx, actor, { action: 'referral.create', entityType: 'referral', entityId: id, details: { subjects: input.subjects.length, incidents: input.incidents.length } });
        return id;
      });
    },

    async saveDraft(user: CurrentUser, actor: Actor, id: number, version: number, input: ReferralInput, matrix: Matrix): Promise<SaveResult> {
      await requireVisibleReferral(db, user, actor, id, 'referral.update');
      const current = await repo.findReferral(db, id);
      if (!current) throw new NotFoundError();
      if (!canEdit(user, current)) return { ok: false, reason: 'read-only' };
      return db.transaction().execute(async (trx) => {
        const now = clock.now();
        const { fields, children } = await scoredFields(trx, id, current.reference, input, matrix);
        if (!(await repo.updateReferral(trx, id, version, fields, now))) return { ok: false as const, reason: 'stale' as const };
        await repo.replaceChildren(trx, id, children);
        await recordAudit(trx, actor, { action: 'referral.update', entityType: 'referral', entityId: id, details: { status: current.status, subjects: input.subjects.length, incidents: input.incidents.length } });
        return { ok: true as const, id };
      });
    },

    /** Everything the referrer checks before submitting: the assessment, repeats and possible duplicates. */
    async checkSubmission(user: CurrentUser, actor: Actor, id: number) {
      await requireVisibleReferral(db, user, actor, id, 'referral.view');
      const record = await stored(id);
      const editable = canEdit(user, record);
      const raw = rawFromStored(record);
      const { input, errors, matrix } = await validate(raw, 'submit', record.riskMatrixVersionId);
      const subjects = keysOf(subjectRows(input));
      const repeats = await repeatsOf(db, id, subjects, matrix, today());
      const repeatIds = [...new Set(repeats.map((r) => r.referralId))];
      const assessment = assess(matrix, { answers: input.answers, judgement: input.judgement, incidentDates: input.incidents.map((i) => i.date), asOf: today(), repeatMatches: repeatIds.length });
      const duplicates = editable ? await possibleDuplicates(user, id, subjects) : [];
      await recordAudit(db, actor, { action: 'referral.view', entityType: 'referral', entityId: id, details: { page: 'check', duplicates: duplicates.length, repeats: repeatIds.length } });
      const repeatCases = await Promise.all(
        repeatIds.map(async (rid) => {
          const r = repeats.find((m) => m.referralId === rid)!;
          return { referralId: rid, reference: r.reference, submittedAt: r.submittedAt, canSee: await canSeeReferral(db, user, rid) };
        }),
      );
      return { referral: record, editable, errors, assessment, matrix, repeats: repeatCases, duplicates };
    },

    async submit(user: CurrentUser, actor: Actor, id: number, version: number, linkTo: number[]): Promise<SubmitResult> {
      await requireVisibleReferral(db, user, actor, id, 'referral.submit');
      const record = await stored(id);
      if (!canEdit(user, record)) return { ok: false, reason: 'read-only' };
      const raw = rawFromStored(record);
      const { input, errors, matrix } = await validate(raw, 'submit', record.riskMatrixVersionId);
      if (Object.keys(errors).length) return { ok: false, reason: 'incomplete', raw, errors };
      const duplicates = await possibleDuplicates(user, id, keysOf(subjectRows(input)));
      const chosen = [...new Set(linkTo)].filter((candidate) => duplicates.some((d) => d.referralId === candidate));
      const result = await db.transaction().execute(async (trx) => {
        const row = await repo.lockReferral(trx, id);
        if (!row || row.version !== version || !canTransition('submit', row.status)) return { ok: false as const, reason: 'stale' as const };
        const now = clock.now();
        const year = DateTime.fromJSDate(now).setZone(ZONE).year;
        const reference = row.reference ?? `ASB-${year}-${String(await repo.nextReferenceNumber(trx, year)).padStart(4, '0')}`;
        const { fields, assessment, repeatIds } = await scoredFields(trx, id, reference, input, matrix);
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
        for (const other of duplicates.filter((d) => chosen.includes(d.referralId))) {
          const by = { at: now, userId: user.id, agencyId: user.agencyId, kind: 'linked' };
          await repo.insertEvent(trx, { ...by, referralId: id, note: `Linked by the referrer as a possible duplicate of ${other.reference}`, details: { referralId: other.referralId } });
          await repo.insertEvent(trx, { ...by, referralId: other.referralId, note: `${reference} was linked to this case as a possible duplicate`, details: { referralId: id } });
        }
        const resubmission = row.status === 'more-information-requested';
        await repo.insertEvent(trx, {
          referralId: id,
          at: now,
          userId: user.id,
          agencyId: user.agencyId,
          kind: resubmission ? 'resubmitted' : 'submitted',
          details: { score: assessment.score, verdict: assessment.verdict, criteria: assessment.criteria, linked: chosen },
        });
        await recordAudit(trx, actor, {
          action: 'referral.submit',
          entityType: 'referral',
          entityId: id,
          details: { from: row.status, score: assessment.score, verdict: assessment.verdict, criteria: assessment.criteria, repeats: repeatIds, linked: chosen },
        });
        for (const admin of await repo.activeAdministrators(trx)) {
          await enqueueMail(trx, {
            kind: 'referral.submitted',
            to: admin.email,
            subject: `Referral ${reference} waiting for screening`,
            text: `Referral ${reference} has been ${resubmission ? 'resubmitted with more information' : 'submitted'} and is waiting for screening.\n\nSign in to screen it:\n${link(id)}\n\nThis message deliberately contains no personal details: they stay in ASBRAC Manager. Do not reply to it.\n`,
            entityType: 'referral',
            entityId: id,
          });
        }
        return { ok: true as const, reference, assessment };
      });
      if (result.ok) pokeMail();
      return result;
    },

    /** The coordinator's (or chair's) decision on a submitted referral; the referrer is told by email. */
    async screen(user: CurrentUser, actor: Actor, id: number, outcome: ScreeningOutcome, note: string | null): Promise<ScreenResult> {
      await requireVisibleReferral(db, user, actor, id, 'referral.screen');
      const { transition, event } = SCREENING[outcome];
      const result = await db.transaction().execute(async (trx) => {
        const row = await repo.lockReferral(trx, id);
        if (!row) throw new NotFoundError();
        if (!canTransition(transition, row.status)) return { ok: false as const, reason: 'already-screened' as const, status: row.status };
        const to = TRANSITIONS[transition].to;
        const now = clock.now();
        await repo.setStatus(trx, id, row.status, to, { screeningNote: note, screenedBy: user.id, screenedAt: now }, now);
        await repo.insertEvent(trx, { referralId: id, at: now, userId: user.id, agencyId: user.agencyId, kind: event, note });
        await recordAudit(trx, actor, { action: 'referral.screen', entityType: 'referral', entityId: id, details: { outcome, from: row.status, to } });
        const referrer = await trx.selectFrom('referrals').innerJoin('users', 'users.id', 'referrals.submittedBy').select('users.email').where('referrals.id', '=', id).executeTakeFirst();
        if (referrer && row.reference) {
          const mail = screeningMail(outcome, row.reference, link(id));
          await enqueueMail(trx, { kind: `referral.${outcome}`, to: referrer.email, subject: mail.subject, text: mail.text, entityType: 'referral', entityId: id });
        }
        return { ok: true as const, status: to };
      });
      if (result.ok) pokeMail();
      return result;
    },

    /** A panel heard the case (the panels feature calls this). */
    async hear(actor: Actor, id: number, details: { panelId?: number } = {}) {
      return changeStatus(actor, id, 'hear', { userId: actor.userId, event: 'heard', details: { panelId: details.panelId ?? null } });
    },

    /** A panel closed the case, with its reason (the panels feature calls this). */
    async close(actor: Actor, id: number, reason: string) {
      const now = clock.now();
      return changeStatus(actor, id, 'close', { userId: actor.userId, event: 'closed', note: reason, changes: { closedReason: reason, closedAt: now } });
    },

    async discard(user: CurrentUser, actor: Actor, id: number): Promise<boolean> {
      await requireVisibleReferral(db, user, actor, id, 'referral.discard');
      return db.transaction().execute(async (trx) => {
        const row = await repo.lockReferral(trx, id);
        if (!row || row.status !== 'draft' || row.referringAgencyId !== user.agencyId) return false;
        await repo.deleteReferral(trx, id);
        await recordAudit(trx, actor, { action: 'referral.discard', entityType: 'referral', entityId: id });
        return true;
      });
    },

    /** The case record: everything about the referral that the user may see, and the view audited. */
    async view(user: CurrentUser, actor: Actor, id: number) {
      await requireVisibleReferral(db, user, actor, id, 'referral.view');
      const record = await stored(id);
      const matrix = await riskMatrix.forForm(record.riskMatrixVersionId);
      const caseLinks = await repo.findCaseLinks(db, id);
      const links = await Promise.all(caseLinks.map(async (l) => ({ ...l, canSee: await canSeeReferral(db, user, l.otherId) })));
      const events = await repo.findEvents(db, id);
      await recordAudit(db, actor, { action: 'referral.view', entityType: 'referral', entityId: id });
      return { referral: record, matrix, caseLinks: links, events, editable: canEdit(user, record) };
    },

    /** The list and search. The audit row records which filters were used, never the words searched for. */
    async list(user: CurrentUser, actor: Actor, filters: repo.ListFilters, sort: repo.Sort, page: number) {
      const visible = visibleReferrals(user);
      const { n } = await repo.countQuery(db, visible, filters, COUNT_CAP).executeTakeFirstOrThrow();
      const capped = Number(n) > COUNT_CAP;
      const total = Math.min(Number(n), COUNT_CAP);
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      const current = Math.min(page, pages);
      const rows = await repo.listQuery(db, visible, filters, sort, PAGE_SIZE, (current - 1) * PAGE_SIZE).execute();
      const subjects = await repo.subjectsOf(db, rows.map((r) => r.id));
      const used = (Object.keys(filters) as (keyof repo.ListFilters)[]).filter((k) => k !== 'words' && filters[k] !== undefined);
      await recordAudit(db, actor, {
        action: 'referral.search',
        entityType: 'referral',
        details: { filters: used, text: filters.words.length > 0, sort, page: current, results: total, shown: rows.map((r) => r.id) },
      });
      return {
        total,
        capped,
        page: current,
        pages,
        rows: rows.map((r) => ({ ...r, subjects: subjects.filter((s) => s.referralId === r.id) })),
      };
    },

    async waitingForScreening(user: CurrentUser): Promise<number> {
      return repo.countWithStatus(db, visibleReferrals(user), 'submitted');
    },

    districts: () => repo.districtIds(db),
  };
}

export type ReferralsService = ReturnType<typeof referralsService>;

/** A case's subjects, for another feature's page about the case (the meeting item). */
export function caseSubjects(db: Db, referralId: number) {
  return repo.findSubjects(db, referralId);
}

export type CaseSubject = Awaited<ReturnType<typeof caseSubjects>>[number];

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
    if (canTransition('hear', referral.status)) await repo.setStatus(trx, referralId, referral.status, 'active', {}, at);
    await repo.insertEvent(trx, { ...event, kind: 'discussed', details: { panelId, decision: outcome.decision, escalateTo: outcome.escalateTo, nextReviewOn: outcome.nextReviewOn } });
  } else if (outcome.decision === 'close') {
    if (canTransition('close', referral.status)) {
      await repo.setStatus(trx, referralId, referral.status, 'closed', { closedReason: outcome.closedReasonText, closedAt: at }, at);
      await repo.insertEvent(trx, { ...event, kind: 'closed', note: outcome.closedReasonText, details: { panelId, closeReason: outcome.closeReason } });
    }
  } else {
    if (referral.status === 'active') await repo.setStatus(trx, referralId, 'active', 'awaiting-panel', {}, at);
    await repo.insertEvent(trx, { ...event, kind: 'deferred', note: outcome.deferredReason, details: { panelId } });
  }
  return referral.status;
}
