import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Services } from '../services';
import { actorOf, currentUser, flash } from '../http/context';
import { StaleVersionError } from '../http/errors';
import { formState, parseForm, versionField } from '../http/forms';
import { ADMIN, get, post, type RouteDef } from '../http/routes';
import { PREVIEW_DAYS } from './retention.service';
import { appraisalRoutes } from './appraisal.routes';
import { approvalRoutes } from './approvals.routes';
import { plural, whole, type Forms } from './retention-form';

const settingsSchema = z.object({
  closedCaseYears: whole('how long closed cases are kept', 'years', 50, '6'),
  outboxBodyDays: whole('how long sent e-mails keep their text and attachments', 'days', 3650, '30'),
  version: versionField,
});

export function retentionRoutes(services: Services): RouteDef[] {
  const { retention } = services;

  async function page(req: Request, res: Response, forms: Forms = {}, status = 200, conflict = false) {
    const view = await retention.overview(actorOf(req));
    const { settings } = view;
    res.status(status).render('admin/retention', {
      title: 'Data retention',
      ...view,
      me: currentUser(req).id,
      form:
        forms.settings ??
        formState({
          closedCaseYears: String(settings.closedCaseYears),
          outboxBodyDays: String(settings.outboxBodyDays),
          version: String(settings.version),
        }),
      auditForm: forms.audit ?? formState({ auditYears: String(settings.auditYears) }),
      approvalForm: forms.approval ?? formState(),
      conflict,
      previewDays: PREVIEW_DAYS,
    });
  }

  async function save(req: Request, res: Response) {
    const parsed = parseForm(settingsSchema, req.body);
    if (!parsed.ok) return page(req, res, { settings: parsed.form }, 400);
    try {
      await retention.save(actorOf(req), parsed.data);
    } catch (err) {
      if (!(err instanceof StaleVersionError)) throw err;
      // Keep what this person typed, on the latest version, and say why it was not saved.
      const latest = await retention.settings();
      const values = {
        closedCaseYears: String(parsed.data.closedCaseYears),
        outboxBodyDays: String(parsed.data.outboxBodyDays),
        version: String(latest.version),
      };
      return page(req, res, { settings: formState(values, {}) }, 409, true);
    }
    flash(req, 'Retention periods saved');
    res.redirect(303, '/admin/retention');
  }

  async function runNow(req: Request, res: Response) {
    const result = await retention.run(actorOf(req));
    flash(
      req,
      'Retention run finished',
      'success',
      `${plural(result.listedForReview, 'case', 'cases')} added to the review list; ${plural(result.mailCleared, 'sent e-mail', 'sent e-mails')} cleared of text and attachments.`,
    );
    res.redirect(303, '/admin/retention');
  }

  return [
    get('/admin/retention', ADMIN, (req, res) => page(req, res)),
    post('/admin/retention', ADMIN, save),
    post('/admin/retention/run', ADMIN, runNow),
    ...approvalRoutes(services, page),
    ...appraisalRoutes(services),
  ];
}
