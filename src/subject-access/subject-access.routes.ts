import type { Request, Response } from 'express';
import type { Services } from '../services';
import { actorOf, flash } from '../http/context';
import { idParam, StaleVersionError } from '../http/errors';
import { formState, parseVersion, str, type FormState } from '../http/forms';
import { ADMIN, get, post, type RouteDef } from '../http/routes';
import { today } from '../time';
import { readNewRequest, readSearch } from './subject-access-form';

const STATUSES = ['open', 'completed', 'withdrawn'] as const;
type Status = (typeof STATUSES)[number];

/** Subject access requests: the log, the search for one request's person, and the PDF export. Administrators only. */
export function subjectAccessRoutes(services: Services): RouteDef[] {
  const { subjectAccess, clock } = services;

  async function list(req: Request, res: Response, form?: FormState, status = 200) {
    const requests = await subjectAccess.requests(actorOf(req));
    res.status(status).render('admin/subject-access', {
      title: 'Subject access requests',
      requests,
      form: form ?? formState(),
    });
  }

  async function log(req: Request, res: Response) {
    const { request, form } = readNewRequest((req.body ?? {}) as Record<string, unknown>, today(clock));
    if (!request) return list(req, res, form, 400);
    const id = await subjectAccess.log(actorOf(req), request);
    flash(req, `Request ${id} logged`);
    res.redirect(303, `/admin/subject-access/${id}`);
  }

  async function show(req: Request, res: Response, statusForm?: FormState, code = 200, refused?: FormState) {
    const id = idParam(req.params.id);
    const sar = await subjectAccess.request(id);
    const read = readSearch(req.query, today(clock));
    const { terms, form, asked } = refused ? { terms: null, form: refused, asked: true } : read;
    const bundle = terms ? await subjectAccess.search(actorOf(req), id, terms) : null;
    const exportQuery = new URLSearchParams();
    for (const [k, v] of Object.entries(form.values)) if (typeof v === 'string' && v !== '') exportQuery.set(k, v);
    res.status(code === 200 && asked && !terms ? 400 : code).render('admin/subject-access-request', {
      title: `Subject access request ${sar.id}`,
      sar,
      form,
      bundle,
      exportQuery: exportQuery.toString(),
      statusForm: statusForm ?? formState({ status: sar.status, version: String(sar.version) }),
      statuses: STATUSES.map((s) => ({
        value: s,
        text: s === 'open' ? 'Open' : s === 'completed' ? 'Completed: the bundle was sent' : 'Withdrawn',
      })),
    });
  }

  async function exportPdf(req: Request, res: Response) {
    const id = idParam(req.params.id);
    const { terms, form } = readSearch({ ...(req.query as Record<string, unknown>), search: '1' }, today(clock));
    if (!terms) return show(req, res, undefined, 400, form);
    const redact = str((req.query as Record<string, unknown>).redact) === 'true';
    const pdf = await subjectAccess.exportPdf(actorOf(req), id, terms, redact);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `attachment; filename="subject-access-${id}${redact ? '-redacted' : ''}.pdf"`);
    res.send(pdf);
  }

  async function setStatus(req: Request, res: Response) {
    const id = idParam(req.params.id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const status = str(body.status);
    if (!(STATUSES as readonly string[]).includes(status))
      return show(req, res, formState(body, { status: 'Choose the request’s status' }), 400);
    try {
      await subjectAccess.setStatus(actorOf(req), id, parseVersion(body.version), status as Status);
    } catch (err) {
      if (!(err instanceof StaleVersionError)) throw err;
      return show(
        req,
        res,
        formState(body, { status: 'Someone else changed this request meanwhile: check and save again' }),
        409,
      );
    }
    flash(req, 'Status saved');
    res.redirect(303, `/admin/subject-access/${id}`);
  }

  return [
    get('/admin/subject-access', ADMIN, (req, res) => list(req, res)),
    post('/admin/subject-access', ADMIN, log),
    get('/admin/subject-access/:id', ADMIN, (req, res) => show(req, res)),
    get('/admin/subject-access/:id/export.pdf', ADMIN, exportPdf),
    post('/admin/subject-access/:id/status', ADMIN, setStatus),
  ];
}
