import type { Logger } from 'pino';
import type { Db } from '../db/database';
import type { Clock } from '../clock';
import type { OutboxMessage } from '../db/schema';
import type { MailTransport } from './transport';
import { claimDue, markNotSent, markSent, releaseClaim, renewLease, type SentMessage } from './outbox.repository';

export const MAX_ATTEMPTS = 8;
/**
 * A claim is a short lease that the worker renews while it sends, so that the messages of a worker
 * that died (kill -9, a lost machine) are sent by another within about this long.
 */
export const LEASE_MS = 30 * 1000;
const RENEW_EVERY_MS = LEASE_MS / 3;
/** Messages accepted by the SMTP server are marked sent together, this many at a time… */
export const WRITE_AFTER_SENT = 10;
/** …or this long after the first of them was accepted, whichever comes first. */
export const WRITE_WITHIN_MS = 200;
const BASE_DELAY_MS = 30 * 1000;
const DEFAULT_BATCH_SIZE = 20;
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
  /** Completes a queued text as it is sent (one-click links are made then); the result is never stored. */
  renderText?: (text: string) => Promise<string>;
  from: string;
  messageIdDomain: string;
  logger?: Logger;
  batchSize?: number;
  intervalMs?: number;
  random?: () => number;
}

/** The messages of one claimed batch not yet attempted, and the lease they are held under. */
interface Claim {
  pending: Map<string, OutboxMessage>;
  /** The message being sent now: its lease is renewed too, however long the SMTP server takes. */
  current?: string;
  heldUntil: Date;
}

/**
 * Sends queued messages. Rows are claimed with FOR UPDATE SKIP LOCKED so that any number of app
 * instances can run a worker on one database and no message is sent twice. A claim is a lease of
 * LEASE_MS renewed while the batch is sent, so a message claimed by an instance that died is sent by
 * another soon after; a clean stop gives the messages it has not attempted back to the queue.
 */
