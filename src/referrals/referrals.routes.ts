import { ZONE } from '../time';
import type { Request, Response } from 'express';
import { DateTime } from 'luxon';
import type { Services } from '../services';
import type { ReferralStatus, RiskVerdict, SubjectKind } from '../db/schema';
import { actorOf, currentUser, flash } from '../http/context';
import { idParam } from '../http/errors';
import { fieldId, flattenValues, formState, optionalLongText } from '../http/forms';
import { ADMIN_OR_CHAIR, get, post, type RouteDef } from '../http/routes';

import { assess, type Matrix } from '../risk/scoring';
import { checkDate, dateParts, parseAction, str, strList } from '../http/forms';
import { blankIncident, blankLink, blankSubject, MAX_INCIDENTS, MAX_LINKS, MAX_SUBJECTS, readRaw, removeSubject, riskField, type RawReferral } from './referral-form';
import {
  GENDER_NAMES,
  INCIDENT_TYPE_NAMES,
  itemsOf,
  JUDGEMENT_NAMES,
  LAWFUL_BASIS_NAMES,
  RELATION_NAMES,
  SCREENING_OUTCOMES,
  SCREENING_OUTCOME_NAMES,
  STATUSES,
  STATUS_NAMES,
  SUBJECT_KINDS,
  SUBJECT_KIND_NAMES,
  TRIED_ACTION_NAMES,
  VERDICTS,
  VERDICT_NAMES,
  VULNERABILITY_NAMES,
  type ScreeningOutcome,
} from './referral-codes';
import { eventView, recordView, statusView, subjectLabel, verdictView } from './referral-view';
import { SORTS, type ListFilters, type Sort } from './referrals.repository';

const SUBJECT_FIELDS = ['kind', 'fullName', 'dateOfBirth', 'approximateAge', 'gender', 'address', 'postcode', 'description', 'vulnerabilities'] as const;
const INCIDENT_FIELDS = ['date', 'type', 'summary', 'agencyReference'] as const;
const LINK_FIELDS = ['from', 'relation', 'to'] as const;

const namesFor = <F extends string>(prefix: string, index: number, fields: readonly F[]) =>
  Object.fromEntries(fields.map((f) => [f, `${prefix}[${index}][${f}]`])) as Record<F, string>;

const today = (services: Services) => DateTime.fromJSDate(services.clock.now()).setZone(ZONE).toISODate() as string;

/** The lists every referral form offers. Built once: they never change while the app runs. */
const FORM_ITEMS = {
  kindItems: itemsOf(SUBJECT_KIND_NAMES),
  genderItems: itemsOf(GENDER_NAMES),
  vulnerabilityItems: itemsOf(VULNERABILITY_NAMES),
  incidentTypeItems: itemsOf(INCIDENT_TYPE_NAMES),
  triedItems: itemsOf(TRIED_ACTION_NAMES),
  relationItems: itemsOf(RELATION_NAMES),
  judgementItems: [
    { value: 'agree', text: JUDGEMENT_NAMES.agree },
    { value: 'high', text: JUDGEMENT_NAMES.high, hint: 'The case then meets the referral criteria. Give your reasons below.' },
    { value: 'lower', text: JUDGEMENT_NAMES.lower, hint: 'Your view is recorded for the panel, but it cannot lower the verdict. Give your reasons below.' },
  ],
  lawfulBasisItems: itemsOf(LAWFUL_BASIS_NAMES),
  consentItems: [
    { value: 'yes', text: 'Yes' },
    { value: 'no', text: 'No', hint: 'Explain below why the information is shared without consent.' },
  ],
};

const SCREENING_ITEMS = SCREENING_OUTCOMES.map((value) => ({
  value,
  text: SCREENING_OUTCOME_NAMES[value],
  hint:
    value === 'accept'
      ? 'The case will wait for the next panel of its district.'
      : value === 'reject'
        ? 'Explain why, and what the referrer could do instead.'
        : 'Say what you need. The referrer can update the referral and submit it again.',
}));

