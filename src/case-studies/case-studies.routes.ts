import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Services } from '../services';
import { actorOf, currentUser, flash } from '../http/context';
import { idParam, RefusedError, StaleVersionError } from '../http/errors';
import {
  choice,
  flattenValues,
  formState,
  optionalLongText,
  parseForm,
  parseId,
  str,
  versionField,
  type FormState,
} from '../http/forms';
import { ADMIN, get, post, type RouteDef } from '../http/routes';
import { activeAgencyItems } from './case-study-lists';
import { readStudy, valuesOfStudy, type Mode } from './case-study-form';
import { CATEGORY_ITEMS, OUTCOME_ITEMS, PLACE_TYPE_ITEMS, readLibraryQuery, studyView } from './case-study-views';
import { PERSONAL_DATA } from './case-studies.service';
import { interventionRoutes } from './case-study-admin.routes';

interface FormPage {
  studyId?: number;
  sourceReference?: string | null;
  form: FormState;
  status?: number;
  personalData?: boolean;
}

async function renderForm(services: Services, res: Response, page: FormPage) {
  const { caseStudies } = services;
  res.status(page.status ?? 200).render('case-studies/form', {
    title: page.studyId ? 'Edit the case study' : 'Write a case study',
    backLink: page.studyId ? `/case-studies/${page.studyId}` : '/case-studies',
    ...page,
    categoryItems: CATEGORY_ITEMS,
    placeTypeItems: PLACE_TYPE_ITEMS,
    outcomeItems: OUTCOME_ITEMS,
    districtItems: (await services.referrals.districts()).map((d) => ({ value: d.id, text: d.name })),
    agencyItems: await activeAgencyItems(services),
    interventionItems: (await caseStudies.interventions()).map((i) => ({ value: i.id, text: i.name })),
  });
}

const modeOf = (body: unknown): Mode =>
  str((body as Record<string, unknown> | undefined)?.action) === 'submit' ? 'submit' : 'draft';

/** Saves or submits a new or existing study; a refusal shows everything typed again with the messages. */
async function handleForm(services: Services, req: Request, res: Response, studyId?: number) {
  const { caseStudies } = services;
  const user = currentUser(req);
  const actor = actorOf(req);
  const mode = modeOf(req.body);
  const read = readStudy(req.body, mode, await caseStudies.lists());
  const sourceReference = str((req.body as Record<string, unknown>).sourceReference) || null;
  if (!read.ok) return renderForm(services, res, { studyId, sourceReference, form: read.form, status: 400 });
  let id = studyId;
  try {
    if (id)
      await caseStudies.update(
        user,
        actor,
        id,
        parseId(str((req.body as Record<string, unknown>).version)) ?? -1,
        read,
        mode,
      );
    else id = await caseStudies.create(user, actor, read, mode);
  } catch (err) {
    const typed = flattenValues(req.body);
    if (err instanceof RefusedError)
      return renderForm(services, res, {
        studyId,
        sourceReference,
        form: formState(typed, err.fieldErrors),
        status: 400,
        personalData: err.reason === PERSONAL_DATA,
      });
    if (err instanceof StaleVersionError)
      return renderForm(services, res, {
        studyId,
        sourceReference,
        form: formState(typed, { title: err.message }),
        status: 409,
      });
    throw err;
  }
  flash(req, mode === 'submit' ? 'Case study submitted for approval' : 'Case study saved as a draft');
  res.redirect(303, `/case-studies/${id}`);
}

function libraryPage(services: Services) {
  return async (req: Request, res: Response) => {
    const { caseStudies } = services;
    const user = currentUser(req);
    const lists = await caseStudies.lists();
    const { values, errors, filters } = readLibraryQuery(req.query, lists);
    const names = {
      agencies: await activeAgencyItems(services, true),
      interventions: await caseStudies.interventions(false),
    };
    const hasErrors = Object.keys(errors).length > 0;
    const studies = hasErrors ? [] : await caseStudies.library(actorOf(req), filters);
    res.status(hasErrors ? 400 : 200).render('case-studies/library', {
      title: 'Case studies',
      form: formState(values, errors),
      studies: studies.map((s) => studyView(s, names)),
      searched: Object.keys(filters).length > 0,
      mine: (await caseStudies.mine(user)).map((s) => studyView(s, names)),
      isAdmin: user.role === 'administrator',
      waiting: user.role === 'administrator' ? (await caseStudies.waiting()).map((s) => studyView(s, names)) : [],
      categoryItems: CATEGORY_ITEMS,
      placeTypeItems: PLACE_TYPE_ITEMS,
      outcomeItems: OUTCOME_ITEMS,
      districtItems: (await services.referrals.districts()).map((d) => ({ value: d.id, text: d.name })),
      interventionItems: (await caseStudies.interventions()).map((i) => ({ value: i.id, text: i.name })),
    });
  };
}

