import type { Request, Response } from 'express';
import type { Services } from '../services';
import { actorOf, currentUser, flash } from '../http/context';
import { idParam, RefusedError, StaleVersionError } from '../http/errors';
import { fieldId, formState, optionalLongText, parseAction, parseId, parseVersion, str, strList } from '../http/forms';
import { ADMIN_OR_CHAIR, get, post, type RouteDef } from '../http/routes';
import { londonDate, today } from '../time';
import {
  CRITERION_NAMES,
  SCREENING_OUTCOMES,
  STATUSES,
  STATUS_NAMES,
  SUBJECT_KINDS,
  SUBJECT_KIND_NAMES,
  VERDICTS,
  VERDICT_NAMES,
  type ScreeningOutcome,
} from './referral-codes';
import { isReadOnlyError } from './referral-deps';
import { readRaw } from './referral-form';
import { applyRowAction, formReferralOf, renderForm, type FormPage, type FormReferral } from './referral-form-page';
import { paginationOf, readListQuery, SORTS } from './referral-list-query';
import { ALREADY_SCREENED } from './referral-screening.service';
import { INCOMPLETE } from './referral-submission.service';
import { renderRecord } from './referral-record-page';
import { screeningRoutes } from './referral-merge.routes';
import { recordView, statusView, subjectLabel, verdictView } from './referral-view';

type Handler = (req: Request, res: Response) => Promise<void>;

async function showForm(services: Services, res: Response, page: FormPage) {
  renderForm(res, page, { today: today(services.clock), districts: await services.referrals.districts() });
}

function readOnly(req: Request, res: Response, id: number) {
  flash(
    req,
    'This referral can no longer be changed',
    'important',
    'It has been submitted. If something needs correcting, contact the coordinator.',
  );
  res.redirect(303, `/referrals/${id}`);
}

/** The one handler behind the new and edit forms: row buttons, "Save as draft" and "Save and continue". */
async function handleForm(services: Services, req: Request, res: Response, referralId?: number) {
  const { referrals } = services;
  const user = currentUser(req);
  const actor = actorOf(req);
  let existing: Awaited<ReturnType<typeof referrals.forChange>> | undefined;
  if (referralId) {
    existing = await referrals.forChange(user, actor, referralId, 'referral.update');
    if (!existing.editable) return readOnly(req, res, referralId);
  }
  const body = req.body as Record<string, unknown>;
  // A form for an existing referral without its version cannot prove it is up to date: treat it as stale.
  const version = parseVersion(body.version);
  const common: FormReferral = {
    referralId,
    version,
    reference: existing?.referral.reference,
    status: existing?.referral.status,
    screeningNote: existing?.referral.screeningNote,
  };
  const raw = readRaw(body);
  const action = parseAction(body.action);
  const changed = applyRowAction(raw, action);
  if (changed)
    return showForm(services, res, {
      ...common,
      raw: changed,
      matrix: await referrals.riskMatrix.forForm(Number(raw.matrixVersionId) || null),
    });
  const submitting = action.name === 'continue';
  const { input, errors, matrix } = await referrals.validate(raw, submitting ? 'submit' : 'draft');
  if (Object.keys(errors).length) return showForm(services, res, { ...common, raw, matrix, errors, httpStatus: 400 });
  let id = referralId;
  if (!id) id = await referrals.createDraft(user, actor, input, matrix);
  else {
    try {
      await referrals.saveDraft(user, actor, id, version, input, matrix);
    } catch (err) {
      if (isReadOnlyError(err)) return readOnly(req, res, id);
      if (!(err instanceof StaleVersionError)) throw err;
      const latest = await referrals.forChange(user, actor, id, 'referral.update');
      return showForm(services, res, {
        ...common,
        version: latest.referral.version,
        raw,
        matrix,
        httpStatus: 409,
        conflict: true,
      });
    }
  }
  if (submitting) return res.redirect(303, `/referrals/${id}/submit`);
  flash(
    req,
    'Your draft has been saved',
    'success',
    existing?.referral.reference
      ? undefined
      : 'You can come back to it from the referrals list. It is not shared with the partnership until you submit it.',
  );
  res.redirect(303, `/referrals/${id}/edit`);
}

