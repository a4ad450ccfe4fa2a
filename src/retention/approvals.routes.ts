import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Services } from '../services';
import { actorOf, currentUser, flash } from '../http/context';
import { idParam, RefusedError } from '../http/errors';
import { choice, formState, parseForm } from '../http/forms';
import { ADMIN, post, type RouteDef } from '../http/routes';
import { plural, whole, type Forms } from './retention-form';

/* A second administrator for a new audit period or a purge of old audit rows. */

const auditYearsSchema = z.object({ auditYears: whole('how long audit records are kept', 'years', 50, '2') });
const approvalSchema = z.object({
  decision: choice(['approve', 'refuse', 'withdraw'] as const, 'Choose whether to approve or refuse'),
});

type Page = (req: Request, res: Response, forms?: Forms, status?: number) => Promise<void>;

export function approvalRoutes(services: Services, page: Page): RouteDef[] {
  const { retention } = services;
  const signedIn = (req: Request) => ({ ...actorOf(req), userId: currentUser(req).id });

  async function requestAuditYears(req: Request, res: Response) {
    const parsed = parseForm(auditYearsSchema, req.body);
    if (!parsed.ok) return page(req, res, { audit: parsed.form }, 400);
    try {
      await retention.requestAuditYears(signedIn(req), parsed.data.auditYears);
    } catch (err) {
      if (!(err instanceof RefusedError)) throw err;
      return page(req, res, { audit: formState(req.body as Record<string, unknown>, err.fieldErrors) }, 400);
    }
    flash(req, 'Change of audit period asked for', 'success', 'Another administrator must approve it.');
    res.redirect(303, '/admin/retention#approvals');
  }

  async function requestPurge(req: Request, res: Response) {
    await retention.requestPurge(signedIn(req));
    flash(req, 'Purge of old audit records asked for', 'success', 'Another administrator must approve it.');
    res.redirect(303, '/admin/retention#approvals');
  }

  async function decideApproval(req: Request, res: Response) {
    const id = idParam(req.params.id);
    const parsed = parseForm(approvalSchema, req.body);
    if (!parsed.ok) return page(req, res, { approval: parsed.form }, 400);
    try {
      const result = await retention.decideApproval(signedIn(req), id, parsed.data.decision);
      const body =
        result.deleted === null ? undefined : `${plural(result.deleted, 'audit record', 'audit records')} deleted.`;
      flash(
        req,
        parsed.data.decision === 'approve' ? 'Approved' : parsed.data.decision === 'refuse' ? 'Refused' : 'Withdrawn',
        'success',
        body,
      );
    } catch (err) {
      if (!(err instanceof RefusedError)) throw err;
      return page(req, res, { approval: formState({}, { decision: err.message }) }, 400);
    }
    res.redirect(303, '/admin/retention#approvals');
  }

  return [
    post('/admin/retention/audit-period', ADMIN, requestAuditYears),
    post('/admin/retention/audit-purge', ADMIN, requestPurge),
    post('/admin/retention/approvals/:id', ADMIN, decideApproval),
  ];
}
