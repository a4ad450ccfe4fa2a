import type { Request, Response } from 'express';
import type { Services } from '../services';
import { actorOf, currentUser } from '../http/context';
import { RefusedError } from '../http/errors';
import { formState, type FormState } from '../http/forms';
import { ADMIN, get, type RouteDef } from '../http/routes';
import { toCsv } from '../insight/csv';
import { today } from '../time';
import { readAuditFilter } from './audit-filter';
import { auditScope, PAGE_SIZE } from './audit-viewer.service';

const PAGE = /^\d{1,5}$/;

function sendCsv(res: Response, filename: string, csv: string) {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  // A byte order mark, so spreadsheet programs read the text as UTF-8.
  res.send(`\ufeff${csv}`);
}

/** The audit viewer, for administrators (the whole trail) or an agency's single point of contact (its own staff). */
export function auditRoutes(services: Services): RouteDef[] {
  const { auditViewer, clock } = services;

  async function render(
    req: Request,
    res: Response,
    scope: number | null,
    base: string,
    form: FormState,
    status: number,
    result?: Awaited<ReturnType<typeof auditViewer.search>> & { page: number; query: string },
  ) {
    const user = currentUser(req);
    const options = await auditViewer.options(scope);
    res.status(status).render('admin/audit', {
      title: scope === null ? 'Audit trail' : `Audit trail: ${user.agencyName}`,
      base,
      whole: scope === null,
      form,
      users: options.users.map((u) => ({ value: String(u.id), text: `${u.name} (${u.email})` })),
      agencies: options.agencies.map((a) => ({ value: String(a.id), text: a.name })),
      result: result && {
        ...result,
        from: result.total === 0 ? 0 : result.page * PAGE_SIZE + 1,
        to: result.page * PAGE_SIZE + result.rows.length,
        previous: result.page > 0 ? `${base}?${result.query}${result.query ? '&' : ''}page=${result.page - 1}` : null,
        next:
          (result.page + 1) * PAGE_SIZE < result.total
            ? `${base}?${result.query}${result.query ? '&' : ''}page=${result.page + 1}`
            : null,
        csv: `${base}.csv${result.query ? `?${result.query}` : ''}`,
      },
    });
  }

  const page = (wholeTrail: boolean, base: string) => async (req: Request, res: Response) => {
    const scope = auditScope(currentUser(req), wholeTrail);
    const query = req.query as Record<string, unknown>;
    const { filter, form } = readAuditFilter(query, today(clock));
    if (!filter) return render(req, res, scope, base, form, 400);
    const pageNumber = typeof query.page === 'string' && PAGE.test(query.page) ? Number(query.page) : 0;
    try {
      const result = await auditViewer.search(actorOf(req), scope, filter, pageNumber);
      return render(req, res, scope, base, form, 200, { ...result, page: pageNumber, query: filter.query });
    } catch (err) {
      if (!(err instanceof RefusedError)) throw err;
      return render(req, res, scope, base, formState(form.values, err.fieldErrors), 400);
    }
  };

  const csv = (wholeTrail: boolean, base: string) => async (req: Request, res: Response) => {
    const scope = auditScope(currentUser(req), wholeTrail);
    const { filter, form } = readAuditFilter(req.query, today(clock));
    if (!filter) return render(req, res, scope, base, form, 400);
    try {
      const { headers, rows } = await auditViewer.csv(actorOf(req), scope, filter);
      sendCsv(res, `audit-${today(clock)}.csv`, toCsv(headers, rows));
    } catch (err) {
      if (!(err instanceof RefusedError)) throw err;
      return render(req, res, scope, base, formState(form.values, err.fieldErrors), 400);
    }
  };

  return [
    get('/admin/audit', ADMIN, page(true, '/admin/audit')),
    get('/admin/audit.csv', ADMIN, csv(true, '/admin/audit')),
    // Any signed-in user reaches the handler; only an agency's single point of contact gets past it (else 404).
    get('/audit', 'signed-in', page(false, '/audit')),
    get('/audit.csv', 'signed-in', csv(false, '/audit')),
  ];
}