function startPage(services: Services) {
  return async (req: Request, res: Response) => {
    const cases = await services.caseStudies.closedCases(currentUser(req), actorOf(req));
    res.render('case-studies/start', { title: 'Write a case study', backLink: '/case-studies', cases });
  };
}

function newPage(services: Services) {
  return async (req: Request, res: Response) => {
    const from = str(req.query.from);
    if (!from) return renderForm(services, res, { form: formState({}) });
    const source = await services.caseStudies.fromCase(currentUser(req), actorOf(req), idParam(from));
    await renderForm(services, res, { sourceReference: source.sourceReference, form: formState(source.values) });
  };
}

async function renderStudy(
  services: Services,
  req: Request,
  res: Response,
  id: number,
  form?: FormState,
  status = 200,
) {
  const { caseStudies } = services;
  const user = currentUser(req);
  const study = await caseStudies.view(user, actorOf(req), id);
  const names = {
    agencies: await activeAgencyItems(services, true),
    interventions: await caseStudies.interventions(false),
  };
  res.status(status).render('case-studies/show', {
    title: study.title,
    backLink: '/case-studies',
    study: studyView(study, names),
    canEdit: study.authorId === user.id && (study.status === 'draft' || study.status === 'returned'),
    canReview: user.role === 'administrator' && study.status === 'submitted',
    form: form ?? formState({ version: String(study.version) }),
    decisionItems: [
      { value: 'approved', text: 'Approve: add it to the library' },
      { value: 'returned', text: 'Return it to the author with comments' },
    ],
  });
}

function editPage(services: Services) {
  return async (req: Request, res: Response) => {
    const id = idParam(req.params.id);
    const study = await services.caseStudies.view(currentUser(req), actorOf(req), id);
    if (study.authorId !== currentUser(req).id || (study.status !== 'draft' && study.status !== 'returned'))
      return res.redirect(303, `/case-studies/${id}`);
    await renderForm(services, res, {
      studyId: id,
      sourceReference: study.sourceReference,
      form: formState(valuesOfStudy(study)),
    });
  };
}

const reviewSchema = z.object({
  decision: choice(['approved', 'returned'] as const, 'Select whether to approve the study or return it'),
  reviewComments: optionalLongText('the comments', 2000),
  version: versionField,
});

function reviewPost(services: Services) {
  return async (req: Request, res: Response) => {
    const id = idParam(req.params.id);
    const parsed = parseForm(reviewSchema, req.body);
    if (!parsed.ok) return renderStudy(services, req, res, id, parsed.form, 400);
    const { decision, reviewComments, version } = parsed.data;
    try {
      await services.caseStudies.review(actorOf(req), id, version, { status: decision, reviewComments });
    } catch (err) {
      const typed = flattenValues(req.body);
      if (err instanceof RefusedError)
        return renderStudy(services, req, res, id, formState(typed, err.fieldErrors), 400);
      if (err instanceof StaleVersionError)
        return renderStudy(services, req, res, id, formState(typed, { decision: err.message }), 409);
      throw err;
    }
    flash(
      req,
      decision === 'approved' ? 'Case study approved: it is in the library' : 'Case study returned to its author',
    );
    res.redirect(303, `/case-studies/${id}`);
  };
}

export function caseStudyRoutes(services: Services): RouteDef[] {
  return [
    get('/case-studies', 'signed-in', libraryPage(services)),
    get('/case-studies/start', 'signed-in', startPage(services)),
    get('/case-studies/new', 'signed-in', newPage(services)),
    post('/case-studies/new', 'signed-in', (req, res) => handleForm(services, req, res)),
    get('/case-studies/:id', 'signed-in', (req, res) => renderStudy(services, req, res, idParam(req.params.id))),
    get('/case-studies/:id/edit', 'signed-in', editPage(services)),
    post('/case-studies/:id/edit', 'signed-in', (req, res) => handleForm(services, req, res, idParam(req.params.id))),
    post('/case-studies/:id/review', ADMIN, reviewPost(services)),
    ...interventionRoutes(services),
  ];
}
