import { sql } from 'kysely';
import type { Db } from '../db/database';

/*
 * The stores that hold a case's personal data beside its own rows: the agendas, minutes and
 * e-mails of the panels that heard it. Retention writes them directly, by design (README).
 */

/** The subjects' identifying text, read before their rows are cleared. */
export function subjectIdentifiers(trx: Db, referralId: number) {
  return trx
    .selectFrom('referralSubjects')
    .select(['fullName', 'address', 'postcode', sql<string | null>`date_of_birth::text`.as('dateOfBirth')])
    .where('referralId', '=', referralId)
    .execute();
}

/** The case's agenda items and the panels they were on. */
export function caseAgendaItems(trx: Db, referralId: number) {
  return trx.selectFrom('agendaItems').select(['id', 'panelId']).where('referralId', '=', referralId).execute();
}

export function agendaVersionsOf(trx: Db, panelIds: number[]) {
  if (panelIds.length === 0) return Promise.resolve([]);
  return trx.selectFrom('agendaVersions').select(['id', 'items', 'changes']).where('panelId', 'in', panelIds).execute();
}

export async function storeAgendaVersion(trx: Db, id: number, items: unknown[], changes: string[]): Promise<void> {
  await trx
    .updateTable('agendaVersions')
    .set({ items: JSON.stringify(items), changes: JSON.stringify(changes) })
    .where('id', '=', id)
    .execute();
}

export function minutesDraftsOf(trx: Db, panelIds: number[]) {
  if (panelIds.length === 0) return Promise.resolve([]);
  return trx
    .selectFrom('minutesDrafts')
    .select(['panelId', 'introduction', 'otherBusiness', 'itemSummaries'])
    .where('panelId', 'in', panelIds)
    .execute();
}

export async function storeMinutesDraft(
  trx: Db,
  panelId: number,
  text: { introduction: string | null; otherBusiness: string | null; itemSummaries: Record<string, string> },
): Promise<void> {
  await trx
    .updateTable('minutesDrafts')
    .set({ ...text, itemSummaries: JSON.stringify(text.itemSummaries) })
    .where('panelId', '=', panelId)
    .execute();
}

/** Each approved version of these panels' minutes, with who approved it (as its pages say). */
export function minutesVersionsOf(trx: Db, panelIds: number[]) {
  if (panelIds.length === 0) return Promise.resolve([]);
  return trx
    .selectFrom('minutesVersions')
    .leftJoin('users', 'users.id', 'minutesVersions.approvedBy')
    .select([
      'minutesVersions.id',
      'minutesVersions.version',
      'minutesVersions.content',
      'minutesVersions.approvedAt',
      'users.name as approverName',
      sql<boolean>`minutes_versions.pdf is not null`.as('printed'),
    ])
    .where('minutesVersions.panelId', 'in', panelIds)
    .orderBy('minutesVersions.id')
    .execute();
}

export function minutesCopiesOf(trx: Db, versionId: number) {
  return trx
    .selectFrom('minutesCopies')
    .innerJoin('agencies', 'agencies.id', 'minutesCopies.agencyId')
    .select([
      'minutesCopies.id',
      'agencies.name as agencyName',
      sql<boolean>`minutes_copies.pdf is not null`.as('printed'),
    ])
    .where('minutesCopies.minutesVersionId', '=', versionId)
    .orderBy('minutesCopies.id')
    .execute();
}

export async function storeMinutesVersion(
  trx: Db,
  id: number,
  content: unknown,
  printed: { pdf: Buffer; sha256: string } | null,
): Promise<void> {
  await trx
    .updateTable('minutesVersions')
    .set({ content: JSON.stringify(content), ...(printed ? { pdf: printed.pdf, pdfSha256: printed.sha256 } : {}) })
    .where('id', '=', id)
    .execute();
}

export async function storeMinutesCopy(trx: Db, id: number, printed: { pdf: Buffer; sha256: string }): Promise<void> {
  await trx
    .updateTable('minutesCopies')
    .set({ pdf: printed.pdf, pdfSha256: printed.sha256 })
    .where('id', '=', id)
    .execute();
}

/** The outbox messages about the case, its actions or the panels that heard it. */
export async function caseOutboxIds(trx: Db, referralId: number, panelIds: number[]): Promise<string[]> {
  const actionIds = trx
    .selectFrom('actions')
    .select(sql<string>`id::text`.as('id'))
    .where('referralId', '=', referralId);
  const rows = await trx
    .selectFrom('outbox')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('entityType', '=', 'referral'), eb('entityId', '=', String(referralId))]),
        eb.and([eb('entityType', '=', 'action'), eb('entityId', 'in', actionIds)]),
        ...(panelIds.length
          ? [eb.and([eb('entityType', '=', 'panel'), eb('entityId', 'in', panelIds.map(String))])]
          : []),
      ]),
    )
    .execute();
  return rows.map((r) => r.id);
}

/** Clears the bodies and attachments of these messages, keeping who, when, what kind and the delivery status. */
export async function clearOutboxBodies(trx: Db, ids: string[], at: Date): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await trx
    .updateTable('outbox')
    .set({ textBody: '', htmlBody: null, attachments: '[]', bodyClearedAt: at })
    .where('id', 'in', ids)
    .where('bodyClearedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Messages sent before `before` whose bodies are still kept, oldest first. */
export async function sentOutboxIdsBefore(db: Db, before: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('outbox')
    .select('id')
    .where('status', '=', 'sent')
    .where('bodyClearedAt', 'is', null)
    .where('sentAt', '<', before)
    .orderBy('sentAt')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Checks on a young person that led to the case: their personal data goes with it; dates and answers stay. */
export async function clearYouthChecksOf(trx: Db, referralId: number, at: Date): Promise<number> {
  const result = await trx
    .updateTable('youthChecks')
    .set({
      youngPersonName: null,
      dateOfBirth: null,
      address: null,
      concern: null,
      caseReference: null,
      leadProfessionalName: null,
      leadProfessionalAgency: null,
      leadProfessionalContact: null,
      answerNote: null,
      clearedAt: at,
    })
    .where('referralId', '=', referralId)
    .where('clearedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
