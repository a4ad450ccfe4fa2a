import type { ServiceDeps } from '../service-deps';
import { formatCalendarDate, londonDate, londonWeek } from '../time';
import { enqueueMail } from '../mail/outbox';
import * as repo from './actions.repository';

function digestText(open: number, overdue: number, today: string, baseUrl: string) {
  return [
    `Your agency has ${open} open panel ${open === 1 ? 'action' : 'actions'}, ${overdue} of them overdue, as of ${formatCalendarDate(today)}.`,
    '',
    `Report back on them here: ${baseUrl}/actions`,
    ...(overdue ? [`The overdue ones: ${baseUrl}/actions?show=overdue`] : []),
  ].join('\n');
}

/**
 * The weekly digest: to each representative (and single point of contact) of an agency with open
 * actions, the counts of open and overdue actions and a link. One per person per London week,
 * whichever instance runs it, because the reminder log row is written with the e-mail.
 */
export async function sendDigests(
  { db, links, mail }: Pick<ServiceDeps, 'db' | 'links' | 'mail'>,
  now: Date,
): Promise<number> {
  const today = londonDate(now);
  const week = londonWeek(now);
  let sent = 0;
  for (const agency of await repo.openCountsByAgency(db, today)) {
    const open = Number(agency.open);
    const overdue = Number(agency.overdue ?? 0);
    for (const recipient of await repo.agencyRecipients(db, agency.ownerAgencyId)) {
      const queued = await db.transaction().execute(async (trx) => {
        if (!(await repo.claimReminder(trx, 'action-digest', `${week}:${recipient.id}`, now))) return false;
        await enqueueMail(trx, {
          kind: 'action.digest',
          to: recipient.email,
          subject: `Your agency's panel actions: ${open} open, ${overdue} overdue`,
          text: digestText(open, overdue, today, links.baseUrl),
          entityType: 'agency',
          entityId: agency.ownerAgencyId,
        });
        return true;
      });
      if (queued) sent += 1;
    }
  }
  if (sent) mail.poke();
  return sent;
}
