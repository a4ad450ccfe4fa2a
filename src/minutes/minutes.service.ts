import type { ServiceDeps } from '../service-deps';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { Actor, CurrentUser } from '../http/context';
import { recordAudit } from '../audit/audit';
import { enqueueMail } from '../mail/outbox';
import { HttpError, NotFoundError, StaleVersionError } from '../http/errors';
import { assembleMinutes, defaultRecipients, eligibleRecipients, type DraftText, type MinutesContent, type Recipient } from './minutes-content';

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The statuses from which minutes exist: a concluded panel has a draft, the later ones approved versions. */
const DRAFTABLE = ['concluded', 'minutes-approved', 'minutes-circulated'] as const;

export class MinutesConflictError extends StaleVersionError {
  constructor(readonly theirs: DraftText & { version: number }) {
    super();
  }
}

export interface VersionSummary {
  id: number;
  version: number;
  approvedAt: Date;
  approvedBy: string | null;
  correctionReason: string | null;
  pdfSha256: string | null;
}

export function minutesTitle(content: MinutesContent): string {
  return `Minutes of the ASBRAC panel, ${content.panel.district}, ${content.panel.dateText}`;
}

export function minutesService({ db, clock, documents, mail }: ServiceDeps) {
  const afterMail = () => mail.poke();
  async function draftText(panelId: number) {
    const row = await db.selectFrom('minutesDrafts').selectAll().where('panelId', '=', panelId).executeTakeFirst();
    return {
      introduction: row?.introduction ?? null,
      otherBusiness: row?.otherBusiness ?? null,
      itemSummaries: row?.itemSummaries ?? {},
      version: row?.version ?? 0,
    };
  }

  function renderPdf(content: MinutesContent, recipientAgency?: string): Promise<Buffer> {
    return documents.renderDocument('minutes', { title: minutesTitle(content), date: content.panel.date, minutes: content }, { recipientAgency });
  }

  async function versions(panelId: number): Promise<VersionSummary[]> {
    return db
      .selectFrom('minutesVersions')
      .leftJoin('users', 'users.id', 'minutesVersions.approvedBy')
      .select(['minutesVersions.id', 'minutesVersions.version', 'minutesVersions.approvedAt', 'users.name as approvedBy', 'minutesVersions.correctionReason', 'minutesVersions.pdfSha256'])
      .where('minutesVersions.panelId', '=', panelId)
      .orderBy('minutesVersions.version', 'desc')
      .execute();
  }

  async function version(panelId: number, number: number) {
    const row = await db.selectFrom('minutesVersions').selectAll().where('panelId', '=', panelId).where('version', '=', number).executeTakeFirst();
    if (!row) throw new NotFoundError();
    return { ...row, content: row.content as MinutesContent };
  }

  async function latestVersion(panelId: number) {
    const row = await db.selectFrom('minutesVersions').select('version').where('panelId', '=', panelId).orderBy('version', 'desc').executeTakeFirst();
    return row ? version(panelId, row.version) : undefined;
  }

  /** The stored PDF of a version; a seeded version without one is printed and stored on its first request. */
  async function versionPdf(panelId: number, number: number): Promise<{ pdf: Buffer; sha256: string }> {
    const row = await version(panelId, number);
    if (row.pdf && row.pdfSha256) return { pdf: Buffer.from(row.pdf), sha256: row.pdfSha256 };
    const pdf = await renderPdf(row.content);
    const digest = sha256(pdf);
    // Another request may have stored it first: theirs wins, so one version always has one set of bytes.
    await db.updateTable('minutesVersions').set({ pdf, pdfSha256: digest }).where('id', '=', row.id).where('pdf', 'is', null).execute();
    const stored = await version(panelId, number);
    return { pdf: Buffer.from(stored.pdf!), sha256: stored.pdfSha256! };
  }

  /** A copy's bytes, printed and stored on first use when it was made without them (seeded copies). */
  async function printedCopy(copyId: number): Promise<{ id: number; pdf: Buffer; sha256: string }> {
    const row = await db
      .selectFrom('minutesCopies')
      .innerJoin('minutesVersions', 'minutesVersions.id', 'minutesCopies.minutesVersionId')
      .innerJoin('agencies', 'agencies.id', 'minutesCopies.agencyId')
      .select(['minutesCopies.id', 'minutesCopies.pdf', 'minutesCopies.pdfSha256', 'minutesVersions.content', 'agencies.name as agencyName'])
      .where('minutesCopies.id', '=', copyId)
      .executeTakeFirstOrThrow();
    if (row.pdf && row.pdfSha256) return { id: row.id, pdf: Buffer.from(row.pdf), sha256: row.pdfSha256 };
    const pdf = await renderPdf(row.content as MinutesContent, row.agencyName);
    const digest = sha256(pdf);
    // Another request may have printed it first: theirs is kept, so a copy only ever has one set of bytes.
    await db.updateTable('minutesCopies').set({ pdf, pdfSha256: digest }).where('id', '=', copyId).where('pdf', 'is', null).execute();
    const stored = await db.selectFrom('minutesCopies').select(['pdf', 'pdfSha256']).where('id', '=', copyId).executeTakeFirstOrThrow();
    await db.updateTable('minutesDeliveries').set({ pdfSha256: stored.pdfSha256 }).where('copyId', '=', copyId).where('pdfSha256', 'is', null).execute();
    return { id: copyId, pdf: Buffer.from(stored.pdf!), sha256: stored.pdfSha256! };
  }

  /** The copy made for one agency, printed once and then always served from storage. */
  async function agencyCopy(versionId: number, content: MinutesContent, agencyId: number, agencyName: string) {
    const existing = await db.selectFrom('minutesCopies').select('id').where('minutesVersionId', '=', versionId).where('agencyId', '=', agencyId).executeTakeFirst();
    if (existing) return printedCopy(existing.id);
    const pdf = await renderPdf(content, agencyName);
    await db
      .insertInto('minutesCopies')
      .values({ minutesVersionId: versionId, agencyId, pdf, pdfSha256: sha256(pdf) })
      .onConflict((oc) => oc.columns(['minutesVersionId', 'agencyId']).doNothing())
      .execute();
    const row = await db.selectFrom('minutesCopies').select('id').where('minutesVersionId', '=', versionId).where('agencyId', '=', agencyId).executeTakeFirstOrThrow();
    return printedCopy(row.id);
  }

  return {
    draftText,
    versions,
    version,
    latestVersion,
    versionPdf,
    renderPdf,
    agencyCopyPdf: agencyCopy,
    defaultRecipients: (panelId: number) => defaultRecipients(db, panelId),
    eligibleRecipients: (panelId: number) => eligibleRecipients(db, panelId),

    async draft(panelId: number) {
      const text = await draftText(panelId);
      return { text, content: await assembleMinutes(db, panelId, text) };
    },

    async copy(panelId: number, copyId: number) {
      const row = await db
        .selectFrom('minutesCopies')
        .innerJoin('minutesVersions', 'minutesVersions.id', 'minutesCopies.minutesVersionId')
        .select(['minutesVersions.version', 'minutesCopies.agencyId'])
        .where('minutesCopies.id', '=', copyId)
        .where('minutesVersions.panelId', '=', panelId)
        .executeTakeFirst();
      if (!row) throw new NotFoundError();
      const printed = await printedCopy(copyId);
      return { ...row, pdf: printed.pdf, pdfSha256: printed.sha256 };
    },

    async saveDraft(panelId: number, user: CurrentUser, actor: Actor, expectedVersion: number, text: DraftText) {
      await db.transaction().execute(async (trx) => {
        const panel = await trx.selectFrom('panels').select('status').where('id', '=', panelId).forUpdate().executeTakeFirstOrThrow();
        if (!(DRAFTABLE as readonly string[]).includes(panel.status)) throw new HttpError(409, 'Minutes can be drafted only once the panel has concluded');
        const current = await trx.selectFrom('minutesDrafts').selectAll().where('panelId', '=', panelId).executeTakeFirst();
        const currentVersion = current?.version ?? 0;
        if (currentVersion !== expectedVersion) {
          throw new MinutesConflictError({ introduction: current?.introduction ?? null, otherBusiness: current?.otherBusiness ?? null, itemSummaries: current?.itemSummaries ?? {}, version: currentVersion });
        }
        const values = { introduction: text.introduction, otherBusiness: text.otherBusiness, itemSummaries: JSON.stringify(text.itemSummaries), updatedBy: user.id, updatedAt: clock.now() };
        if (current) await trx.updateTable('minutesDrafts').set({ ...values, version: sql`version + 1` }).where('panelId', '=', panelId).execute();
        else await trx.insertInto('minutesDrafts').values({ panelId, ...values }).execute();
        await recordAudit(trx, actor, { action: 'minutes.draft-saved', entityType: 'panel', entityId: panelId, details: { draftVersion: currentVersion + 1 } });
      });
    },

    /**
     * Freezes the draft as a version with its PDF. The first approval needs a concluded panel; every
     * later one is a correction and needs a reason. The draft version guards against approving text
     * that changed since the page was loaded.
     */
    async approve(panelId: number, user: CurrentUser, actor: Actor, expectedDraftVersion: number, reason: string | null) {
      const text = await draftText(panelId);
      if (text.version !== expectedDraftVersion) throw new MinutesConflictError(text);
      const content = await assembleMinutes(db, panelId, text);
      // Printed before the transaction: Chromium is slow, and a failed print must change nothing.
      const pdf = await renderPdf(content);
      return db.transaction().execute(async (trx) => {
        const panel = await trx.selectFrom('panels').select(['status', 'chairUserId']).where('id', '=', panelId).forUpdate().executeTakeFirstOrThrow();
        if (!(DRAFTABLE as readonly string[]).includes(panel.status)) throw new HttpError(409, 'Minutes can be approved only once the panel has concluded');
        const now = await trx.selectFrom('minutesDrafts').select('version').where('panelId', '=', panelId).executeTakeFirst();
        if ((now?.version ?? 0) !== expectedDraftVersion) throw new MinutesConflictError(await draftText(panelId));
        const last = await trx.selectFrom('minutesVersions').select('version').where('panelId', '=', panelId).orderBy('version', 'desc').executeTakeFirst();
        const number = (last?.version ?? 0) + 1;
        if (number > 1 && !reason) throw new HttpError(400, 'Give the reason for the correction');
        const digest = sha256(pdf);
        await trx
          .insertInto('minutesVersions')
          .values({ panelId, version: number, content: JSON.stringify(content), pdf, pdfSha256: digest, correctionReason: number > 1 ? reason : null, approvedBy: user.id, approvedAt: clock.now() })
          .execute();
        if (panel.status === 'concluded') await trx.updateTable('panels').set({ status: 'minutes-approved', updatedAt: clock.now(), version: sql`version + 1` }).where('id', '=', panelId).execute();
        await recordAudit(trx, actor, { action: number > 1 ? 'minutes.corrected' : 'minutes.approved', entityType: 'panel', entityId: panelId, details: { minutesVersion: number, sha256: digest } });
        return number;
      });
    },

    /**
     * One e-mail per recipient, each with its agency's copy, queued in one transaction with the
     * circulation and the panel's new status: all of them are sent, or none is.
     */
    async circulate(panelId: number, user: CurrentUser, actor: Actor, versionNumber: number, recipients: Recipient[], baseUrl: string) {
      const chosen = await version(panelId, versionNumber);
      // Printed before the transaction: one copy per agency, shared by its recipients.
      const copies = new Map<number, { id: number; pdf: Buffer; sha256: string }>();
      for (const r of recipients) if (!copies.has(r.agencyId)) copies.set(r.agencyId, await agencyCopy(chosen.id, chosen.content, r.agencyId, r.agencyName));
      const count = await db.transaction().execute(async (trx) => {
        const panel = await trx.selectFrom('panels').select('status').where('id', '=', panelId).forUpdate().executeTakeFirstOrThrow();
        if (panel.status !== 'minutes-approved' && panel.status !== 'minutes-circulated') throw new HttpError(409, 'Only approved minutes can be circulated');
        const circulation = await trx
          .insertInto('minutesCirculations')
          .values({ panelId, minutesVersionId: chosen.id, circulatedBy: user.id, circulatedAt: clock.now() })
          .returning('id')
          .executeTakeFirstOrThrow();
        for (const r of recipients) {
          const copy = copies.get(r.agencyId)!;
          const outboxId = await enqueueMinutesMail(trx, chosen.content, chosen.version, r, copy.pdf, baseUrl);
          await trx
            .insertInto('minutesDeliveries')
            .values({ circulationId: circulation.id, panelId, userId: r.userId, agencyId: r.agencyId, email: r.email, copyId: copy.id, pdfSha256: copy.sha256, outboxId, createdBy: user.id, createdAt: clock.now() })
            .execute();
        }
        await trx.updateTable('panels').set({ status: 'minutes-circulated', updatedAt: clock.now(), version: sql`version + 1` }).where('id', '=', panelId).execute();
        await recordAudit(trx, actor, { action: 'minutes.circulated', entityType: 'panel', entityId: panelId, details: { minutesVersion: versionNumber, recipients: recipients.length, userIds: recipients.map((r) => r.userId) } });
        return recipients.length;
      });
      afterMail();
      return count;
    },

    async deliveries(panelId: number) {
      const rows = await db
        .selectFrom('minutesDeliveries')
        .innerJoin('outbox', 'outbox.id', 'minutesDeliveries.outboxId')
        .innerJoin('users', 'users.id', 'minutesDeliveries.userId')
        .innerJoin('agencies', 'agencies.id', 'minutesDeliveries.agencyId')
        .innerJoin('minutesCirculations', 'minutesCirculations.id', 'minutesDeliveries.circulationId')
        .innerJoin('minutesVersions', 'minutesVersions.id', 'minutesCirculations.minutesVersionId')
        .select([
          'minutesDeliveries.id',
          'minutesDeliveries.userId',
          'minutesDeliveries.email',
          'minutesDeliveries.copyId',
          'minutesDeliveries.pdfSha256',
          'minutesDeliveries.outboxId',
          'minutesDeliveries.resendOf',
          'minutesDeliveries.createdAt',
          'users.name',
          'agencies.name as agency',
          'minutesVersions.version',
          'outbox.status',
          'outbox.attempts',
          'outbox.lastError',
          'outbox.serverResponse',
          'outbox.sentAt',
          'outbox.nextAttemptAt',
        ])
        .where('minutesDeliveries.panelId', '=', panelId)
        .orderBy('agencies.name')
        .orderBy('users.name')
        .orderBy('minutesDeliveries.id')
        .execute();
      return rows;
    },

    /** Queues a new message for one recipient of an earlier delivery: the same stored copy, a new Message-ID. */
    async resend(panelId: number, deliveryId: number, user: CurrentUser, actor: Actor, baseUrl: string) {
      const known = await db.selectFrom('minutesDeliveries').select('copyId').where('id', '=', deliveryId).where('panelId', '=', panelId).executeTakeFirst();
      if (!known) throw new NotFoundError();
      const printed = await printedCopy(known.copyId);
      await db.transaction().execute(async (trx) => {
        const d = await trx
          .selectFrom('minutesDeliveries')
          .innerJoin('minutesCopies', 'minutesCopies.id', 'minutesDeliveries.copyId')
          .innerJoin('minutesVersions', 'minutesVersions.id', 'minutesCopies.minutesVersionId')
          .innerJoin('users', 'users.id', 'minutesDeliveries.userId')
          .innerJoin('agencies', 'agencies.id', 'minutesDeliveries.agencyId')
          .select([
            'minutesDeliveries.id',
            'minutesDeliveries.circulationId',
            'minutesDeliveries.userId',
            'minutesDeliveries.agencyId',
            'minutesDeliveries.copyId',
            'users.email',
            'users.name',
            'users.active',
            'agencies.name as agencyName',
            'minutesVersions.content',
            'minutesVersions.version',
          ])
          .where('minutesDeliveries.id', '=', deliveryId)
          .where('minutesDeliveries.panelId', '=', panelId)
          .executeTakeFirst();
        if (!d) throw new NotFoundError();
        const recipient = { userId: d.userId, name: d.name, email: d.email, agencyId: d.agencyId, agencyName: d.agencyName };
        const outboxId = await enqueueMinutesMail(trx, d.content as MinutesContent, d.version, recipient, printed.pdf, baseUrl);
        await trx
          .insertInto('minutesDeliveries')
          .values({ circulationId: d.circulationId, panelId, userId: d.userId, agencyId: d.agencyId, email: d.email, copyId: d.copyId, pdfSha256: printed.sha256, outboxId, resendOf: d.id, createdBy: user.id, createdAt: clock.now() })
          .execute();
        await recordAudit(trx, actor, { action: 'minutes.resent', entityType: 'panel', entityId: panelId, details: { deliveryId, userId: d.userId } });
      });
      afterMail();
    },
  };
}

async function enqueueMinutesMail(trx: Db, content: MinutesContent, versionNumber: number, r: Recipient, pdf: Buffer, baseUrl: string) {
  return enqueueMail(trx, {
    kind: 'minutes',
    to: r.email,
    subject: minutesTitle(content),
    text: [
      `The approved minutes (version ${versionNumber}) of the ASBRAC panel for ${content.panel.district} on ${content.panel.dateText} are attached.`,
      '',
      'They are OFFICIAL-SENSITIVE: not to be copied or shared without the agreement of the agencies. Store them securely.',
      '',
      `You can also read them after signing in: ${baseUrl}/panels/${content.panel.id}/minutes`,
    ].join('\n'),
    attachments: [{ filename: `asbrac-minutes-${content.panel.date}-v${versionNumber}.pdf`, contentType: 'application/pdf', contentBase64: pdf.toString('base64') }],
    entityType: 'panel',
    entityId: content.panel.id,
  });
}

export type MinutesService = ReturnType<typeof minutesService>;
