import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Services } from '../services';
import { actorOf, flash } from '../http/context';
import { formState, parseForm, versionField, type FormState } from '../http/forms';
import { ADMIN, get, post, type RouteDef } from '../http/routes';
import { casesDueWithin, PREVIEW_DAYS, retentionSettings, runRetention, saveRetentionSettings } from './retention.service';

const years = (label: string) =>
  z
    .string({ error: `Enter ${label} in whole years` })
    .trim()
    .min(1, `Enter ${label} in whole years`)
    .regex(/^\d{1,3}$/, `Enter ${label} as a whole number of years, like 6`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= 50, `${label.charAt(0).toUpperCase()}${label.slice(1)} must be between 1 and 50 years`);

const settingsSchema = z.object({
  closedCaseYears: years('how long closed cases are kept'),
  auditYears: years('how long audit records are kept'),
  version: versionField,
});

export function retentionRoutes(services: Services): RouteDef[] {
  const { db } = services;

  async function page(req: Request, res: Response, form?: FormState, status = 200, conflict = false) {
    const now = services.clock.now();
    const [settings, due] = await Promise.all([retentionSettings(db), casesDueWithin(db, now, PREVIEW_DAYS)]);
    await services.audit(actorOf(req), { action: 'retention.view', entityType: 'retention-settings', entityId: 1, details: { due: due.total } });
    res.status(status).render('insight/retention', {
      title: 'Data retention',
      settings,
      form: form ?? formState({ closedCaseYears: String(settings.closedCaseYears), auditYears: String(settings.auditYears), version: String(settings.version) }),
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
    const result = await saveRetentionSettings(db, actorOf(req), parsed.data, services.clock.now());
    if (!result.ok) {
      // Keep what this person typed, on the latest version, and say why it was not saved.
      const latest = await retentionSettings(db);
      const values = { closedCaseYears: String(parsed.data.closedCaseYears), auditYears: String(parsed.data.auditYears), version: String(latest.version) };
      return page(req, res, formState(values, {}), 409, true);
    }
    flash(req, 'Retention periods saved');
    res.redirect(303, '/admin/retention');
  }

  async function runNow(req: Request, res: Response) {
    const result = await runRetention(services, services.clock.now(), actorOf(req));
    flash(
      req,
      'Retention run finished',
      'success',
      `${result.anonymised} closed ${result.anonymised === 1 ? 'case' : 'cases'} anonymised; ${result.auditRowsDeleted} old audit ${result.auditRowsDeleted === 1 ? 'record' : 'records'} deleted.`,
    );
    res.redirect(303, '/admin/retention');
  }

  return [get('/admin/retention', ADMIN, (req, res) => page(req, res)), post('/admin/retention', ADMIN, save), post('/admin/retention/run', ADMIN, runNow)];
}
