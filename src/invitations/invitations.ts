import { formatCalendarDate, formatDate, formatDateTime, formatTime } from '../time';
import { createHash, randomBytes } from 'node:crypto';
import { createEvent } from 'ics';
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import type { AttendanceAnswer } from '../db/schema';
import { enqueueMail, isSingleAddress } from '../mail/outbox';
import * as repo from './invitations.repository';

/** Only a token's hash is stored: the token itself exists only in the e-mail that carries it. */
export function hashToken(raw: string): string {
  return createHash('sha256').update(raw).digest('hex');
}

export type AttendanceLinks = Record<AttendanceAnswer, string>;

const ANSWERS: AttendanceAnswer[] = ['attending', 'deputy', 'apologies'];

/**
 * One random, single-purpose token per answer: each records only that answer, for that agency and
 * panel, until the panel ends. A token never signs anyone in.
 */
export async function createAttendanceTokens(
  trx: Db,
  opts: { panelId: number; agencyId: number; expiresAt: Date },
): Promise<AttendanceLinks> {
  const tokens = Object.fromEntries(ANSWERS.map((a) => [a, randomBytes(32).toString('base64url')])) as AttendanceLinks;
  await repo.insertAttendanceTokens(
    trx,
    ANSWERS.map((answer) => ({
      panelId: opts.panelId,
      agencyId: opts.agencyId,
      answer,
      tokenHash: hashToken(tokens[answer]),
      expiresAt: opts.expiresAt,
    })),
  );
  return tokens;
}

/** Where a one-click link goes in a queued message: its token is made only when the message is sent. */
const RESERVED_LINK = /\{\{attend:([A-Za-z0-9_-]{22})\}\}/g;

/**
 * Reserves one token row per answer, as `createAttendanceTokens` makes them, but with no usable
 * token yet: each gets an unguessable hash and a nonce, and the message queued carries only
 * `{{attend:nonce}}`. The outbox therefore never holds a live link (nor does `/admin/mail/:id`);
 * `renderAttendanceLinks` makes the tokens as the message is sent.
 */
async function reserveAttendanceLinks(
  trx: Db,
  opts: { panelId: number; agencyId: number; expiresAt: Date },
): Promise<AttendanceLinks> {
  const nonces = Object.fromEntries(ANSWERS.map((a) => [a, randomBytes(16).toString('base64url')])) as AttendanceLinks;
  await repo.insertAttendanceTokens(
    trx,
    ANSWERS.map((answer) => ({
      ...opts,
      answer,
      tokenHash: hashToken(randomBytes(32).toString('base64url')),
      linkNonce: nonces[answer],
    })),
  );
  return Object.fromEntries(ANSWERS.map((a) => [a, `{{attend:${nonces[a]}}}`])) as AttendanceLinks;
}

/**
 * The text of a message as it is sent: each reserved one-click link gets a fresh token, whose hash
 * replaces the one stored (so only the link last sent works). Called by the mail worker for every
 * message; the text with live links is handed to the transport and never stored.
 */
export async function renderAttendanceLinks(db: Db, text: string): Promise<string> {
  const nonces = [...new Set([...text.matchAll(RESERVED_LINK)].map((m) => m[1]))];
  let rendered = text;
  for (const nonce of nonces) {
    const token = randomBytes(32).toString('base64url');
    const issued = await repo.issueReservedToken(db, nonce, hashToken(token));
    rendered = rendered.replaceAll(`{{attend:${nonce}}}`, issued ? token : 'link-no-longer-valid');
  }
  return rendered;
}

export interface PanelForCalendar {
  id: number;
  startsAt: Date;
  endsAt: Date;
  venue: string | null;
  onlineLink: string | null;
  districtName: string;
  icsSequence: number;
}

export type CalendarMethod = 'REQUEST' | 'CANCEL';

/** The stable identity of a panel's calendar event: updates and cancellations replace it in calendars. */
export function panelUid(panelId: number, host: string): string {
  return `asbrac-panel-${panelId}@${host}`;
}

/** An iCalendar invitation for a panel (RFC 5545/5546). No personal data: district, time, place, a link. */
export function panelCalendar(
  panel: PanelForCalendar,
  method: CalendarMethod,
  /** The attendee is the recipient, named as their calendar shows them. */
  opts: { baseUrl: string; organizerEmail: string; attendeeEmail: string; attendeeName: string },
): string {
  const host = new URL(opts.baseUrl).hostname;
  const location = [panel.venue, panel.onlineLink].filter(Boolean).join(' / ') || undefined;
  const { error, value } = createEvent({
    productId: 'asbrac-manager',
    method,
    uid: panelUid(panel.id, host),
    sequence: panel.icsSequence,
    start: panel.startsAt.getTime(),
    startInputType: 'utc',
    startOutputType: 'utc',
    end: panel.endsAt.getTime(),
    endInputType: 'utc',
    endOutputType: 'utc',
    title: `ASBRAC panel: ${panel.districtName}`,
    description: `ASB Risk Assessment Conference for ${panel.districtName}. Agenda (sign in): ${opts.baseUrl}/panels/${panel.id}/agenda`,
    location,
    url: `${opts.baseUrl}/panels/${panel.id}`,
    status: method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED',
    classification: 'CONFIDENTIAL',
    organizer: { name: 'ASBRAC Manager', email: opts.organizerEmail },
    attendees: [
      {
        name: opts.attendeeName,
        email: opts.attendeeEmail,
        rsvp: false,
        role: 'REQ-PARTICIPANT',
        partstat: 'NEEDS-ACTION',
      },
    ],
  });
  if (error || !value) throw error ?? new Error('could not build the calendar invitation');
  return value;
}

