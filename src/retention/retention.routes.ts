import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Services } from '../services';
import { actorOf, flash } from '../http/context';
import { StaleVersionError } from '../http/errors';
import { formState, parseForm, versionField, type FormState } from '../http/forms';
import { ADMIN, get, post, type RouteDef } from '../http/routes';
import { PREVIEW_DAYS } from './retention.service';

const years = (label: string) =>
  z
    .string({ error: `Enter ${label} in whole years` })
    .trim()
    .min(1, `Enter ${label} in whole years`)
    .regex(/^\d{1,3}$/, `Enter ${label} as a whole number of years, like 6`)
    .transform(Number)
    .refine(
      (n) => n >= 1 && n <= 50,
      `${label.charAt(0).toUpperCase()}${label.slice(1)} must be between 1 and 50 years`,
    );

const settingsSchema = z.object({
  closedCaseYears: years('how long closed cases are kept'),
  auditYears: years('how long audit records are kept'),
  version: versionField,
});

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function retentionRoutes(services: Services): RouteDef[] {
  const { retention } = services;

  async function page(req: Request, res: Response, form?: FormState, status = 200, conflict = false) {
    const { settings, due, now } = await retention.overview(actorOf(req));
    res.status(status).render('insight/retention', {
      title: 'Data retention',
      settings,
      form:
        form ??
        formState({
          closedCaseYears: String(settings.closedCaseYears),
          auditYears: String(settings.auditYears),
          version: String(settings.version),
        }),
      version: settings.version,
      conflict,
      due,
      previewDays: PREVIEW_DAYS,
      now,
    });
  }

  async function save(req: Request, res: Response) {
    const parsed = parseForm(settingsSchema, req.body);
    if (!parsed.ok) return page(req, res, parsed.form, 400);
    try {
      await retention.save(actorOf(req), parsed.data);
    } catch (err) {
      if (!(err instanceof StaleVersionError)) throw err;
      // Keep what this person typed, on the latest version, and say why it was not saved.
      const latest = await retention.settings();
      const values = {
        closedCaseYears: String(parsed.data.closedCaseYears),
        auditYears: String(parsed.data.auditYears),
        version: String(latest.version),
      };
      return page(req, res, formState(values, {}), 409, true);
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
      `${plural(result.anonymised, 'closed case', 'closed cases')} anonymised; ${plural(result.auditRowsDeleted, 'old audit record', 'old audit records')} deleted.`,
    );
    res.redirect(303, '/admin/retention');
  }

  return [
    get('/admin/retention', ADMIN, (req, res) => page(req, res)),
    post('/admin/retention', ADMIN, save),
    post('/admin/retention/run', ADMIN, runNow),
  ];
}
