import type { ServiceDeps } from '../service-deps';
import type { Actor, CurrentUser } from '../http/context';
import { NotFoundError, RefusedError } from '../http/errors';
import { formatDateTime } from '../time';
import { recordAudit } from './audit';
import type { TypedAuditFilter } from './audit-filter';
import * as repo from './audit-viewer.repository';

/*
 * Reading the audit trail. Administrators see every row. Each agency's single point of contact
 * (the person the administrator names on the agency) sees what their own agency's staff did, and
 * nothing of other agencies: the partnership's equivalent of a supervisor reviewing staff access.
 */

export const PAGE_SIZE = 100;
export const CSV_LIMIT = 50_000;

/** Whose rows this user may read: null for all (administrators), else their own agency. */
export function auditScope(user: CurrentUser, wholeTrail: boolean): number | null {
  if (wholeTrail && user.role === 'administrator') return null;
  if (!wholeTrail && user.spocForAgencyId !== null) return user.spocForAgencyId;
  throw new NotFoundError();
}

async function resolve(
  db: ServiceDeps['db'],
  typed: TypedAuditFilter,
  scope: number | null,
): Promise<repo.AuditFilter> {
  let referralId: number | null = null;
  if (typed.caseReference !== null) {
    const found = await repo.referralIdByReference(db, typed.caseReference);
    if (found === undefined) throw new RefusedError({ case: 'No case has this reference' });
    referralId = found;
  }
  return {
    userId: typed.userId,
    agencyId: scope ?? typed.agencyId,
    referralId,
    action: typed.action,
    from: typed.from,
    to: typed.to,
  };
}

const auditDetails = (f: repo.AuditFilter, extra: Record<string, number>) => ({
  userId: f.userId,
  agencyId: f.agencyId,
  referralId: f.referralId,
  action: f.action,
  from: f.from?.toISOString() ?? null,
  to: f.to?.toISOString() ?? null,
  ...extra,
});

export function auditViewerService({ db }: ServiceDeps) {
  return {
    /** The filter's choices: every user and agency, or one agency's staff. */
    options: async (scope: number | null) => ({
      users: await repo.usersForFilter(db, scope),
      agencies: scope === null ? await repo.agenciesForFilter(db) : [],
    }),

    async search(actor: Actor, scope: number | null, typed: TypedAuditFilter, page: number) {
      const filter = await resolve(db, typed, scope);
      const [rows, total] = [
        await repo.findEvents(db, filter, PAGE_SIZE, page * PAGE_SIZE),
        await repo.countEvents(db, filter),
      ];
      await recordAudit(db, actor, {
        action: scope === null ? 'audit.view' : 'audit.agency-view',
        details: auditDetails(filter, { page, total }),
      });
      return { rows, total };
    },

    async csv(actor: Actor, scope: number | null, typed: TypedAuditFilter) {
      const filter = await resolve(db, typed, scope);
      const rows = await repo.findEvents(db, filter, CSV_LIMIT, 0);
      await recordAudit(db, actor, {
        action: scope === null ? 'audit.export' : 'audit.agency-export',
        details: auditDetails(filter, { rows: rows.length }),
      });
      return {
        headers: [
          'Time (UK)',
          'User',
          'Email',
          'Agency',
          'Action',
          'Outcome',
          'Record',
          'Case',
          'Address',
          'Request',
          'Details',
        ],
        rows: rows.map((r) => [
          formatDateTime(r.at),
          r.userName ?? '',
          r.userEmail ?? '',
          r.agencyName ?? '',
          r.action,
          r.outcome,
          r.entityType ? `${r.entityType} ${r.entityId ?? ''}`.trim() : '',
          r.caseReference ?? '',
          r.ip ?? '',
          r.requestId ?? '',
          JSON.stringify(r.details),
        ]),
      };
    },
  };
}
