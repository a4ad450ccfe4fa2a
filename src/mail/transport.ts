import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { SendMailOptions, Transporter } from 'nodemailer';

export interface SentInfo {
  response: string;
}

/** Delivers one message; throws on failure (with `responseCode` when the SMTP server refused). */
export interface MailTransport {
  send(message: SendMailOptions & { outboxId: string }): Promise<SentInfo>;
  close(): void;
  describe(): string;
}

export function smtpTransport(url: string): MailTransport {
  // One connection kept open and reused, rather than a connection for each message: the worker sends
  // one message at a time, and close() ends it when the process stops.
  const transporter: Transporter = nodemailer.createTransport({ url, pool: true, maxConnections: 1 });
  return {
    async send(message) {
      const { outboxId: _outboxId, ...mail } = message;
      const info = await transporter.sendMail(mail);
      return { response: String(info.response ?? '') };
    },
    close: () => transporter.close(),
    describe: () => 'SMTP',
  };
}

/** Without an SMTP server, messages are written as .eml files for the administrator's Sent mail page. */
export function fileTransport(dir: string): MailTransport {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(message) {
      const { outboxId, ...mail } = message;
      const info = await transporter.sendMail(mail);
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, `${outboxId.padStart(8, '0')}.eml`);
      await writeFile(file, info.message as Buffer);
      // Shown to administrators as the delivery's outcome: in their words, without the file's name.
      return { response: 'Kept on the server for the Sent mail page: no mail server is set up' };
    },
    close: () => transporter.close(),
    describe: () => `files in ${dir}`,
  };
}
