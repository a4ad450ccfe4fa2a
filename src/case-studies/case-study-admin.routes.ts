import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Services } from '../services';
import { actorOf, flash } from '../http/context';
import { idParam, RefusedError } from '../http/errors';
import { choice, flattenValues, formState, parseForm, requiredText, type FormState } from '../http/forms';
import { ADMIN, get, post, type RouteDef } from '../http/routes';

const addSchema = z.object({ name: requiredText('the name of the intervention', 80) });
const activeSchema = z.object({
  active: choice(['true', 'false'] as const, 'Choose whether the intervention is offered').transform(
    (v) => v === 'true',
  ),
});

/** The interventions list the administrator keeps: add one, or stop offering one (studies keep it). */
export function interventionRoutes(services: Services): RouteDef[] {
  const { caseStudies } = services;
  async function page(_req: Request, res: Response, form: FormState = formState(), status = 200) {
    res.status(status).render('case-studies/interventions', {
      title: 'Case study interventions',
      interventions: await caseStudies.interventions(false),
      form,
    });
  }
  async function add(req: Request, res: Response) {
    const parsed = parseForm(addSchema, req.body);
    if (!parsed.ok) return page(req, res, parsed.form, 400);
    try {
      await caseStudies.addIntervention(actorOf(req), parsed.data.name);
    } catch (err) {
      if (err instanceof RefusedError) return page(req, res, formState(flattenValues(req.body), err.fieldErrors), 400);
      throw err;
    }
    flash(req, `${parsed.data.name} added to the interventions`);
    res.redirect(303, '/admin/case-study-interventions');
  }
  async function change(req: Request, res: Response) {
    const id = idParam(req.params.id);
    const parsed = parseForm(activeSchema, req.body);
    if (!parsed.ok) return page(req, res, parsed.form, 400);
    await caseStudies.setInterventionActive(actorOf(req), id, parsed.data.active);
    flash(req, parsed.data.active ? 'The intervention is offered again' : 'The intervention is no longer offered');
    res.redirect(303, '/admin/case-study-interventions');
  }
  return [
    get('/admin/case-study-interventions', ADMIN, (req, res) => page(req, res)),
    post('/admin/case-study-interventions', ADMIN, add),
    post('/admin/case-study-interventions/:id', ADMIN, change),
  ];
}
