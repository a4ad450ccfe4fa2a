import type { ServiceDeps } from '../service-deps';
import type { Db } from '../db/database';
import type { Actor } from '../http/context';
import { NotFoundError } from '../http/errors';
import { recordAudit } from '../audit/audit';
import { queueInvitations } from '../invitations/invitations';
import { missingForQuorum, reminderDue } from './quorum';
import * as repo from './attendance.repository';

type Deps = Pick<ServiceDeps, 'db' | 'clock' | 'links' | 'mail'>;

const SYSTEM: Actor = { userId: null, agencyId: null, ip: null, requestId: null };

/**
 * Reminders are the invitation again, with fresh one-click links, to the named agencies only:
 * the message holds the district, the date and links, nothing personal.
 */
async function queueReminders(
  { clock, links, mail }: Deps,
  trx: Db,
  panelId: number,
  agencyIds: number[],
): Promise<number> {
  if (agencyIds.length === 0) return 0;
  return queueInvitations(trx, {
    panelId,
    method: 'REQUEST',
    reason: 'reminder',
    baseUrl: links.baseUrl,
    clock,
    agencyIds,
    mailFrom: mail.from,
  });
}

/**
 * Sends a reminder now to the named agency, or to every required agency that has not confirmed.
 * `rows` are the panel's invited agencies, read by the caller after checking the panel can be answered.
 */
export async function remindNow(
  deps: Deps,
  actor: Actor,
  panelId: number,
  agencyId: number | null,
  rows: Parameters<typeof missingForQuorum>[0],
) {
  const targets =
    agencyId === null
      ? missingForQuorum(rows).map((r) => r.agencyId)
      : rows.filter((r) => r.agencyId === agencyId).map((r) => r.agencyId);
  if (agencyId !== null && targets.length === 0) throw new NotFoundError();
  const queued = await deps.db.transaction().execute(async (trx) => {
    const at = deps.clock.now();
    for (const id of targets)
      await repo.logReminder(trx, 'attendance-reminder-manual', `${panelId}:${id}:${at.toISOString()}`, at);
    const n = await queueReminders(deps, trx, panelId, targets);
    await recordAudit(trx, actor, {
      action: 'attendance.remind',
      entityType: 'panel',
      entityId: panelId,
      details: { agencyIds: targets, messages: n },
    });
    return n;
  });
  if (queued > 0) deps.mail.poke();
  return { agencies: targets.length, messages: queued };
}

/**
 * The daily job: three working days before each panel, one reminder to each invited agency that
 * has not answered. reminder_log makes it once only, whichever instance runs it and however often.
 */
export async function sendDueReminders(deps: Deps, now: Date): Promise<number> {
  const panels = await repo.panelsStartingWithinTenDays(deps.db, now);
  let messages = 0;
  for (const panel of panels.filter((p) => reminderDue(p.startsAt, now))) {
    messages += await deps.db.transaction().execute(async (trx) => {
      const fresh: number[] = [];
      for (const agencyId of await repo.unansweredAgencyIds(trx, panel.id)) {
        if (await repo.logReminder(trx, 'attendance-reminder', `${panel.id}:${agencyId}`, now)) fresh.push(agencyId);
      }
      const n = await queueReminders(deps, trx, panel.id, fresh);
      if (fresh.length) {
        await recordAudit(trx, SYSTEM, {
          action: 'attendance.remind',
          entityType: 'panel',
          entityId: panel.id,
          details: { agencyIds: fresh, messages: n, automatic: true },
        });
      }
      return n;
    });
  }
  if (messages > 0) deps.mail.poke();
  return messages;
}
