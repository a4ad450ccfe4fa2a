import { DateTime } from 'luxon';
import type { ServiceDeps } from '../service-deps';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../http/context';
import { NotFoundError, StaleVersionError } from '../http/errors';
import { formatCalendarDate, today } from '../time';
import { gather, redactThirdParties, type Bundle, type SearchTerms } from './bundle';
import * as repo from './subject-access.repository';

/*
 * Subject access (UK GDPR art. 15; DPA 2018 Part 3 for the police): a log of requests with the
 * one-month deadline, a search across every kind of record, and an export of what was found as one
 * PDF, with other people's names redacted when asked. Administrators only; every step audited,
 * with ids and counts, never the name searched for.
 */

/** One calendar month after receipt; from the 31st into a shorter month, its last day (as the ICO counts). */
export function dueOn(receivedOn: string): string {
  return DateTime.fromISO(receivedOn, { zone: 'UTC' }).plus({ months: 1 }).toISODate() as string;
}

const daysBetween = (from: string, to: string) =>
  Math.round(DateTime.fromISO(to, { zone: 'UTC' }).diff(DateTime.fromISO(from, { zone: 'UTC' }), 'days').days);

function withDeadline<T extends { dueOn: string; status: string }>(row: T, todayIso: string) {
  return { ...row, daysLeft: daysBetween(todayIso, row.dueOn), open: row.status === 'open' };
}

const counts = (bundle: Bundle) => Object.fromEntries(bundle.sections.map((s) => [s.kind, s.findings.length]));

export function subjectAccessService({ db, clock, documents }: ServiceDeps) {
  async function request(id: number) {
    const row = await repo.findRequest(db, id);
    if (!row) throw new NotFoundError();
    return withDeadline(row, today(clock));
  }

  return {
    async requests(actor: Actor) {
      const rows = await repo.listRequests(db);
      await recordAudit(db, actor, { action: 'subject-access.list', details: { shown: rows.length } });
      const todayIso = today(clock);
      return rows.map((r) => withDeadline(r, todayIso));
    },

    async log(actor: Actor, input: { subjectName: string; receivedOn: string }) {
      const id = await repo.insertRequest(db, { ...input, dueOn: dueOn(input.receivedOn) }, actor.userId, clock.now());
      await recordAudit(db, actor, {
        action: 'subject-access.logged',
        entityType: 'subject-access-request',
        entityId: id,
        details: { receivedOn: input.receivedOn },
      });
      return id;
    },

    request,

    async setStatus(actor: Actor, id: number, version: number, status: repo.RequestStatus) {
      await request(id);
      const completedOn = status === 'completed' ? today(clock) : null;
      if (!(await repo.updateStatus(db, id, version, status, completedOn))) throw new StaleVersionError();
      await recordAudit(db, actor, {
        action: 'subject-access.status',
        entityType: 'subject-access-request',
        entityId: id,
        details: { status },
      });
    },

    async search(actor: Actor, id: number, terms: SearchTerms) {
      await request(id);
      const bundle = await gather(db, terms);
      await recordAudit(db, actor, {
        action: 'subject-access.search',
        entityType: 'subject-access-request',
        entityId: id,
        details: { total: bundle.total, ...counts(bundle) },
      });
      return bundle;
    },

    /** One PDF of everything found, through the documents' renderer (marking, header, page numbers). */
    async exportPdf(actor: Actor, id: number, terms: SearchTerms, redact: boolean): Promise<Buffer> {
      const sar = await request(id);
      const found = await gather(db, terms);
      const bundle = redact ? redactThirdParties(found) : found;
      const pdf = await documents.renderDocument('subject-access', {
        title: `Subject access request ${sar.id}`,
        date: today(clock),
        request: { ...sar, receivedText: formatCalendarDate(sar.receivedOn), dueText: formatCalendarDate(sar.dueOn) },
        searched: [
          terms.name ? `Name: ${terms.name}` : null,
          terms.dateOfBirth ? `Date of birth: ${formatCalendarDate(terms.dateOfBirth)}` : null,
          terms.address ? `Address: ${terms.address}` : null,
        ].filter(Boolean),
        redacted: redact,
        bundle,
      });
      await recordAudit(db, actor, {
        action: 'subject-access.export',
        entityType: 'subject-access-request',
        entityId: id,
        details: { total: bundle.total, redacted: redact, thirdParties: redact ? found.thirdParties.length : 0 },
      });
      return pdf;
    },
  };
}
