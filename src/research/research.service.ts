import type { ServiceDeps } from '../service-deps';
import { ZONE } from '../time';
import { DateTime } from 'luxon';
import type { ResearchStatus } from '../db/schema';
import type { Actor, CurrentUser } from '../http/context';
import { NotFoundError } from '../http/errors';
import { recordAudit } from '../audit/audit';
import { requireVisiblePanel } from '../panels/panel-access';

import { enqueueMail } from '../mail/outbox';
import { invitationRecipients } from '../invitations/invitations';
import { previousWorkingDay } from '../panels/working-days';

export const RESEARCH_STATUS_NAMES: Record<ResearchStatus, string> = {
  requested: 'Not answered',
  'information-held': 'Information held',
  'nothing-held': 'Nothing held',
};

export function researchService({ db, clock, links, mail }: ServiceDeps) {
  const { baseUrl } = links;
  const pokeMail = () => mail.poke();
  const today = () => DateTime.fromJSDate(clock.now()).setZone(ZONE).toISODate() as string;

  /** The items × agencies matrix of a panel, each cell's status, overdue cells marked. */
  async function matrix(user: CurrentUser, actor: Actor, panelId: number) {
    const panel = await requireVisiblePanel(db, user, actor, panelId, 'research.matrix');
    const agencies = await db
      .selectFrom('panelInvitations')
      .innerJoin('agencies', 'agencies.id', 'panelInvitations.agencyId')
      .select(['agencies.id', 'agencies.shortName'])
      .where('panelInvitations.panelId', '=', panelId)
      .orderBy('agencies.shortName')
      .execute();
    const items = await db
      .selectFrom('agendaItems')
      .innerJoin('referrals', 'referrals.id', 'agendaItems.referralId')
      .select(['agendaItems.id', 'referrals.reference', 'referrals.id as referralId'])
      .where('agendaItems.panelId', '=', panelId)
      .where('agendaItems.removedAt', 'is', null)
      .orderBy('agendaItems.position')
      .execute();
    const requests = await db.selectFrom('researchRequests').select(['agendaItemId', 'agencyId', 'status']).where('panelId', '=', panelId).execute();
    const cell = new Map(requests.map((r) => [`${r.agendaItemId}:${r.agencyId}`, r.status]));
    const overdue = today() > panel.researchClosesOn;
    await recordAudit(db, actor, { action: 'research.matrix', entityType: 'panel', entityId: panelId });
    return {
      panel,
      agencies,
      overdue,
      rows: items.map((i) => ({
        ...i,
        cells: agencies.map((a) => {
          const status = cell.get(`${i.id}:${a.id}`) ?? null;
          return { agency: a.shortName, status, name: status ? RESEARCH_STATUS_NAMES[status] : 'No request', overdue: status === 'requested' && overdue };
        }),
      })),
      answered: requests.filter((r) => r.status !== 'requested').length,
      total: requests.length,
    };
  }

  /** An agency's research requests (its single point of contact's too, across every district), by panel. */
  async function forAgency(user: CurrentUser, actor: Actor) {
    const rows = await db
      .selectFrom('researchRequests')
      .innerJoin('panels', 'panels.id', 'researchRequests.panelId')
      .innerJoin('districts', 'districts.id', 'panels.districtId')
      .innerJoin('agendaItems', 'agendaItems.id', 'researchRequests.agendaItemId')
      .innerJoin('referrals', 'referrals.id', 'agendaItems.referralId')
      .select([
        'researchRequests.id',
        'researchRequests.status',
        'researchRequests.answeredAt',
        'panels.id as panelId',
        'panels.startsAt',
        'panels.researchClosesOn',
        'districts.name as districtName',
        'referrals.reference',
      ])
      .where('researchRequests.agencyId', '=', user.agencyId)
      .where('agendaItems.removedAt', 'is', null)
      .where('panels.status', 'in', ['agenda-published', 'in-progress'])
      .orderBy('panels.researchClosesOn')
      .orderBy('panels.id')
      .orderBy('agendaItems.position')
      .execute();
    await recordAudit(db, actor, { action: 'research.list', entityType: 'agency', entityId: user.agencyId, details: { requests: rows.length } });
    const now = today();
    const panels = new Map<number, { panelId: number; districtName: string; startsAt: Date; researchClosesOn: string; overdue: boolean; requests: typeof rows }>();
    for (const r of rows) {
      const p = panels.get(r.panelId) ?? { panelId: r.panelId, districtName: r.districtName, startsAt: r.startsAt, researchClosesOn: r.researchClosesOn, overdue: now > r.researchClosesOn, requests: [] };
      p.requests.push(r);
      panels.set(r.panelId, p);
    }
    return [...panels.values()];
  }

  async function request(user: CurrentUser, actor: Actor, requestId: number, action: string) {
    const row = await db
      .selectFrom('researchRequests')
      .innerJoin('agendaItems', 'agendaItems.id', 'researchRequests.agendaItemId')
      .innerJoin('referrals', 'referrals.id', 'agendaItems.referralId')
      .innerJoin('panels', 'panels.id', 'researchRequests.panelId')
      .innerJoin('districts', 'districts.id', 'panels.districtId')
      .select([
        'researchRequests.id',
        'researchRequests.status',
        'researchRequests.summary',
        'researchRequests.version',
        'researchRequests.agencyId',
        'researchRequests.panelId',
        'referrals.id as referralId',
        'referrals.reference',
        'panels.startsAt',
        'panels.researchClosesOn',
        'panels.status as panelStatus',
        'districts.name as districtName',
      ])
      .where('researchRequests.id', '=', requestId)
      .where('agendaItems.removedAt', 'is', null)
      .executeTakeFirst();
    // Only the agency asked may answer: anyone else is told it does not exist.
    if (!row || row.agencyId !== user.agencyId) {
      await recordAudit(db, actor, { action, outcome: 'denied', entityType: 'research-request', entityId: requestId });
      throw new NotFoundError();
    }
    const subjects = await db
      .selectFrom('referralSubjects')
      .select(['position', 'kind', 'fullName', 'dateOfBirth', 'address', 'postcode', 'description'])
      .where('referralId', '=', row.referralId)
      .orderBy('position')
      .execute();
    return { request: row, subjects, overdue: today() > row.researchClosesOn };
  }

  async function view(user: CurrentUser, actor: Actor, requestId: number) {
    const found = await request(user, actor, requestId, 'research.view');
    await recordAudit(db, actor, { action: 'research.view', entityType: 'panel', entityId: found.request.panelId, details: { requestId, referralId: found.request.referralId } });
    return found;
  }

  async function answer(user: CurrentUser, actor: Actor, requestId: number, version: number, input: { status: 'information-held' | 'nothing-held'; summary: string | null }) {
    const found = await request(user, actor, requestId, 'research.answer');
    if (!['agenda-published', 'in-progress'].includes(found.request.panelStatus)) return { ok: false as const, reason: 'closed' as const };
    const updated = await db
      .updateTable('researchRequests')
      .set((eb) => ({ status: input.status, summary: input.summary, answeredBy: user.id, answeredAt: clock.now(), version: eb('version', '+', 1) }))
      .where('id', '=', requestId)
      .where('version', '=', version)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return { ok: false as const, reason: 'stale' as const };
    await recordAudit(db, actor, { action: 'research.answer', entityType: 'panel', entityId: found.request.panelId, details: { requestId, referralId: found.request.referralId, status: input.status } });
    return { ok: true as const, panelId: found.request.panelId };
  }

  /**
   * E-mails each agency with unanswered requests on the working day before a panel's research
   * closing date (or, if the job missed that day, up to the closing date), once per panel and agency.
   */
  async function sendResearchReminders(now: Date = clock.now()): Promise<number> {
    const day = DateTime.fromJSDate(now).setZone(ZONE).toISODate() as string;
    const due = await db
      .selectFrom('researchRequests')
      .innerJoin('panels', 'panels.id', 'researchRequests.panelId')
      .innerJoin('districts', 'districts.id', 'panels.districtId')
      .select(['panels.id as panelId', 'panels.researchClosesOn', 'panels.startsAt', 'districts.name as districtName', 'researchRequests.agencyId'])
      .select((eb) => eb.fn.countAll<string>().as('open'))
      .where('researchRequests.status', '=', 'requested')
      .where('panels.status', '=', 'agenda-published')
      .where('panels.researchClosesOn', '>=', day)
      .groupBy(['panels.id', 'panels.researchClosesOn', 'panels.startsAt', 'districts.name', 'researchRequests.agencyId'])
      .execute();
    let sent = 0;
    for (const d of due) {
      if (day < previousWorkingDay(d.researchClosesOn)) continue;
      const queued = await db.transaction().execute(async (trx) => {
        const logged = await trx
          .insertInto('reminderLog')
          .values({ kind: 'research', subjectKey: `${d.panelId}:${d.agencyId}`, sentAt: now })
          .onConflict((oc) => oc.doNothing())
          .returning('kind')
          .executeTakeFirst();
        if (!logged) return 0;
        const recipients = await invitationRecipients(trx, d.panelId, [d.agencyId]);
        const closes = DateTime.fromISO(d.researchClosesOn).toFormat('d MMMM yyyy');
        const panelDay = DateTime.fromJSDate(d.startsAt).setZone(ZONE).toFormat('d MMMM yyyy');
        for (const r of recipients) {
          await enqueueMail(trx, {
            kind: 'research-reminder',
            to: r.email,
            subject: `ASBRAC research due ${closes}: ${d.districtName} panel, ${panelDay}`,
            text: [
              `Your agency has ${d.open} unanswered research ${Number(d.open) === 1 ? 'request' : 'requests'} for the ASBRAC ${d.districtName} panel on ${panelDay}.`,
              `The research closing date is ${closes}.`,
              '',
              `Answer them here (sign in): ${baseUrl}/research`,
              '',
              'This message is OFFICIAL-SENSITIVE. Case details are only available to signed-in users of invited agencies.',
            ].join('\n'),
            entityType: 'panel',
            entityId: d.panelId,
          });
        }
        return recipients.length;
      });
      sent += queued;
    }
    if (sent) pokeMail();
    return sent;
  }

  return { matrix, forAgency, view, answer, sendResearchReminders };
}

export type ResearchService = ReturnType<typeof researchService>;
