import type { Request, Response } from 'express';
import type { Services } from '../services';
import { actorOf, currentUser, flash } from '../http/context';
import { idParam, RefusedError, StaleVersionError } from '../http/errors';
import { flattenValues, formState, parseForm, type FormState } from '../http/forms';
import { ADMIN, ADMIN_OR_CHAIR, get, post, type RouteDef } from '../http/routes';
import { formatCalendarDate, today } from '../time';
import { toCsv } from '../insight/csv';
import { checkReference } from './due-date';
import { readAnswer, readRequest, settingsSchema } from './youth-check-form';
import type { StoredCheck } from './youth-checks.repository';

const YES_NO = [
  { value: 'yes', text: 'Yes' },
  { value: 'no', text: 'No' },
];

function checkRow(c: StoredCheck, todayIso: string) {
  return {
    ...c,
    reference: checkReference(c.id),
    overdue: c.status === 'requested' && c.dueOn < todayIso,
    dueText: formatCalendarDate(c.dueOn),
    dateOfBirthText: c.dateOfBirth ? formatCalendarDate(c.dateOfBirth) : null,
  };
}

async function renderNew(services: Services, req: Request, res: Response, form: FormState, status = 200) {
  const districts = await services.referrals.districts();
  res.status(status).render('youth-checks/new', {
    title: 'Ask for a youth check',
    backLink: '/youth-checks',
    form,
    districtItems: districts.map((d) => ({ value: d.id, text: d.name })),
    settings: await services.youthChecks.settings(),
    canRequest: (await services.youthChecks.rights(currentUser(req))).canRequest,
  });
}

async function renderCheck(
  services: Services,
  req: Request,
  res: Response,
  id: number,
  form?: FormState,
  status = 200,
) {
  const user = currentUser(req);
  const { check, canAnswer, isRequester } = await services.youthChecks.view(user, actorOf(req), id);
  res.status(status).render('youth-checks/show', {
    title: `Youth check ${checkReference(check.id)}`,
    backLink: '/youth-checks',
    check: checkRow(check, today(services.clock)),
    canAnswer,
    canRefer: isRequester && check.status === 'answered' && check.clearedAt === null,
    form: form ?? formState({ version: String(check.version) }),
    yesNo: YES_NO,
  });
}

function listPage(services: Services) {
  return async (req: Request, res: Response) => {
    const { checks, rights } = await services.youthChecks.list(currentUser(req), actorOf(req));
    const todayIso = today(services.clock);
    const rows = checks.map((c) => checkRow(c, todayIso));
    const { role } = currentUser(req);
    res.render('youth-checks/list', {
      title: 'Youth checks',
      isAdmin: role === 'administrator',
      isChair: role === 'chair',
      rights,
      checks: rows,
      open: rows.filter((r) => r.status === 'requested'),
      answered: rows.filter((r) => r.status === 'answered'),
      overdueCount: rows.filter((r) => r.overdue).length,
    });
  };
}

function newPage(services: Services) {
  return async (req: Request, res: Response) => {
    const rights = await services.youthChecks.rights(currentUser(req));
    await renderNew(services, req, res, formState({ districtId: rights.agencyDistrictId ?? '' }));
  };
}

function create(services: Services) {
  return async (req: Request, res: Response) => {
    const parsed = readRequest(req.body, today(services.clock));
    if (!parsed.ok) return renderNew(services, req, res, parsed.form, 400);
    let id: number;
    try {
      id = await services.youthChecks.request(currentUser(req), actorOf(req), parsed.data);
    } catch (err) {
      if (!(err instanceof RefusedError)) throw err;
      return renderNew(services, req, res, formState(flattenValues(req.body), err.fieldErrors), 400);
    }
    flash(req, `Youth check ${checkReference(id)} asked for`, 'success', 'You will get an e-mail when it is answered.');
    res.redirect(303, `/youth-checks/${id}`);
  };
}

