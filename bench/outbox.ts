import nodemailer from 'nodemailer';
import pg from 'pg';
import { kyselyOver } from '../src/db/database';
import { stampedBy } from '../src/db/clock-timestamps';
import { migrateToLatest } from '../src/db/migrate';
import { enqueueMail } from '../src/mail/outbox';
import { MailWorker } from '../src/mail/mail.worker';
import { smtpTransport } from '../src/mail/transport';
import { systemClock } from '../src/clock';
import { startSmtpServer } from '../test/support/smtp';

export interface OutboxResult {
  outboxPerSecond: number;
  directPerSecond: number;
}

/**
 * The worker draining 1,000 queued messages against Nodemailer sending the same ones directly. Both
 * first send 100 untimed, so that neither is measured while its code is still being compiled, then
 * 1,000 each in rounds.
 */
export async function benchOutbox(dbUrl: string): Promise<OutboxResult> {
  const smtp = await startSmtpServer();
  const pool = new pg.Pool({ connectionString: dbUrl, max: 4 });
  // The database is dropped as soon as this returns, ending any connection the pool still holds.
  pool.on('error', () => undefined);
  const db = stampedBy(kyselyOver(pool), systemClock);
  try {
    await migrateToLatest(db);
    const message = (i: number) => ({
      kind: 'bench',
      to: `person${i}@example.org`,
      subject: `Benchmark ${i}`,
      text: `Message ${i}`,
    });
    // Both sides keep their SMTP connections open between messages (nodemailer's pool).
    const pooled = `${smtp.url}?pool=true&maxConnections=1`;
    const worker = new MailWorker({
      db,
      clock: systemClock,
      transport: smtpTransport(pooled),
      from: 'bench@example.org',
      messageIdDomain: 'bench',
      batchSize: 50,
    });
    const direct = nodemailer.createTransport(pooled);
    const throughOutbox = async (count: number) => {
      for (let i = 0; i < count; i++) await enqueueMail(db, message(i));
      const t = performance.now();
      if ((await worker.drain()) !== count) throw new Error(`the outbox did not send ${count} messages`);
      return performance.now() - t;
    };
    const directly = async (count: number) => {
      const t = performance.now();
      for (let i = 0; i < count; i++) {
        const m = message(i);
        await direct.sendMail({ from: 'bench@example.org', to: m.to, subject: m.subject, text: m.text });
      }
      return performance.now() - t;
    };
    await throughOutbox(100);
    await directly(100);
    // In rounds of 200 that take turns going first, so that neither gains from coming second.
    let outboxMs = 0;
    let directMs = 0;
    for (let round = 0; round < 5; round++) {
      if (round % 2) directMs += await directly(200);
      outboxMs += await throughOutbox(200);
      if (!(round % 2)) directMs += await directly(200);
    }
    direct.close();
    console.log(`  outbox ${outboxMs.toFixed(0)} ms, directly ${directMs.toFixed(0)} ms`);
    return { outboxPerSecond: 1000 / (outboxMs / 1000), directPerSecond: 1000 / (directMs / 1000) };
  } finally {
    await db.destroy();
    await smtp.close();
  }
}
