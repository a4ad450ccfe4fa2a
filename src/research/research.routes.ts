import type { Request, Response } from 'express';
import type { Services } from '../services';
import { actorOf, currentUser, flash } from '../http/context';
import { idParam, RefusedError, StaleVersionError } from '../http/errors';
import { formState, parseVersion, type FormState } from '../http/forms';
import { ADMIN_OR_CHAIR, get, post, type RouteDef } from '../http/routes';
import {
  CHILDREN_NAMES,
  readResearchAnswer,
  SAFEGUARDING_FLAGS,
  subjectField,
  subjectFormValues,
} from './research-form';
import { RESEARCH_STATUS_TAGS, subjectResearchView, subjectToFind } from './research-overview';
import { RESEARCH_STATUS_NAMES } from './research.service';

const ANSWER_ITEMS = [
  { value: 'information-held', text: 'Information held', hint: 'Give a short summary to share at the meeting.' },
  { value: 'nothing-held', text: 'Nothing held', hint: 'Every subject is recorded as not known to your agency.' },
];

const KNOWN_ITEMS = [
  { value: 'known', text: 'Known to my agency' },
  { value: 'not-known', text: 'Not known' },
];

const CHILDREN_ITEMS = Object.entries(CHILDREN_NAMES).map(([value, text]) => ({ value, text }));
const FLAG_ITEMS = Object.entries(SAFEGUARDING_FLAGS).map(([value, text]) => ({ value, text }));

const STALE_ANSWER =
  'Someone else in your agency answered this request while you were on this page. Your answer is kept below: check theirs, then save again if needed.';

type Found = Awaited<ReturnType<Services['research']['view']>>;

/** The form's values: what was typed, or else the stored answer. */
function answerForm(found: Found, form: FormState): FormState {
  if (form.values.status !== undefined || form.hasErrors) return form;
  return formState({
    status: found.request.status === 'requested' ? '' : found.request.status,
    summary: found.request.summary ?? '',
    version: String(found.request.version),
    ...subjectFormValues(found.subjectAnswers),
  });
}

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
  const subjects = found.subjects.map(subjectToFind);
  const stored = subjects.map((s) =>
    subjectResearchView(
      s,
      found.subjectAnswers.find((a) => a.subjectId === s.id),
    ),
  );
  res.status(status).render('research/answer', {
    title: `Research for ${found.request.reference}`,
    backLink: '/research',
    request: found.request,
    overdue: found.overdue,
    open: found.open,
    stored,
    refusal,
    subjects: subjects.map((s) => ({
      ...s,
      knownName: subjectField(s.id, 'known'),
      keyRisksName: subjectField(s.id, 'keyRisks'),
      childrenName: subjectField(s.id, 'children'),
      flagsName: subjectField(s.id, 'flags'),
      factsName: subjectField(s.id, 'facts'),
      opinionName: subjectField(s.id, 'opinion'),
    })),
    answerItems: ANSWER_ITEMS,
    knownItems: KNOWN_ITEMS,
    childrenItems: CHILDREN_ITEMS,
    flagItems: FLAG_ITEMS,
    form: answerForm(found, form),
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
        unanswered: p.requests.filter((r) => r.status === 'requested').length,
        requests: p.requests.map((r) => ({
          ...r,
          statusName: RESEARCH_STATUS_NAMES[r.status],
          tag: RESEARCH_STATUS_TAGS[r.status],
        })),
      })),
    });
  };
}

function answerRequest(services: Services) {
  return async (req: Request, res: Response) => {
    const id = idParam(req.params.id);
    const body = req.body as Record<string, unknown>;
    const subjectIds = await services.research.subjectIdsOf(currentUser(req), actorOf(req), id);
    const { form, answer } = readResearchAnswer(body, subjectIds);
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
    res.render('research/matrix', { title: 'Research', backLink: `/panels/${id}`, ...m });
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