function answerPost(services: Services) {
  return async (req: Request, res: Response) => {
    const id = idParam(req.params.id);
    const parsed = readAnswer(req.body);
    if (!parsed.ok) return renderCheck(services, req, res, id, parsed.form, 400);
    const { version, ...answer } = parsed.data;
    try {
      await services.youthChecks.answer(currentUser(req), actorOf(req), id, version, answer);
    } catch (err) {
      const typed = flattenValues(req.body);
      if (err instanceof RefusedError)
        return renderCheck(services, req, res, id, formState(typed, err.fieldErrors), 400);
      if (err instanceof StaleVersionError)
        return renderCheck(services, req, res, id, formState(typed, { '': err.message }), 409);
      throw err;
    }
    flash(
      req,
      `Youth check ${checkReference(id)} answered`,
      'success',
      'The officer who asked has been told by e-mail.',
    );
    res.redirect(303, '/youth-checks');
  };
}

function referralPost(services: Services) {
  return async (req: Request, res: Response) => {
    const referralId = await services.youthChecks.toReferral(currentUser(req), actorOf(req), idParam(req.params.id));
    flash(
      req,
      'A draft referral has been made from the check',
      'success',
      'Check what is filled in, complete the rest and submit it.',
    );
    res.redirect(303, `/referrals/${referralId}/edit`);
  };
}

export function youthCheckRoutes(services: Services): RouteDef[] {
  return [
    get('/youth-checks', 'signed-in', listPage(services)),
    get('/youth-checks/new', 'signed-in', newPage(services)),
    post('/youth-checks/new', 'signed-in', create(services)),
    get('/youth-checks/:id', 'signed-in', (req, res) => renderCheck(services, req, res, idParam(req.params.id))),
    post('/youth-checks/:id/answer', 'signed-in', answerPost(services)),
    post('/youth-checks/:id/referral', 'signed-in', referralPost(services)),
    ...youthCheckAdminRoutes(services),
  ];
}

function youthCheckAdminRoutes(services: Services): RouteDef[] {
  const { youthChecks } = services;
  async function settingsPage(req: Request, res: Response, form?: FormState, status = 200) {
    const s = await youthChecks.settings();
    res.status(status).render('youth-checks/settings', {
      title: 'Youth checks: settings',
      form:
        form ??
        formState({
          dueWorkingDays: String(s.dueWorkingDays),
          retentionMonths: String(s.retentionMonths),
          version: String(s.version),
        }),
    });
  }
  async function saveSettings(req: Request, res: Response) {
    const parsed = parseForm(settingsSchema, req.body);
    if (!parsed.ok) return settingsPage(req, res, parsed.form, 400);
    const { version, ...changes } = parsed.data;
    try {
      await youthChecks.saveSettings(actorOf(req), version, changes);
    } catch (err) {
      if (!(err instanceof StaleVersionError)) throw err;
      return settingsPage(req, res, formState(flattenValues(req.body), { dueWorkingDays: err.message }), 409);
    }
    flash(req, 'Youth check settings saved');
    res.redirect(303, '/admin/youth-checks');
  }
  async function reportPage(req: Request, res: Response) {
    const report = await youthChecks.report(actorOf(req), req.query);
    const query = new URLSearchParams(report.values as unknown as Record<string, string>).toString();
    res.status(report.ok ? 200 : 400).render('youth-checks/report', {
      title: 'Youth checks report',
      form: formState({ ...report.values }, report.ok ? {} : report.errors),
      districtItems: report.districtItems,
      table: report.ok ? report.table : null,
      csvHref: `/reports/youth-checks/export.csv?${query}`,
    });
  }
  async function reportCsv(req: Request, res: Response) {
    const report = await youthChecks.report(actorOf(req), req.query, true);
    if (!report.ok) return reportPage(req, res);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${report.table.name}.csv"`);
    res.send(`\ufeff${toCsv(report.table.headers, report.table.rows)}`);
  }
  return [
    get('/admin/youth-checks', ADMIN, (req, res) => settingsPage(req, res)),
    post('/admin/youth-checks', ADMIN, saveSettings),
    get('/reports/youth-checks', ADMIN_OR_CHAIR, reportPage),
    get('/reports/youth-checks/export.csv', ADMIN_OR_CHAIR, reportCsv),
  ];
}