/** Whole days since a referral was (last) submitted, counted on London calendar days. */
function daysWaiting(since: Date | null, todayIso: string): { days: number } | null {
  if (!since) return null;
  return { days: Math.round((Date.parse(todayIso) - Date.parse(londonDate(since))) / 86_400_000) };
}

function listPage(services: Services): Handler {
  return async (req, res) => {
    const { referrals } = services;
    const user = currentUser(req);
    const todayIso = today(services.clock);
    const parsed = readListQuery(req.query, todayIso);
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
        waiting: r.status === 'submitted' ? daysWaiting(r.lastSubmittedAt ?? r.submittedAt, todayIso) : null,
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
  };
}

function newPage(services: Services): Handler {
  return async (req, res) => {
    const { raw, matrix } = await services.referrals.newForm(currentUser(req));
    await showForm(services, res, { raw, matrix });
  };
}

function editPage(services: Services): Handler {
  return async (req, res) => {
    const id = idParam(req.params.id);
    const { referral, raw, matrix, editable } = await services.referrals.editForm(currentUser(req), actorOf(req), id);
    if (!editable) return readOnly(req, res, id);
    await showForm(services, res, { ...formReferralOf(id, referral), raw, matrix });
  };
}

function checkPage(services: Services): Handler {
  return async (req, res) => {
    const id = idParam(req.params.id);
    const check = await services.referrals.checkSubmission(currentUser(req), actorOf(req), id);
    if (!check.editable) return readOnly(req, res, id);
    const { referral, matrix, assessment } = check;
    const scored = {
      ...referral,
      riskScore: assessment.score,
      riskVerdict: assessment.verdict,
      criteria: assessment.criteria,
      escalationCount: assessment.escalationCount,
    };
    res.render('referrals/check', {
      title: 'Check and submit the referral',
      backLink: `/referrals/${id}/edit`,
      referral,
      view: recordView({ referral: scored, matrix }, today(services.clock)),
      assessment: {
        ...assessment,
        verdict: verdictView(assessment.verdict),
        byKind: assessment.byKind.map((k) => ({ ...k, name: SUBJECT_KIND_NAMES[k.kind] })),
        criteriaNames: assessment.criteria.map((c) => CRITERION_NAMES[c]),
      },
      problems: Object.entries(check.errors).map(([name, text]) => ({
        text,
        href: `/referrals/${id}/edit#${fieldId(name)}`,
      })),
      repeats: check.repeats,
      otherRepeat: check.otherRepeat,
      otherDuplicate: check.otherDuplicate,
      duplicates: check.duplicates,
      matrix,
      statusNames: STATUS_NAMES,
      form: formState(),
    });
  };
}

function submitPost(services: Services): Handler {
  return async (req, res) => {
    const { referrals } = services;
    const id = idParam(req.params.id);
    const user = currentUser(req);
    const body = req.body as Record<string, unknown>;
    const linkTo = strList(body.linkTo)
      .map(parseId)
      .filter((v): v is number => v !== null);
    try {
      const { reference, assessment } = await referrals.submit(
        user,
        actorOf(req),
        id,
        parseVersion(body.version),
        linkTo,
      );
      const outcome =
        assessment.verdict === 'high'
          ? 'It meets the high-risk criteria. The coordinator will screen it and you will get an email with the outcome.'
          : 'It does not meet the high-risk criteria on what you gave. The coordinator will still screen it and you will get an email with the outcome.';
      // A high-risk verdict is news to act on, not a green confirmation.
      flash(req, `Referral ${reference} submitted`, assessment.verdict === 'high' ? 'important' : 'success', outcome);
      return res.redirect(303, `/referrals/${id}`);
    } catch (err) {
      if (isReadOnlyError(err)) return readOnly(req, res, id);
      if (err instanceof StaleVersionError) {
        flash(req, 'The referral changed since you checked it', 'important', 'Check it again before you submit.');
        return res.redirect(303, `/referrals/${id}/submit`);
      }
      if (!(err instanceof RefusedError && err.reason === INCOMPLETE)) throw err;
      const { referral, raw, matrix } = await referrals.submissionForm(user, actorOf(req), id);
      return showForm(services, res, {
        ...formReferralOf(id, referral),
        raw,
        matrix,
        errors: err.fieldErrors,
        httpStatus: 400,
      });
    }
  };
}

