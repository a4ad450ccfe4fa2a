import type { Db } from '../db/database';
import type { OutboxAttachment } from '../db/schema';
import { insertMessage } from './outbox.repository';

export const MARKING = 'OFFICIAL-SENSITIVE';

export interface OutgoingMessage {
  kind: string;
  to: string;
  /** Without the marking: it is added here, so every subject starts with it. No personal data. */
  subject: string;
  text: string;
  html?: string;
  attachments?: OutboxAttachment[];
  entityType?: string;
  entityId?: string | number;
}

const SINGLE_ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

export class InvalidRecipientError extends Error {}

/** One address, no display name, no line breaks, no lists: nothing that can add a header or recipient. */
export function isSingleAddress(address: string): boolean {
  return address.length <= 254 && SINGLE_ADDRESS.test(address);
}

export function markedSubject(subject: string): string {
  const oneLine = subject.replace(/[\r\n]+/g, ' ').trim();
  return oneLine.startsWith(MARKING) ? oneLine : `${MARKING}: ${oneLine}`;
}

/**
 * Queues a message. Call it with the transaction of the change that causes the message, so the
 * message exists exactly when the change does; the mail worker sends it.
 */
export async function enqueueMail(db: Db, message: OutgoingMessage): Promise<string> {
  if (!isSingleAddress(message.to)) throw new InvalidRecipientError('The recipient must be a single email address');
  return insertMessage(db, {
    kind: message.kind,
    toAddress: message.to,
    subject: markedSubject(message.subject),
    textBody: message.text,
    htmlBody: message.html ?? null,
    attachments: JSON.stringify(message.attachments ?? []),
    entityType: message.entityType ?? null,
    entityId: message.entityId === undefined ? null : String(message.entityId),
  });
}
