import { createHash } from 'node:crypto';
import type { ServiceDeps } from '../service-deps';
import { NotFoundError } from '../http/errors';
import { formatDate } from '../time';
import { minutesTitle, type MinutesContent } from './minutes-content';
import * as repo from './minutes.repository';

// The printed minutes: each approved version and each agency's copy is printed once and then
// always served from storage, so everyone holding a copy holds the same bytes.

export type CopiesDeps = Pick<ServiceDeps, 'db' | 'documents'>;

export interface PrintedPdf {
  pdf: Buffer;
  sha256: string;
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Stored bytes that a request has just stored (or found stored by another): never null here. */
function stored(pdf: Uint8Array | null, digest: string | null): PrintedPdf {
  if (!pdf || !digest) throw new Error('The printed minutes were not stored');
  return { pdf: Buffer.from(pdf), sha256: digest };
}

/** Printed on every page of minutes not yet approved. */
export const DRAFT_LINE = 'DRAFT – not for circulation';

/** Who approved a version and when, as its printed pages state. */
export interface Approval {
  version: number;
  approvedAt: Date;
  approverName: string | null;
}

export function approvalLine({ version, approvedAt, approverName }: Approval): string {
  return `Approved${approverName ? ` by ${approverName}` : ''} on ${formatDate(approvedAt)}, version ${version}`;
}

/** The minutes printed as a draft, or, given its approval, as an approved version. */
export function renderPdf(
  { documents }: Pick<CopiesDeps, 'documents'>,
  content: MinutesContent,
  approval: Approval | null,
  recipientAgency?: string,
): Promise<Buffer> {
  return documents.renderDocument(
    'minutes',
    { title: minutesTitle(content), date: content.panel.date, minutes: content },
    { recipientAgency, statusLine: approval ? approvalLine(approval) : DRAFT_LINE },
  );
}

export async function findVersion({ db }: CopiesDeps, panelId: number, number: number) {
  const row = await repo.findVersion(db, panelId, number);
  if (!row) throw new NotFoundError();
  return { ...row, content: row.content as MinutesContent };
}

export type StoredVersion = Awaited<ReturnType<typeof findVersion>>;

/** The stored PDF of a version; a seeded version without one is printed and stored on its first request. */
export async function versionPdf(deps: CopiesDeps, panelId: number, number: number): Promise<PrintedPdf> {
  const row = await findVersion(deps, panelId, number);
  if (row.pdf && row.pdfSha256) return { pdf: Buffer.from(row.pdf), sha256: row.pdfSha256 };
  const pdf = await renderPdf(deps, row.content, row);
  // Another request may have stored it first: theirs wins, so one version always has one set of bytes.
  await repo.storeVersionPdf(deps.db, row.id, pdf, sha256(pdf));
  const again = await findVersion(deps, panelId, number);
  return stored(again.pdf, again.pdfSha256);
}

/** A copy's bytes, printed and stored on first use when it was made without them (seeded copies). */
export async function printedCopy(deps: CopiesDeps, copyId: number): Promise<PrintedPdf & { id: number }> {
  const { db } = deps;
  const row = await repo.findCopyToPrint(db, copyId);
  if (row.pdf && row.pdfSha256) return { id: row.id, pdf: Buffer.from(row.pdf), sha256: row.pdfSha256 };
  const pdf = await renderPdf(deps, row.content as MinutesContent, row, row.agencyName);
  // Another request may have printed it first: theirs is kept, so a copy only ever has one set of bytes.
  await repo.storeCopyPdf(db, copyId, pdf, sha256(pdf));
  const again = await repo.findCopyPdf(db, copyId);
  await repo.fillDeliveryHashes(db, copyId, again.pdfSha256);
  return { id: copyId, ...stored(again.pdf, again.pdfSha256) };
}

/** The copy made for one agency, printed once and then always served from storage. */
export async function agencyCopy(deps: CopiesDeps, version: StoredVersion, agencyId: number, agencyName: string) {
  const existing = await repo.findCopyId(deps.db, version.id, agencyId);
  if (existing !== undefined) return printedCopy(deps, existing);
  const pdf = await renderPdf(deps, version.content, version, agencyName);
  await repo.insertCopy(deps.db, version.id, agencyId, pdf, sha256(pdf));
  const id = await repo.findCopyId(deps.db, version.id, agencyId);
  if (id === undefined) throw new Error('The agency copy was not stored');
  return printedCopy(deps, id);
}