/** The screening form's outcome and note, with a message by each that is wrong. */
function readScreening(body: Record<string, unknown>) {
  const outcome = str(body.outcome);
  const errors: Record<string, string> = {};
  if (!(SCREENING_OUTCOMES as readonly string[]).includes(outcome)) errors.outcome = 'Select the outcome of screening';
  const label =
    outcome === 'reject'
      ? 'your advice to the referrer'
      : outcome === 'request-information'
        ? 'the information you need'
        : 'a note for the referrer';
  const note = optionalLongText(label, 3000).safeParse(str(body.note));
  if (!note.success) errors.note = note.error.issues[0].message;
  else if (note.data === null && (outcome === 'reject' || outcome === 'request-information'))
    errors.note = `Enter ${label}`;
  if (Object.keys(errors).length || !note.success)
    return { ok: false as const, form: formState({ outcome, note: str(body.note) }, errors) };
  return { ok: true as const, outcome: outcome as ScreeningOutcome, note: note.data };
}

function screenPost(services: Services): Handler {
  return async (req, res) => {
    const id = idParam(req.params.id);
    const screening = readScreening(req.body as Record<string, unknown>);
    if (!screening.ok) return renderRecord(services, req, res, id, { screeningForm: screening.form, httpStatus: 400 });
    try {
      const { status } = await services.referrals.screen(
        currentUser(req),
        actorOf(req),
        id,
        screening.outcome,
        screening.note,
      );
      flash(req, `Referral ${STATUS_NAMES[status].toLowerCase()}`, 'success', 'The referrer has been sent an email.');
    } catch (err) {
      if (!(err instanceof RefusedError && err.reason === ALREADY_SCREENED)) throw err;
      flash(req, 'This referral has already been screened', 'important', err.fieldErrors['']);
    }
    res.redirect(303, `/referrals/${id}`);
  };
}

function discardPage(services: Services): Handler {
  return async (req, res) => {
    const id = idParam(req.params.id);
    const { referral, editable } = await services.referrals.forChange(
      currentUser(req),
      actorOf(req),
      id,
      'referral.discard',
    );
    if (!editable || referral.status !== 'draft') return readOnly(req, res, id);
    res.render('referrals/discard', {
      title: 'Delete this draft?',
      backLink: `/referrals/${id}/edit`,
      referralId: id,
      form: formState(),
    });
  };
}

function discardPost(services: Services): Handler {
  return async (req, res) => {
    const id = idParam(req.params.id);
    try {
      await services.referrals.discard(currentUser(req), actorOf(req), id);
    } catch (err) {
      if (isReadOnlyError(err)) return readOnly(req, res, id);
      throw err;
    }
    flash(req, 'Draft deleted');
    res.redirect(303, '/referrals');
  };
}

export function referralRoutes(services: Services): RouteDef[] {
  return [
    get('/referrals', 'signed-in', listPage(services)),
    get('/referrals/new', 'signed-in', newPage(services)),
    post('/referrals/new', 'signed-in', (req, res) => handleForm(services, req, res)),
    get('/referrals/:id', 'signed-in', (req, res) => renderRecord(services, req, res, idParam(req.params.id))),
    get('/referrals/:id/edit', 'signed-in', editPage(services)),
    post('/referrals/:id/edit', 'signed-in', (req, res) => handleForm(services, req, res, idParam(req.params.id))),
    get('/referrals/:id/submit', 'signed-in', checkPage(services)),
    post('/referrals/:id/submit', 'signed-in', submitPost(services)),
    post('/referrals/:id/screen', ADMIN_OR_CHAIR, screenPost(services)),
    ...screeningRoutes(services),
    get('/referrals/:id/discard', 'signed-in', discardPage(services)),
    post('/referrals/:id/discard', 'signed-in', discardPost(services)),
  ];
}
