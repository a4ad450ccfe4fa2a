import { sql } from 'kysely';
import type { Db } from '../db/database';
import { assembleMinutes, defaultRecipients } from '../minutes/minutes-content';
import { minutesTitle } from '../minutes/minutes.service';
import { markedSubject } from '../mail/outbox';

const DAY = 24 * 60 * 60 * 1000;

/**
 * Approves the minutes of every concluded demo panel and circulates the earliest. No PDF is printed
 * here (that would add seconds per panel to the first start): the versions and copies are stored
 * without bytes and printed on their first request. Nothing happens when no panel has concluded.
 */
export async function seedMinutes(db: Db): Promise<void> {
  const panels = await db
    .selectFrom('panels')
    .select(['id', 'chairUserId', 'endsAt'])
    .where('status', '=', 'concluded')
    .orderBy('startsAt')
    .execute();
  if (panels.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (const [index, panel] of panels.entries()) {
      const approvedAt = new Date(panel.endsAt.getTime() + 2 * DAY);
      const content = await assembleMinutes(trx, panel.id, {
        introduction: null,
        otherBusiness: null,
        itemSummaries: {},
        corrections: {},
      });
      const version = await trx
        .insertInto('minutesVersions')
        .values({
          panelId: panel.id,
          version: 1,
          content: JSON.stringify(content),
          pdf: null,
          pdfSha256: null,
          approvedBy: panel.chairUserId,
          approvedAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const circulated = index === 0;
      await trx
        .updateTable('panels')
        .set({ status: circulated ? 'minutes-circulated' : 'minutes-approved', version: sql`version + 1` })
        .where('id', '=', panel.id)
        .execute();
      if (!circulated) continue;

      const sentAt = new Date(approvedAt.getTime() + 60 * 60 * 1000);
      const circulation = await trx
        .insertInto('minutesCirculations')
        .values({
          panelId: panel.id,
          minutesVersionId: version.id,
          circulatedBy: panel.chairUserId,
          circulatedAt: sentAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const copies = new Map<number, number>();
      for (const r of await defaultRecipients(trx, panel.id)) {
        if (!copies.has(r.agencyId)) {
          const copy = await trx
            .insertInto('minutesCopies')
            .values({ minutesVersionId: version.id, agencyId: r.agencyId })
            .returning('id')
            .executeTakeFirstOrThrow();
          copies.set(r.agencyId, copy.id);
        }
        // A history of messages already delivered: the attachment is the stored copy, printed when first opened.
        const outbox = await trx
          .insertInto('outbox')
          .values({
            kind: 'minutes',
            toAddress: r.email,
            subject: markedSubject(minutesTitle(content)),
            textBody: `The approved minutes (version 1) of the ASBRAC panel for ${content.panel.district} on ${content.panel.dateText} are attached.`,
            status: 'sent',
            nextAttemptAt: sentAt,
            sentAt,
            serverResponse: '250 2.0.0 OK (demo data)',
            entityType: 'panel',
            entityId: String(panel.id),
            createdAt: sentAt,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('minutesDeliveries')
          .values({
            circulationId: circulation.id,
            panelId: panel.id,
            userId: r.userId,
            agencyId: r.agencyId,
            email: r.email,
            copyId: copies.get(r.agencyId)!,
            pdfSha256: null,
            outboxId: outbox.id,
            createdBy: panel.chairUserId,
            createdAt: sentAt,
          })
          .execute();
      }
    }
  });
}