interface FormPage {
  referralId?: number;
  version?: number;
  reference?: string | null;
  status?: ReferralStatus;
  screeningNote?: string | null;
  raw: RawReferral;
  errors?: Record<string, string>;
  matrix: Matrix;
  httpStatus?: number;
  conflict?: boolean;
}

export function referralRoutes(services: Services): RouteDef[] {
  const { referrals } = services;

  async function renderForm(res: Response, page: FormPage) {
    const raw = { ...page.raw };
    if (raw.subjects.length === 0) raw.subjects = [blankSubject()];
    if (raw.incidents.length === 0) raw.incidents = [blankIncident()];
    const districts = await referrals.districts();
    const validAnswers = Object.fromEntries(
      page.matrix.questions.filter((q) => q.options.some((o) => o.key === raw.risk[`q${q.id}`])).map((q) => [q.id, raw.risk[`q${q.id}`]]),
    );
    const preview = assess(page.matrix, { answers: validAnswers, judgement: null, incidentDates: [], asOf: today(services), repeatMatches: 0 });
    const subjectChoices = raw.subjects.map((s, i) => ({
      value: String(i),
      text: subjectLabel({ position: i + 1, kind: s.kind || null, fullName: s.fullName.trim() || null, address: s.address.trim() || null, description: s.description.trim() || null }),
    }));
    res.status(page.httpStatus ?? 200).render('referrals/form', {
      title: page.referralId ? (page.reference ? `Update referral ${page.reference}` : 'Edit draft referral') : 'Make a referral',
      backLink: page.referralId ? `/referrals/${page.referralId}` : '/referrals',
      action: page.referralId ? `/referrals/${page.referralId}/edit` : '/referrals/new',
      referralId: page.referralId,
      version: page.version,
      reference: page.reference,
      moreInformation: page.status === 'more-information-requested' ? page.screeningNote?.split(/\n+/).filter(Boolean) ?? [] : null,
      conflict: page.conflict,
      form: formState(flattenValues(raw), page.errors ?? {}),
      matrixVersionId: page.matrix.id,
      matrixNumber: page.matrix.number,
      threshold: page.matrix.threshold,
      escalationRule: `${page.matrix.escalationIncidents} or more incidents in ${page.matrix.escalationMonths} months`,
      repeatMonths: page.matrix.repeatMonths,
      preview,
      districtItems: districts.map((d) => ({ value: d.id, text: d.name })),
      subjects: raw.subjects.map((_, i) => ({ index: i, number: i + 1, names: namesFor('subjects', i, SUBJECT_FIELDS), canRemove: raw.subjects.length > 1 })),
      incidents: raw.incidents.map((_, i) => ({ index: i, number: i + 1, names: namesFor('incidents', i, INCIDENT_FIELDS), canRemove: raw.incidents.length > 1 })),
      links: raw.links.map((_, i) => ({ index: i, number: i + 1, names: namesFor('links', i, LINK_FIELDS) })),
      canAddSubject: raw.subjects.length < MAX_SUBJECTS,
      canAddIncident: raw.incidents.length < MAX_INCIDENTS,
      canAddLink: raw.links.length < MAX_LINKS && raw.subjects.length > 1,
      subjectChoices,
      questions: page.matrix.questions.map((q) => ({ ...q, name: riskField(q.id) })),
      ...FORM_ITEMS,
    });
  }

  /** Adds or removes a row and shows the form again, keeping everything typed; nothing is saved. */
  function applyRowAction(raw: RawReferral, action: { name: string; index: number | null }): RawReferral | null {
    const i = action.index ?? -1;
    switch (action.name) {
      case 'add-subject':
        return raw.subjects.length < MAX_SUBJECTS ? { ...raw, subjects: [...raw.subjects, blankSubject()] } : raw;
      case 'remove-subject':
        return removeSubject(raw, i);
      case 'add-incident':
        return raw.incidents.length < MAX_INCIDENTS ? { ...raw, incidents: [...raw.incidents, blankIncident()] } : raw;
      case 'remove-incident':
        return { ...raw, incidents: raw.incidents.filter((_, n) => n !== i) };
      case 'add-link':
        return raw.links.length < MAX_LINKS ? { ...raw, links: [...raw.links, blankLink()] } : raw;
      case 'remove-link':
        return { ...raw, links: raw.links.filter((_, n) => n !== i) };
      default:
        return null;
    }
  }

  /** The one handler behind the new and edit forms: row buttons, "Save as draft" and "Save and continue". */
  async function handleForm(req: Request, res: Response, referralId?: number) {
    const user = currentUser(req);
    const actor = actorOf(req);
    let existing: Awaited<ReturnType<typeof referrals.forChange>> | undefined;
    if (referralId) {
      existing = await referrals.forChange(user, actor, referralId, 'referral.update');
      if (!existing.editable) return readOnly(req, res, referralId);
    }
    const body = req.body as Record<string, unknown>;
    // A form for an existing referral without its version cannot prove it is up to date: treat it as stale.
    const version = /^\d{1,9}$/.test(str(body.version)) ? Number(body.version) : -1;
    const common = { referralId, version, reference: existing?.referral.reference, status: existing?.referral.status, screeningNote: existing?.referral.screeningNote };
    const raw = readRaw(body);
    const action = parseAction(body.action);
    const changed = applyRowAction(raw, action);
    if (changed) {
      const matrix = await referrals.riskMatrix.forForm(Number(raw.matrixVersionId) || null);
      return renderForm(res, { ...common, raw: changed, matrix });
    }
    const submitting = action.name === 'continue';
    const { input, errors, matrix } = await referrals.validate(raw, submitting ? 'submit' : 'draft');
    if (Object.keys(errors).length) return renderForm(res, { ...common, raw, matrix, errors, httpStatus: 400 });
    let id = referralId;
    if (!id) id = await referrals.createDraft(user, actor, input, matrix);
    else {
      const saved = await referrals.saveDraft(user, actor, id, version, input, matrix);
      if (!saved.ok && saved.reason === 'read-only') return readOnly(req, res, id);
      if (!saved.ok) {
        const latest = await referrals.forChange(user, actor, id, 'referral.update');
        return renderForm(res, { ...common, version: latest.referral.version, raw, matrix, httpStatus: 409, conflict: true });
      }
    }
    if (submitting) return res.redirect(303, `/referrals/${id}/submit`);
    flash(req, 'Your draft has been saved', 'success', existing?.referral.reference ? undefined : 'You can come back to it from the referrals list. It is not shared with the partnership until you submit it.');
    res.redirect(303, `/referrals/${id}/edit`);
  }

  function readOnly(req: Request, res: Response, id: number) {
    flash(req, 'This referral can no longer be changed', 'important', 'It has been submitted. If something needs correcting, contact the coordinator.');
    res.redirect(303, `/referrals/${id}`);
  }

  async function renderRecord(req: Request, res: Response, id: number, extra: { screeningForm?: ReturnType<typeof formState>; httpStatus?: number } = {}) {
    const user = currentUser(req);
    const { referral, matrix, caseLinks, events, editable } = await referrals.view(user, actorOf(req), id);
    const canScreen = (user.role === 'administrator' || user.role === 'chair') && referral.status === 'submitted';
    res.status(extra.httpStatus ?? 200).render('referrals/record', {
      title: referral.reference ? `Referral ${referral.reference}` : 'Draft referral',
      backLink: '/referrals',
      referral,
      view: recordView({ referral, matrix }, today(services)),
      caseLinks,
      events: events.map(eventView),
      editable,
      canScreen,
      canDiscard: editable && referral.status === 'draft',
      screeningItems: SCREENING_ITEMS,
      form: extra.screeningForm ?? formState(),
    });
  }

  return [
    get('/referrals', 'signed-in', async (req, res) => {
      const user = currentUser(req);
      const parsed = readListQuery(req.query, today(services));
      const result = await referrals.list(user, actorOf(req), parsed.filters, parsed.sort, parsed.page);
      const agencies = await services.agencies.list();
      const districts = await referrals.districts();
      const waiting = user.role === 'representative' ? null : await referrals.waitingForScreening(user);
      const pageLink = (p: number) => `/referrals?${new URLSearchParams({ ...parsed.query, page: String(p) })}`;
      res.render('referrals/list', {
        title: parsed.filters.status === 'submitted' ? 'Screening queue' : 'Referrals',
        form: formState(parsed.values, parsed.errors),
        total: result.total,
        capped: result.capped,
        rows: result.rows.map((r) => ({
          ...r,
          status: statusView(r.status),
          verdict: verdictView(r.riskVerdict),
          subjectNames: r.subjects.map((s) => subjectLabel(s)),
        })),
        waiting,
        filtered: Object.keys(parsed.query).length > 0,
        statusItems: STATUSES.map((s) => ({ value: s, text: STATUS_NAMES[s] })),
        districtItems: districts.map((d) => ({ value: d.id, text: d.name })),
        kindItems: SUBJECT_KINDS.map((k) => ({ value: k, text: SUBJECT_KIND_NAMES[k] })),
        verdictItems: VERDICTS.map((v) => ({ value: v, text: VERDICT_NAMES[v] })),
        agencyItems: agencies.map((a) => ({ value: a.id, text: a.name })),
        sortItems: Object.entries(SORTS).map(([value, text]) => ({ value, text })),
        pagination: paginationOf(result.page, result.pages, pageLink),
        page: result.page,
        pages: result.pages,
      });
    }),

    get('/referrals/new', 'signed-in', async (req, res) => {
      const { raw, matrix } = await referrals.newForm(currentUser(req));
      await renderForm(res, { raw, matrix });
    }),

    post('/referrals/new', 'signed-in', (req, res) => handleForm(req, res)),

    get('/referrals/:id', 'signed-in', async (req, res) => {
      await renderRecord(req, res, idParam(req.params.id));
    }),

    get('/referrals/:id/edit', 'signed-in', async (req, res) => {
      const id = idParam(req.params.id);
      const { referral, raw, matrix, editable } = await referrals.editForm(currentUser(req), actorOf(req), id);
      if (!editable) return readOnly(req, res, id);
      await renderForm(res, { referralId: id, version: referral.version, reference: referral.reference, status: referral.status, screeningNote: referral.screeningNote, raw, matrix });
    }),

    post('/referrals/:id/edit', 'signed-in', (req, res) => handleForm(req, res, idParam(req.params.id))),

    get('/referrals/:id/submit', 'signed-in', async (req, res) => {
      const id = idParam(req.params.id);
      const check = await referrals.checkSubmission(currentUser(req), actorOf(req), id);
      if (!check.editable) return readOnly(req, res, id);
      const { referral, matrix } = check;
      res.render('referrals/check', {
        title: 'Check and submit the referral',
        backLink: `/referrals/${id}/edit`,
        referral,
        view: recordView({ referral: { ...referral, riskScore: check.assessment.score, riskVerdict: check.assessment.verdict, criteria: check.assessment.criteria, escalationCount: check.assessment.escalationCount }, matrix }, today(services)),
        assessment: { ...check.assessment, verdict: verdictView(check.assessment.verdict) },
        problems: Object.entries(check.errors).map(([name, text]) => ({ text, href: `/referrals/${id}/edit#${fieldId(name)}` })),
        repeats: check.repeats,
        duplicates: check.duplicates,
        matrix,
        statusNames: STATUS_NAMES,
        form: formState(),
      });
    }),

    post('/referrals/:id/submit', 'signed-in', async (req, res) => {
      const id = idParam(req.params.id);
      const user = currentUser(req);
      const body = req.body as Record<string, unknown>;
      const version = /^\d{1,9}$/.test(str(body.version)) ? Number(body.version) : -1;
      const linkTo = strList(body.linkTo)
        .filter((v) => /^[1-9]\d{0,9}$/.test(v))
        .map(Number);
      const result = await referrals.submit(user, actorOf(req), id, version, linkTo);
      if (result.ok) {
        flash(
          req,
          `Referral ${result.reference} submitted`,
          'success',
          result.assessment.verdict === 'high'
            ? 'It meets the high-risk criteria. The coordinator will screen it and you will get an email with the outcome.'
            : 'It does not meet the high-risk criteria on what you gave. The coordinator will still screen it and you will get an email with the outcome.',
        );
        return res.redirect(303, `/referrals/${id}`);
      }
      if (result.reason === 'read-only') return readOnly(req, res, id);
      if (result.reason === 'stale') {
        flash(req, 'The referral changed since you checked it', 'important', 'Check it again before you submit.');
        return res.redirect(303, `/referrals/${id}/submit`);
      }
      const { referral } = await referrals.forChange(user, actorOf(req), id, 'referral.submit');
      const matrix = await referrals.riskMatrix.forForm(referral.riskMatrixVersionId);
      return renderForm(res, { referralId: id, version: referral.version, reference: referral.reference, status: referral.status, screeningNote: referral.screeningNote, raw: result.raw, matrix, errors: result.errors, httpStatus: 400 });
    }),

    post('/referrals/:id/screen', ADMIN_OR_CHAIR, async (req, res) => {
      const id = idParam(req.params.id);
      const body = req.body as Record<string, unknown>;
      const outcome = str(body.outcome);
      const errors: Record<string, string> = {};
      if (!(SCREENING_OUTCOMES as readonly string[]).includes(outcome)) errors.outcome = 'Select the outcome of screening';
      const label = outcome === 'reject' ? 'your advice to the referrer' : outcome === 'request-information' ? 'the information you need' : 'a note for the referrer';
      const note = optionalLongText(label, 3000).safeParse(str(body.note));
      if (!note.success) errors.note = note.error.issues[0].message;
      else if (note.data === null && (outcome === 'reject' || outcome === 'request-information')) errors.note = `Enter ${label}`;
      if (Object.keys(errors).length || !note.success) {
        return renderRecord(req, res, id, { screeningForm: formState({ outcome, note: str(body.note) }, errors), httpStatus: 400 });
      }
      const result = await referrals.screen(currentUser(req), actorOf(req), id, outcome as ScreeningOutcome, note.data);
      if (!result.ok) {
        flash(req, 'This referral has already been screened', 'important', `It is now: ${STATUS_NAMES[result.status].toLowerCase()}. Nothing was changed.`);
      } else {
        flash(req, `Referral ${STATUS_NAMES[result.status].toLowerCase()}`, 'success', 'The referrer has been sent an email.');
      }
      res.redirect(303, `/referrals/${id}`);
    }),

    get('/referrals/:id/discard', 'signed-in', async (req, res) => {
      const id = idParam(req.params.id);
      const { referral, editable } = await referrals.forChange(currentUser(req), actorOf(req), id, 'referral.discard');
      if (!editable || referral.status !== 'draft') return readOnly(req, res, id);
      res.render('referrals/discard', { title: 'Delete this draft?', backLink: `/referrals/${id}/edit`, referralId: id, form: formState() });
    }),

    post('/referrals/:id/discard', 'signed-in', async (req, res) => {
      const id = idParam(req.params.id);
      if (await referrals.discard(currentUser(req), actorOf(req), id)) {
        flash(req, 'Draft deleted');
        return res.redirect(303, '/referrals');
      }
      readOnly(req, res, id);
    }),
  ];
}

