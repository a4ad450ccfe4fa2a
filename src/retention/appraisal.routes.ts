import type { Request, Response } from 'express';
import type { Services } from '../services';
import { actorOf, currentUser, flash } from '../http/context';
import { idParam, RefusedError, StaleVersionError } from '../http/errors';
import { checkDate, dateParts, flattenValues, formState, parseVersion, str, type FormState } from '../http/forms';
import { ADMIN, get, post, type RouteDef } from '../http/routes';
import { addDays, today } from '../time';
import type { Decision } from './appraisal.service';

const DECISIONS = ['destroy', 'extend', 'hold', 'lift'] as const;

/** The stores a certificate counts, in the words of the page. */
const STORE_NAMES: Record<string, string> = {
  referral: 'Referral',
  subjects: 'Subjects',
  agendaItems: 'Agenda items',
  agendaVersions: 'Published agenda versions',
  minutesDrafts: 'Minutes drafts',
  minutesVersions: 'Approved minutes (with their PDFs)',
  minutesCopies: 'Agencies’ copies of the minutes',
  outboxMessages: 'E-mails',
  emlFiles: 'E-mail files',
  youthChecks: 'Checks on a young person',
};
const MAX_REASON = 2000;

/** Reads the decision form; every field's problem is reported by the field. */
function readDecision(
  body: Record<string, unknown>,
  todayIso: string,
): { decision?: Decision; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const kind = str(body.decision);
  const reason = str(body.reason).replace(/\r\n/g, '\n').trim();
  if (!(DECISIONS as readonly string[]).includes(kind))
    return { errors: { decision: 'Choose what happens to this case' } };
  if (kind === 'destroy') {
    if (str(body.confirm) !== 'true') errors.confirm = 'Confirm that this case’s personal data is to be destroyed';
    return errors.confirm ? { errors } : { decision: { kind: 'destroy' }, errors };
  }
  if (kind === 'lift') return { decision: { kind: 'lift' }, errors };
  if (!reason)
    errors.reason = kind === 'hold' ? 'Enter the reason for the legal hold' : 'Enter why the case is kept longer';
  else if (reason.length > MAX_REASON) errors.reason = `The reason must be ${MAX_REASON} characters or fewer`;
  if (kind === 'hold') return errors.reason ? { errors } : { decision: { kind: 'hold', reason }, errors };
  const until = checkDate(dateParts(body.until), 'the date to keep it until', {
    earliest: '1900-01-01',
    latest: addDays(todayIso, 365 * 20),
  });
  if (until.empty) errors.until = 'Enter the date to keep it until';
  else if ('error' in until)
    errors.until = until.error.replace('must be today or in the past', 'must be within 20 years');
  else if (until.value <= todayIso) errors.until = 'The date to keep it until must be in the future';
  if (Object.keys(errors).length || until.empty || 'error' in until) return { errors };
  return { decision: { kind: 'extend', until: until.value, reason }, errors };
}

export function appraisalRoutes(services: Services): RouteDef[] {
  const { retention } = services;

  async function reviewPage(req: Request, res: Response, form?: FormState, status = 200) {
    const referralId = idParam(req.params.id);
    const review = await retention.review(actorOf(req), referralId);
    res.status(status).render('admin/retention-review', {
      title: `Retention review: ${review.reference ?? `case ${review.referralId}`}`,
      review,
      form: form ?? formState({ version: String(review.version) }),
    });
  }

  async function decide(req: Request, res: Response) {
    const referralId = idParam(req.params.id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { decision, errors } = readDecision(body, today(services.clock));
    if (!decision) return reviewPage(req, res, formState(flattenValues(body), errors), 400);
    try {
      const actor = { ...actorOf(req), userId: currentUser(req).id };
      const { certificateId } = await retention.decide(actor, referralId, parseVersion(body.version), decision);
      flash(
        req,
        certificateId === null ? 'Decision recorded' : `Destroyed: certificate ${certificateId}`,
        'success',
        certificateId === null ? undefined : 'The case’s personal data was removed from every store.',
      );
    } catch (err) {
      if (err instanceof StaleVersionError)
        return reviewPage(
          req,
          res,
          formState(flattenValues(body), {
            decision: 'Someone else decided on this case meanwhile: check and choose again',
          }),
          409,
        );
      if (err instanceof RefusedError)
        return reviewPage(req, res, formState(flattenValues(body), { decision: err.message }), 400);
      throw err;
    }
    res.redirect(303, '/admin/retention#review');
  }

  async function certificates(req: Request, res: Response) {
    const rows = await retention.certificates();
    await services.audit(actorOf(req), { action: 'retention.certificates-view', details: { shown: rows.length } });
    res.render('admin/retention-certificates', {
      title: 'Destruction certificates',
      certificates: rows.map((c) => ({
        ...c,
        storeList: Object.entries(c.stores).map(([store, n]) => ({ store: STORE_NAMES[store] ?? store, n })),
      })),
    });
  }

  return [
    get('/admin/retention/reviews/:id', ADMIN, (req, res) => reviewPage(req, res)),
    post('/admin/retention/reviews/:id', ADMIN, decide),
    get('/admin/retention/certificates', ADMIN, certificates),
  ];
}
