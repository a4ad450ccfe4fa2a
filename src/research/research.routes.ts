import type { Request, Response } from 'express';
import type { Services } from '../services';
import { actorOf, currentUser, flash } from '../http/context';
import { idParam, RefusedError, StaleVersionError } from '../http/errors';
import { formState, parseVersion, str, type FormState } from '../http/forms';
import { ADMIN_OR_CHAIR, get, post, type RouteDef } from '../http/routes';
import { subjectLabel } from '../referrals/referral-view';
import { RESEARCH_STATUS_NAMES, type ResearchAnswer } from './research.service';

const STATUS_TAGS: Record<string, string> = {
  requested: 'govuk-tag--grey',
  'information-held': 'govuk-tag--blue',
  'nothing-held': 'govuk-tag--green',
};

const ANSWER_ITEMS = [
  { value: 'information-held', text: 'Information held', hint: 'Give a short summary to share at the meeting.' },
  { value: 'nothing-held', text: 'Nothing held' },
];

const STALE_ANSWER =
  'Someone else in your agency answered this request while you were on this page. Your answer is kept below: check theirs, then save again if needed.';

async function renderAnswer(
  { research }: Services,
  req: Request,
  res: Response,
  id: number,
  form = formState(),
  status = 200,
  refusal?: string,
) {
  const found = await research.view(currentUser(req), actorOf(req), id);
  res.status(status).render('research/answer', {
    title: `Research for ${found.request.reference}`,
    backLink: '/research',
    request: found.request,
    overdue: found.overdue,
    refusal,
    subjects: found.subjects.map((s) => ({
      label: subjectLabel({ ...s, address: null }),
      dateOfBirth: s.dateOfBirth,
      address: [s.address, s.postcode].filter(Boolean).join(', '),
    })),
    answerItems: ANSWER_ITEMS,
    form:
      form.values.status !== undefined || form.hasErrors
        ? form
        : formState({
            status: found.request.status === 'requested' ? '' : found.request.status,
            summary: found.request.summary ?? '',
            version: String(found.request.version),
          }),
  });
}

function listPage({ research }: Services) {
  return async (req: Request, res: Response) => {
    const user = currentUser(req);
    const panels = await research.forAgency(user, actorOf(req));
    res.render('research/list', {
      title: 'Research requests',
      agencyName: user.agencyName,
      spoc: user.spocForAgencyId !== null,
      manages: user.role !== 'representative',
      panels: panels.map((p) => ({
        ...p,
        open: p.requests.filter((r) => r.status === 'requested').length,
        requests: p.requests.map((r) => ({
          ...r,
          statusName: RESEARCH_STATUS_NAMES[r.status],
          tag: STATUS_TAGS[r.status],
        })),
      })),
    });
  };
}

function readAnswer(body: Record<string, unknown>): { form: FormState; answer?: ResearchAnswer } {
  const status = str(body.status);
  const summary = str(body.summary).replace(/\r\n/g, '\n').trim();
  const errors: Record<string, string> = {};
  if (status !== 'information-held' && status !== 'nothing-held')
    errors.status = 'Select whether your agency holds information';
  if (status === 'information-held' && !summary) errors.summary = 'Enter a short summary of the information to share';
  if (summary.length > 2000) errors.summary = 'The summary must be 2000 characters or fewer';
  const form: FormState = formState({ status, summary: str(body.summary), version: str(body.version) }, errors);
  if (form.hasErrors) return { form };
  if (status === 'nothing-held') return { form, answer: { status, summary: null } };
  if (status === 'information-held') return { form, answer: { status, summary } };
  return { form };
}

function answerRequest(services: Services) {
  return async (req: Request, res: Response) => {
    const id = idParam(req.params.id);
    const body = req.body as Record<string, unknown>;
    const { form, answer } = readAnswer(body);
    if (!answer) return renderAnswer(services, req, res, id, form, 400);
    try {
      await services.research.answer(currentUser(req), actorOf(req), id, parseVersion(body.version), answer);
    } catch (err) {
      if (err instanceof StaleVersionError) return renderAnswer(services, req, res, id, form, 409, STALE_ANSWER);
      if (err instanceof RefusedError)
        return renderAnswer(services, req, res, id, form, 400, err.fieldErrors[''] ?? err.message);
      throw err;
    }
    flash(req, 'Your research has been recorded');
    res.redirect(303, '/research');
  };
}

function matrixPage({ research }: Services) {
  return async (req: Request, res: Response) => {
    const id = idParam(req.params.id);
    const m = await research.matrix(currentUser(req), actorOf(req), id);
    res.render('research/matrix', { title: 'Research matrix', backLink: `/panels/${id}`, ...m });
  };
}

export function researchRoutes(services: Services): RouteDef[] {
  return [
    get('/research', 'signed-in', listPage(services)),
    get('/research/:id', 'signed-in', async (req, res) => renderAnswer(services, req, res, idParam(req.params.id))),
    post('/research/:id', 'signed-in', answerRequest(services)),
    get('/panels/:id/research', ADMIN_OR_CHAIR, matrixPage(services)),
  ];
}