/** GOV.UK pagination: the first and last pages, the current one and its neighbours, gaps as ellipses. */
export function paginationOf(page: number, pages: number, link: (p: number) => string) {
  if (pages <= 1) return null;
  const wanted = [...new Set([1, page - 1, page, page + 1, pages])].filter((p) => p >= 1 && p <= pages).sort((a, b) => a - b);
  const items: { number?: number; href?: string; current?: boolean; ellipsis?: boolean }[] = [];
  wanted.forEach((p, i) => {
    if (i > 0 && p - wanted[i - 1] > 1) items.push({ ellipsis: true });
    items.push({ number: p, href: link(p), current: p === page });
  });
  return { items, previous: page > 1 ? link(page - 1) : null, next: page < pages ? link(page + 1) : null };
}

const MAX_WORDS = 6;

/** The list's query string, from the allow-lists only: anything else is ignored, a bad date is reported. */
export function readListQuery(query: Record<string, unknown>, todayIso: string) {
  const pick = <T extends string>(value: unknown, allowed: readonly T[]): T | undefined => (allowed as readonly string[]).includes(str(value)) ? (str(value) as T) : undefined;
  const id = (value: unknown) => (/^[1-9]\d{0,8}$/.test(str(value)) ? Number(value) : undefined);
  const q = str(query.q).slice(0, 200).trim();
  const words = q.split(/\s+/).filter(Boolean).slice(0, MAX_WORDS).map((w) => w.slice(0, 50));
  const errors: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const dates: Record<'from' | 'to', string | undefined> = { from: undefined, to: undefined };
  for (const key of ['from', 'to'] as const) {
    const parts = dateParts({ day: query[`${key}[day]`], month: query[`${key}[month]`], year: query[`${key}[year]`] });
    values[`${key}[day]`] = parts.day;
    values[`${key}[month]`] = parts.month;
    values[`${key}[year]`] = parts.year;
    const checked = checkDate(parts, key === 'from' ? 'the submitted from date' : 'the submitted to date', { earliest: '2000-01-01', latest: '2100-12-31' });
    if (!checked.empty && 'error' in checked) errors[key] = checked.error;
    else if (!checked.empty) dates[key] = checked.value;
  }
  const filters: ListFilters = {
    status: pick<ReferralStatus>(query.status, STATUSES),
    districtId: id(query.districtId),
    subjectKind: pick<SubjectKind>(query.subjectKind, SUBJECT_KINDS),
    verdict: pick<RiskVerdict>(query.verdict, VERDICTS),
    agencyId: id(query.agencyId),
    submittedFrom: dates.from ? DateTime.fromISO(dates.from, { zone: ZONE }).toJSDate() : undefined,
    submittedBefore: dates.to ? DateTime.fromISO(dates.to, { zone: ZONE }).plus({ days: 1 }).toJSDate() : undefined,
    words,
  };
  if (dates.from && dates.to && dates.from > dates.to) errors.to = 'The submitted to date must be the same as or after the from date';
  const sort = pick<Sort>(query.sort, Object.keys(SORTS) as Sort[]) ?? 'submitted-desc';
  const page = /^\d{1,5}$/.test(str(query.page)) && Number(query.page) >= 1 ? Number(query.page) : 1;
  // What the links to other pages carry: only the filters that were understood.
  const kept: Record<string, string> = {};
  if (q) kept.q = q;
  for (const key of ['status', 'subjectKind', 'verdict'] as const) if (filters[key]) kept[key] = String(filters[key]);
  if (filters.districtId) kept.districtId = String(filters.districtId);
  if (filters.agencyId) kept.agencyId = String(filters.agencyId);
  for (const key of ['from', 'to'] as const) {
    if (dates[key]) {
      const [y, m, d] = (dates[key]).split('-');
      kept[`${key}[day]`] = String(Number(d));
      kept[`${key}[month]`] = String(Number(m));
      kept[`${key}[year]`] = y;
    }
  }
  if (sort !== 'submitted-desc') kept.sort = sort;
  Object.assign(values, { q, status: filters.status, districtId: filters.districtId, subjectKind: filters.subjectKind, verdict: filters.verdict, agencyId: filters.agencyId, sort });
  if (dates.from && dates.from > todayIso) errors.from = 'The submitted from date must be today or in the past';
  return { filters, sort, page, query: kept, values, errors };
}
