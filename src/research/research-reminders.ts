import type { ServiceDeps } from '../service-deps';
import { formatCalendarDate, formatDate, londonDate } from '../time';
import { enqueueMail } from '../mail/outbox';
import { invitationRecipients } from '../invitations/invitations';
import { previousWorkingDay } from '../panels/working-days';
import * as repo from './research.repository';

type Due = Awaited<ReturnType<typeof repo.openRequestsByAgency>>[number];

function reminderText(d: Due, closes: string, panelDay: string, baseUrl: string): string {
  return [
    `Your agency has ${d.open} unanswered research ${Number(d.open) === 1 ? 'request' : 'requests'} for the ASBRAC ${d.districtName} panel on ${panelDay}.`,
    `The research closing date is ${closes}.`,
    '',
    `Answer them here (sign in): ${baseUrl}/research`,
    '',
    'This message is OFFICIAL-SENSITIVE. Case details are only available to signed-in users of invited agencies.',
  ].join('\n');
}

/**
 * E-mails each agency with unanswered requests on the working day before a panel's research
 * closing date (or, if the job missed that day, up to the closing date), once per panel and agency.
 */
export async function sendResearchReminders(
  { db, links, mail }: Pick<ServiceDeps, 'db' | 'links' | 'mail'>,
  now: Date,
): Promise<number> {
  const day = londonDate(now);
  const due = await repo.openRequestsByAgency(db, day);
  let sent = 0;
  for (const d of due) {
    if (day < previousWorkingDay(d.researchClosesOn)) continue;
    sent += await db.transaction().execute(async (trx) => {
      if (!(await repo.logReminder(trx, `${d.panelId}:${d.agencyId}`, now))) return 0;
      const recipients = await invitationRecipients(trx, d.panelId, [d.agencyId]);
      const closes = formatCalendarDate(d.researchClosesOn);
      const panelDay = formatDate(d.startsAt);
      for (const r of recipients) {
        await enqueueMail(trx, {
          kind: 'research-reminder',
          to: r.email,
          subject: `ASBRAC research due ${closes}: ${d.districtName} panel, ${panelDay}`,
          text: reminderText(d, closes, panelDay, links.baseUrl),
          entityType: 'panel',
          entityId: d.panelId,
        });
      }
      return recipients.length;
    });
  }
  if (sent) mail.poke();
  return sent;
}
