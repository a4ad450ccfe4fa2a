import { sql, type Insertable } from 'kysely';
import type { Db } from '../db/database';
import type { Database } from '../db/schema';

export function findDraft(db: Db, panelId: number) {
  return db.selectFrom('minutesDrafts').selectAll().where('panelId', '=', panelId).executeTakeFirst();
}

export function findDraftVersion(db: Db, panelId: number) {
  return db.selectFrom('minutesDrafts').select('version').where('panelId', '=', panelId).executeTakeFirst();
}

/** The edited text of a draft, as stored: the item summaries as JSON. */
export interface DraftRow {
  introduction: string | null;
  otherBusiness: string | null;
  itemSummaries: string;
  corrections: string;
  updatedBy: number;
  updatedAt: Date;
}

export async function updateDraft(db: Db, panelId: number, values: DraftRow): Promise<void> {
  await db
    .updateTable('minutesDrafts')
    .set({ ...values, version: sql`version + 1` })
    .where('panelId', '=', panelId)
    .execute();
}

export async function insertDraft(db: Db, panelId: number, values: DraftRow): Promise<void> {
  await db
    .insertInto('minutesDrafts')
    .values({ panelId, ...values })
    .execute();
}

export function listVersions(db: Db, panelId: number) {
  return db
    .selectFrom('minutesVersions')
    .leftJoin('users', 'users.id', 'minutesVersions.approvedBy')
    .select([
      'minutesVersions.id',
      'minutesVersions.version',
      'minutesVersions.approvedAt',
      'users.name as approvedBy',
      'minutesVersions.correctionReason',
      'minutesVersions.pdfSha256',
    ])
    .where('minutesVersions.panelId', '=', panelId)
    .orderBy('minutesVersions.version', 'desc')
    .execute();
}

/** A version with the name of whoever approved it, which its printed pages state. */
export function findVersion(db: Db, panelId: number, number: number) {
  return db
    .selectFrom('minutesVersions')
    .leftJoin('users', 'users.id', 'minutesVersions.approvedBy')
    .selectAll('minutesVersions')
    .select('users.name as approverName')
    .where('minutesVersions.panelId', '=', panelId)
    .where('minutesVersions.version', '=', number)
    .executeTakeFirst();
}

export async function latestVersionNumber(db: Db, panelId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('minutesVersions')
    .select('version')
    .where('panelId', '=', panelId)
    .orderBy('version', 'desc')
    .executeTakeFirst();
  return row?.version;
}

export async function insertVersion(db: Db, version: Insertable<Database['minutesVersions']>): Promise<void> {
  await db.insertInto('minutesVersions').values(version).execute();
}

/** Stores a version's PDF unless another request stored one first. */
export async function storeVersionPdf(db: Db, versionId: number, pdf: Buffer, sha256: string): Promise<void> {
  await db
    .updateTable('minutesVersions')
    .set({ pdf, pdfSha256: sha256 })
    .where('id', '=', versionId)
    .where('pdf', 'is', null)
    .execute();
}

/** A copy with what printing it needs: the frozen content, its approval and the agency named on its pages. */
export function findCopyToPrint(db: Db, copyId: number) {
  return db
    .selectFrom('minutesCopies')
    .innerJoin('minutesVersions', 'minutesVersions.id', 'minutesCopies.minutesVersionId')
    .innerJoin('agencies', 'agencies.id', 'minutesCopies.agencyId')
    .leftJoin('users', 'users.id', 'minutesVersions.approvedBy')
    .select([
      'minutesCopies.id',
      'minutesCopies.pdf',
      'minutesCopies.pdfSha256',
      'minutesVersions.content',
      'minutesVersions.version',
      'minutesVersions.approvedAt',
      'users.name as approverName',
      'agencies.name as agencyName',
    ])
    .where('minutesCopies.id', '=', copyId)
    .executeTakeFirstOrThrow();
}

export function findCopyPdf(db: Db, copyId: number) {
  return db.selectFrom('minutesCopies').select(['pdf', 'pdfSha256']).where('id', '=', copyId).executeTakeFirstOrThrow();
}

/** Stores a copy's PDF unless another request stored one first. */
export async function storeCopyPdf(db: Db, copyId: number, pdf: Buffer, sha256: string): Promise<void> {
  await db
    .updateTable('minutesCopies')
    .set({ pdf, pdfSha256: sha256 })
    .where('id', '=', copyId)
    .where('pdf', 'is', null)
    .execute();
}

/** Deliveries of a copy made before it was printed get the hash of what is now stored. */
export async function fillDeliveryHashes(db: Db, copyId: number, sha256: string | null): Promise<void> {
  await db
    .updateTable('minutesDeliveries')
    .set({ pdfSha256: sha256 })
    .where('copyId', '=', copyId)
    .where('pdfSha256', 'is', null)
    .execute();
}

export async function findCopyId(db: Db, versionId: number, agencyId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('minutesCopies')
    .select('id')
    .where('minutesVersionId', '=', versionId)
    .where('agencyId', '=', agencyId)
    .executeTakeFirst();
  return row?.id;
}

/** Adds an agency's copy of a version, unless another request added it first. */
export async function insertCopy(
  db: Db,
  versionId: number,
  agencyId: number,
  pdf: Buffer,
  sha256: string,
): Promise<void> {
  await db
    .insertInto('minutesCopies')
    .values({ minutesVersionId: versionId, agencyId, pdf, pdfSha256: sha256 })
    .onConflict((oc) => oc.columns(['minutesVersionId', 'agencyId']).doNothing())
    .execute();
}

export function findPanelCopy(db: Db, panelId: number, copyId: number) {
  return db
    .selectFrom('minutesCopies')
    .innerJoin('minutesVersions', 'minutesVersions.id', 'minutesCopies.minutesVersionId')
    .select(['minutesVersions.version', 'minutesCopies.agencyId'])
    .where('minutesCopies.id', '=', copyId)
    .where('minutesVersions.panelId', '=', panelId)
    .executeTakeFirst();
}

export async function insertCirculation(
  db: Db,
  circulation: Insertable<Database['minutesCirculations']>,
): Promise<number> {
  const row = await db.insertInto('minutesCirculations').values(circulation).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function insertDelivery(db: Db, delivery: Insertable<Database['minutesDeliveries']>): Promise<void> {
  await db.insertInto('minutesDeliveries').values(delivery).execute();
}

/** Every message of every circulation of a panel, with its delivery as the outbox knows it. */
export function listDeliveries(db: Db, panelId: number) {
  return db
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
}

export async function findDeliveryCopyId(db: Db, panelId: number, deliveryId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('minutesDeliveries')
    .select('copyId')
    .where('id', '=', deliveryId)
    .where('panelId', '=', panelId)
    .executeTakeFirst();
  return row?.copyId;
}

/** A delivery with what sending it again needs: its recipient, agency, copy and the version's content. */
export function findDeliveryToResend(db: Db, panelId: number, deliveryId: number) {
  return db
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
}
