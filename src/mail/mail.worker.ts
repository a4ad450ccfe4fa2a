import type { Logger } from 'pino';
import type { Db } from '../db/database';
import type { Clock } from '../clock';
import type { OutboxMessage } from '../db/schema';
import type { MailTransport } from './transport';
import { claimDue, markNotSent, markSent } from './outbox.repository';

export const MAX_ATTEMPTS = 8;
const CLAIM_MS = 5 * 60 * 1000;
const BASE_DELAY_MS = 30 * 1000;
const MAX_DELAY_MS = 60 * 60 * 1000;

/** Exponential backoff with full jitter in [0.5, 1.5) of the nominal delay. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const nominal = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(nominal * (0.5 + random()));
}

/** SMTP 5xx is a permanent refusal; anything else (4xx, network) is worth trying again. */
export function isPermanent(err: unknown): boolean {
  const code = (err as { responseCode?: number })?.responseCode;
  return typeof code === 'number' && code >= 500;
}

export interface MailWorkerOptions {
  db: Db;
  clock: Clock;
  transport: MailTransport;
  from: string;
  messageIdDomain: string;
  logger?: Logger;
  batchSize?: number;
  intervalMs?: number;
  random?: () => number;
}

/**
 * Sends queued messages. Rows are claimed with FOR UPDATE SKIP LOCKED so that any number of app
 * instances can run a worker on one database and no message is sent twice. A claim expires, so a
 * message claimed by an instance that died is sent by another.
 */
export class MailWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = true;

  constructor(private readonly opts: MailWorkerOptions) {}

  messageId(id: string): string {
    return `<outbox-${id}@${this.opts.messageIdDomain}>`;
  }

  private claim(): Promise<OutboxMessage[]> {
    const now = this.opts.clock.now();
    return claimDue(this.opts.db, now, new Date(now.getTime() + CLAIM_MS), this.opts.batchSize ?? 20);
  }

  private async deliver(row: OutboxMessage): Promise<void> {
    const { db, clock, transport, from, logger } = this.opts;
    try {
      const info = await transport.send({
        outboxId: row.id,
        from,
        to: row.toAddress,
        subject: row.subject,
        text: row.textBody,
        html: row.htmlBody ?? undefined,
        messageId: this.messageId(row.id),
        attachments: row.attachments.map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          content: Buffer.from(a.contentBase64, 'base64'),
        })),
      });
      await markSent(db, row.id, clock.now(), info.response.slice(0, 500));
      logger?.info({ outboxId: row.id, kind: row.kind }, 'mail sent');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const failed = isPermanent(err) || row.attempts >= MAX_ATTEMPTS;
      const nextAttemptAt = new Date(clock.now().getTime() + retryDelayMs(row.attempts, this.opts.random));
      await markNotSent(db, row.id, failed, message.slice(0, 500), nextAttemptAt);
      logger?.warn(
        {
          outboxId: row.id,
          kind: row.kind,
          attempt: row.attempts,
          failed,
          responseCode: (err as { responseCode?: number }).responseCode,
        },
        'mail not sent',
      );
    }
  }

  /** Claims and sends one batch; returns how many messages were attempted. */
  async runOnce(): Promise<number> {
    if (this.running) return this.running;
    this.running = (async () => {
      const rows = await this.claim();
      for (const row of rows) await this.deliver(row);
      return rows.length;
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Sends until nothing is due (used by tests and the benchmark). */
  async drain(): Promise<number> {
    let total = 0;
    for (let n = await this.runOnce(); n > 0; n = await this.runOnce()) total += n;
    return total;
  }

  private ticking = false;

  /** A timer callback: the batch it starts handles its own errors, so nothing is left to await. */
  private readonly tick = (): void => {
    void this.sendDue();
  };

  private async sendDue(): Promise<void> {
    this.timer = undefined;
    this.ticking = true;
    try {
      await this.drain();
    } catch (err) {
      this.opts.logger?.error({ err: { message: (err as Error).message } }, 'mail worker error');
    } finally {
      this.ticking = false;
    }
    if (!this.stopped) this.timer = setTimeout(this.tick, this.opts.intervalMs ?? 2000);
  }

  start(): void {
    this.stopped = false;
    this.timer = setTimeout(this.tick, 0);
  }

  /** Wakes the worker now (after a request queued mail) instead of at the next interval. */
  poke(): void {
    if (this.stopped || this.ticking) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(this.tick, 0);
  }

  /** Stops taking new batches and waits for the messages already claimed. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.running) await this.running.catch(() => undefined);
  }
}
