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

/** The worker draining 1,000 queued messages against Nodemailer sending the same ones directly. */
export async function benchOutbox(dbUrl: string): Promise<OutboxResult> {
  const smtp = await startSmtpServer();
  const db = stampedBy(kyselyOver(new pg.Pool({ connectionString: dbUrl, max: 4 })), systemClock);
  try {
    await migrateToLatest(db);
    const message = (i: number) => ({
      kind: 'bench',
      to: `person${i}@example.org`,
      subject: `Benchmark ${i}`,
      text: `Message ${i}`,
    });
    for (let i = 0; i < 1000; i++) await enqueueMail(db, message(i));
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
    let t = performance.now();
    await worker.drain();
    const outboxMs = performance.now() - t;
    const direct = nodemailer.createTransport(pooled);
    t = performance.now();
    for (let i = 0; i < 1000; i++) {
      const m = message(i);
      await direct.sendMail({ from: 'bench@example.org', to: m.to, subject: m.subject, text: m.text });
    }
    const directMs = performance.now() - t;
    direct.close();
    console.log(`  outbox ${outboxMs.toFixed(0)} ms, directly ${directMs.toFixed(0)} ms`);
    return { outboxPerSecond: 1000 / (outboxMs / 1000), directPerSecond: 1000 / (directMs / 1000) };
  } finally {
    await db.destroy();
    await smtp.close();
  }
}