export class MailWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = true;
  /** Set by stop(): no batch is claimed after it, and the one in hand stops after its current message. */
  private closing = false;

  constructor(private readonly opts: MailWorkerOptions) {}

  messageId(id: string): string {
    return `<outbox-${id}@${this.opts.messageIdDomain}>`;
  }

  private async claim(): Promise<Claim> {
    const now = this.opts.clock.now();
    const heldUntil = new Date(now.getTime() + LEASE_MS);
    const rows = await claimDue(this.opts.db, now, heldUntil, this.opts.batchSize ?? DEFAULT_BATCH_SIZE);
    // UPDATE … RETURNING gives no order: send the longest-waiting first.
    rows.sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || Number(a.id) - Number(b.id));
    return { pending: new Map(rows.map((r) => [r.id, r])), heldUntil };
  }

  /**
   * A claim made before it is needed. Its failure (the database gone) is handled where it is awaited,
   * by the next batch or by giveBack; until then it must not count as a rejection nobody handles, which
   * would end the process.
   */
  private claimAhead(): Promise<Claim> {
    const claimed = this.claim();
    claimed.catch(() => undefined);
    return claimed;
  }

  /** Renews the lease on what the batch still holds; a row no longer held under it is not sent. */
  private async renew(claim: Claim): Promise<void> {
    const ids = [...claim.pending.keys(), ...(claim.current ? [claim.current] : [])];
    if (!ids.length) return;
    const heldUntil = new Date(this.opts.clock.now().getTime() + LEASE_MS);
    const held = new Set(await renewLease(this.opts.db, ids, claim.heldUntil, heldUntil));
    for (const id of claim.pending.keys()) if (!held.has(id)) claim.pending.delete(id);
    claim.heldUntil = heldUntil;
  }

  /**
   * Sends a claimed batch one message at a time, renewing its lease; on stop, releases the rest. With
   * `claimNext`, a full batch claims the next one while its last message is sent, so that the claim's
   * round trip overlaps with the SMTP server's instead of coming after it.
   */
  private async sendBatch(claim: Claim, claimNext?: (next: Promise<Claim>) => void): Promise<number> {
    const full = claim.pending.size >= (this.opts.batchSize ?? DEFAULT_BATCH_SIZE);
    let renewal = Promise.resolve();
    const renewer = setInterval(() => {
      renewal = renewal
        .then(() => this.renew(claim))
        .catch((err: unknown) => this.opts.logger?.warn({ err }, 'mail lease not renewed'));
    }, RENEW_EVERY_MS);
    let attempted = 0;
    // Messages accepted by the SMTP server are marked sent in one statement for every
    // WRITE_AFTER_SENT of them, and within WRITE_WITHIN_MS of the first: the database's commits
    // overlap with the SMTP round trips instead of adding up. A write that fails (the database gone)
    // ends the batch.
    const sent: (SentMessage & { kind: string })[] = [];
    let writing: Promise<void> | undefined;
    let writeFailed: { err: unknown } | undefined;
    /** The waiting messages are to be written as soon as the write in hand has finished. */
    let due = false;
    let timer: NodeJS.Timeout | undefined;
    const writeSent = () => {
      if (writeFailed || !sent.length) return;
      if (!due && sent.length < WRITE_AFTER_SENT) {
        timer ??= setTimeout(() => {
          timer = undefined;
          due = true;
          writeSent();
        }, WRITE_WITHIN_MS);
        return;
      }
      due = true;
      if (writing) return;
      clearTimeout(timer);
      timer = undefined;
      due = false;
      const rows = sent.splice(0);
      writing = markSent(this.opts.db, rows)
        .then(
          () => rows.forEach((m) => this.opts.logger?.info({ outboxId: m.id, kind: m.kind }, 'mail sent')),
          (err: unknown) => {
            writeFailed = { err };
          },
        )
        .finally(() => {
          writing = undefined;
          writeSent();
        });
    };
    const allWritten = async () => {
      due = true;
      writeSent();
      while (writing) await writing;
      if (writeFailed) throw writeFailed.err;
    };
    try {
      for (const [id, row] of claim.pending) {
        if (this.closing || writeFailed) break;
        await renewal;
        if (!claim.pending.has(id)) continue;
        claim.pending.delete(id);
        claim.current = id;
        attempted++;
        if (claimNext && full && !claim.pending.size) claimNext(this.claimAhead());
        const outcome = await this.send(row);
        if ('response' in outcome) {
          sent.push({ id: row.id, kind: row.kind, sentAt: this.opts.clock.now(), serverResponse: outcome.response });
          writeSent();
        } else await this.recordNotSent(row, outcome.error);
        claim.current = undefined;
      }
      await allWritten();
    } finally {
      clearInterval(renewer);
      await allWritten().catch(() => undefined);
      clearTimeout(timer);
      await renewal;
    }
    const released = await releaseClaim(this.opts.db, [...claim.pending.keys()], claim.heldUntil);
    if (released) this.opts.logger?.info({ released }, 'mail worker stopping: messages not attempted queued again');
    return attempted + released;
  }

  /** Sends one message: the SMTP server's answer, or why it was not sent. */
  private async send(row: OutboxMessage): Promise<{ response: string } | { error: unknown }> {
    const { transport, from } = this.opts;
    try {
      const info = await transport.send({
        outboxId: row.id,
        from,
        to: row.toAddress,
        subject: row.subject,
        text: this.opts.renderText ? await this.opts.renderText(row.textBody) : row.textBody,
        html: row.htmlBody ?? undefined,
        messageId: this.messageId(row.id),
        attachments: row.attachments.map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          content: Buffer.from(a.contentBase64, 'base64'),
        })),
      });
      return { response: info.response.slice(0, 500) };
    } catch (error) {
      return { error };
    }
  }

  /** A message not sent: queued again with a delay, or failed for good. */
  private async recordNotSent(row: OutboxMessage, err: unknown): Promise<void> {
    const { db, clock, logger } = this.opts;
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

  /** Claims and sends one batch; returns how many messages were attempted. */
  async runOnce(): Promise<number> {
    return this.runBatch();
  }

  /** One batch: the claim made while the last batch ended (when draining), else a new one. */
  private runBatch(claimed?: Promise<Claim>, claimNext?: (next: Promise<Claim>) => void): Promise<number> {
    if (this.running) return this.running;
    if (this.closing) return Promise.resolve(0);
    this.running = (async () => this.sendBatch(await (claimed ?? this.claim()), claimNext))().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Sends until nothing is due (used by tests and the benchmark). */
  async drain(): Promise<number> {
    if (this.draining) return this.draining;
    this.draining = this.drainBatches().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private draining: Promise<number> | undefined;

  private async drainBatches(): Promise<number> {
    let next: Promise<Claim> | undefined;
    const claimNext = (claim: Promise<Claim>) => {
      next = claim;
    };
    let total = 0;
    try {
      for (;;) {
        const claimed = next;
        next = undefined;
        const n = await this.runBatch(claimed, claimNext);
        total += n;
        if (n === 0 || this.closing) break;
      }
    } finally {
      // A claim made for a batch that will not be sent (stopping, or a failed write) goes back to the queue.
      if (next) await this.giveBack(next);
    }
    return total;
  }

  private async giveBack(claimed: Promise<Claim>): Promise<void> {
    try {
      const claim = await claimed;
      await releaseClaim(this.opts.db, [...claim.pending.keys()], claim.heldUntil);
    } catch (err) {
      // Its lease runs out: another worker, or this one later, sends them.
      this.opts.logger?.warn({ err: { message: (err as Error).message } }, 'claimed mail not given back');
    }
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
    this.closing = false;
    this.timer = setTimeout(this.tick, 0);
  }

  /** Wakes the worker now (after a request queued mail) instead of at the next interval. */
  poke(): void {
    if (this.stopped || this.ticking) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(this.tick, 0);
  }

  /**
   * Stops claiming, lets the message being sent finish, and gives the rest of the batch back to the
   * queue: no row is left `sending` by a clean stop.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.closing = true;
    clearTimeout(this.timer);
    if (this.running) await this.running.catch(() => undefined);
    if (this.draining) await this.draining.catch(() => undefined);
  }
}
