import type { ServiceDeps } from '../service-deps';
import type { OutboxStatus } from '../db/schema';
import type { Actor } from '../http/context';
import { NotFoundError } from '../http/errors';
import { recordAudit } from '../audit/audit';
import * as repo from './mail-admin.repository';

export const OUTBOX_STATUSES: readonly OutboxStatus[] = ['queued', 'sending', 'sent', 'failed'];

/** What each kind of message is, in the administrator's words. */
const KIND_NAMES: Array<[RegExp, string]> = [
  [/^action\.assigned$/, 'An action given to an agency'],
  [/^action\.digest$/, 'Weekly list of actions'],
  [/^minutes$/, 'Minutes circulated'],
  [/^referral\.submitted$/, 'Referral received'],
  [/^referral\./, 'Screening decision on a referral'],
  [/^research-reminder$/, 'Research reminder'],
  [/^panel-/, 'Panel invitation or change'],
  [/^youth-check-/, 'Youth check'],
  [/^case-study-/, 'Case study decision'],
];

export function kindName(kind: string): string {
  const found = KIND_NAMES.find(([pattern]) => pattern.test(kind));
  if (found) return found[1];
  const words = kind.replace(/[._-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** How messages leave, in words: never the server's folder, which means nothing to an administrator. */
export function deliveryInWords(transport: string): string {
  return transport === 'SMTP'
    ? "the partnership's mail server"
    : 'nowhere yet: no mail server is set up, so messages are kept on the server and listed here';
}
const PAGE_SIZE = 50;

/** The administrators' view of the outbox: every message, its delivery, and "send again" for failures. */
export function mailAdminService({ db, clock, mail }: ServiceDeps) {
  async function list(status: OutboxStatus | undefined, page: number) {
    const [{ rows, total }, counts] = await Promise.all([
      repo.page(db, status, PAGE_SIZE, (page - 1) * PAGE_SIZE),
      repo.countsByStatus(db),
    ]);
    return {
      messages: rows.map((m) => ({ ...m, kindName: kindName(m.kind) })),
      pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
      counts: Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, counts.get(s) ?? 0])),
    };
  }

  async function message(id: string) {
    const found = await repo.find(db, id);
    if (!found) throw new NotFoundError();
    return { ...found, kindName: kindName(found.kind) };
  }

  /** Queues a failed message again; false (changing nothing) when it has not failed. Unknown ids are 404. */
  async function retry(actor: Actor, id: string): Promise<boolean> {
    const requeued = await db.transaction().execute(async (trx) => {
      const done = await repo.requeueFailed(trx, id, clock.now());
      if (done) await recordAudit(trx, actor, { action: 'mail.retry', entityType: 'outbox', entityId: id });
      return done;
    });
    if (requeued) mail.poke();
    else await message(id);
    return requeued;
  }

  return { list, message, retry };
}