export interface InvitationRecipient {
  agencyId: number;
  agencyName: string;
  userId: number;
  email: string;
  name: string;
}

/**
 * Who is invited for each invited agency: its active representatives and deputies, and its single
 * point of contact (who is one of its users). Administrators and chairs are not agency invitees.
 */
export function invitationRecipients(trx: Db, panelId: number, agencyIds?: number[]): Promise<InvitationRecipient[]> {
  return repo.invitationRecipients(trx, panelId, agencyIds);
}

export type InvitationReason = 'scheduled' | 'agenda-published' | 'changed' | 'cancelled' | 'reminder';

const SUBJECT_SUFFIX: Record<InvitationReason, string> = {
  scheduled: 'invitation',
  'agenda-published': 'invitation and agenda',
  changed: 'updated',
  cancelled: 'cancelled',
  reminder: 'reminder',
};

const OPENING: Record<InvitationReason, string> = {
  scheduled: 'Your agency is invited to the ASB Risk Assessment Conference below.',
  'agenda-published':
    "The agenda for the ASB Risk Assessment Conference below is published. Please check each case against your agency's records before the research closing date.",
  changed:
    'The ASB Risk Assessment Conference below has changed. The attached invitation replaces the earlier one in your calendar.',
  cancelled:
    'The ASB Risk Assessment Conference below is cancelled. The attached notice removes it from your calendar.',
  reminder: 'Your agency has not yet said who will attend the ASB Risk Assessment Conference below.',
};

function organizerFrom(mailFrom: string | undefined, baseUrl: string): string {
  const match = /<([^>]+)>/.exec(mailFrom ?? '')?.[1] ?? mailFrom;
  return match && isSingleAddress(match) ? match : `asbrac@${new URL(baseUrl).hostname}`;
}

/**
 * Queues the invitation (or update, or cancellation) of a panel to every invited person, each with
 * the panel's iCalendar event and, unless cancelled, one-click attendance links for their agency.
 * Call it in the transaction that changed the panel, after raising `ics_sequence` when the date,
 * time, place or status changed. Returns the number of messages queued.
 */
export async function queueInvitations(
  trx: Db,
  opts: {
    panelId: number;
    method: CalendarMethod;
    reason: InvitationReason;
    baseUrl: string;
    clock: Clock;
    agencyIds?: number[];
    mailFrom?: string;
  },
): Promise<number> {
  const panel = await repo.panelForInvitation(trx, opts.panelId);
  const recipients = await invitationRecipients(trx, opts.panelId, opts.agencyIds);
  const organizerEmail = organizerFrom(opts.mailFrom, opts.baseUrl);
  const when = `${formatDateTime(panel.startsAt)} to ${formatTime(panel.endsAt)} (UK time)`;
  const closes = formatCalendarDate(panel.researchClosesOn);
  const day = formatDate(panel.startsAt);
  const cancelled = opts.method === 'CANCEL';
  for (const r of recipients) {
    const lines = [
      OPENING[opts.reason],
      '',
      `Panel: ASBRAC ${panel.districtName}`,
      `When: ${when}`,
      ...(panel.venue ? [`Where: ${panel.venue}`] : []),
      ...(panel.onlineLink ? [`Online: ${panel.onlineLink}`] : []),
      `Invited agency: ${r.agencyName}`,
      '',
    ];
    if (!cancelled) {
      const tokens = await reserveAttendanceLinks(trx, {
        panelId: panel.id,
        agencyId: r.agencyId,
        expiresAt: panel.endsAt,
      });
      lines.push(
        'Tell us who will attend from your agency (one click; no sign-in needed):',
        `- We will attend: ${opts.baseUrl}/attend/${tokens.attending}`,
        `- We will send a deputy: ${opts.baseUrl}/attend/${tokens.deputy}`,
        `- We send apologies: ${opts.baseUrl}/attend/${tokens.apologies}`,
        '',
        `Agenda (sign in to see case details): ${opts.baseUrl}/panels/${panel.id}/agenda`,
        `Your agency's research requests (sign in): ${opts.baseUrl}/research (closing date ${closes})`,
        '',
      );
    }
    lines.push(
      'This message is OFFICIAL-SENSITIVE. Case details are only available to signed-in users of invited agencies.',
    );
    const ics = panelCalendar(panel, opts.method, {
      baseUrl: opts.baseUrl,
      organizerEmail,
      attendeeEmail: r.email,
      attendeeName: `${r.name}, ${r.agencyName}`,
    });
    await enqueueMail(trx, {
      kind: `panel-${opts.reason}`,
      to: r.email,
      subject: `ASBRAC panel ${SUBJECT_SUFFIX[opts.reason]}: ${panel.districtName}, ${day}`,
      text: lines.join('\n'),
      attachments: [
        {
          filename: cancelled ? 'cancel.ics' : 'invite.ics',
          contentType: `text/calendar; charset=utf-8; method=${opts.method}`,
          contentBase64: Buffer.from(ics).toString('base64'),
        },
      ],
      entityType: 'panel',
      entityId: panel.id,
    });
  }
  return recipients.length;
}
