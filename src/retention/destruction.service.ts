import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ServiceDeps } from '../service-deps';
import type { Db } from '../db/database';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../http/context';
import { renderPdf, sha256 } from '../minutes/minutes-copies.service';
import type { MinutesContent } from '../minutes/minutes-content';
import { formatCalendarDate } from '../time';
import * as repo from './retention.repository';
import * as stores from './stores.repository';
import { eraseResearchTextOf } from '../research/research.service';
import {
  identifierPattern,
  redactAgendaItems,
  redactMinutesContent,
  sweepJson,
  sweepText,
  type Identifiers,
} from './redaction';

/** What replaces free text that cannot be emptied (the column is NOT NULL). */
export const REMOVED = 'Removed under the retention policy.';

export type DestructionDeps = Pick<ServiceDeps, 'db' | 'documents'> & {
  /** Where the file transport writes `.eml` files (DATA_DIR/mail). */
  mailDir: string | null;
};

/** How many records of each store were destroyed or redacted: what a certificate lists. */
export type StoreCounts = Record<string, number>;

async function identifiersOf(trx: Db, referralId: number): Promise<Identifiers> {
  const rows = await stores.subjectIdentifiers(trx, referralId);
  const present = (values: (string | null)[]) => values.filter((v): v is string => Boolean(v?.trim()));
  const dates = present(rows.map((r) => r.dateOfBirth));
  return {
    names: present(rows.map((r) => r.fullName)),
    addresses: present(rows.map((r) => r.address)),
    postcodes: present(rows.map((r) => r.postcode)),
    datesOfBirth: [...dates, ...dates.map((d) => formatCalendarDate(d))],
  };
}

async function redactAgendas(trx: Db, referralId: number, panelIds: number[], pattern: RegExp | null) {
  const versions = await stores.agendaVersionsOf(trx, panelIds);
  for (const v of versions) {
    await stores.storeAgendaVersion(
      trx,
      v.id,
      redactAgendaItems(v.items, referralId, pattern),
      v.changes.map((c) => sweepText(c, pattern)),
    );
  }
  const drafts = await stores.minutesDraftsOf(trx, panelIds);
  for (const d of drafts) {
    await stores.storeMinutesDraft(trx, d.panelId, {
      introduction: d.introduction === null ? null : sweepText(d.introduction, pattern),
      otherBusiness: d.otherBusiness === null ? null : sweepText(d.otherBusiness, pattern),
      itemSummaries: sweepJson(d.itemSummaries, pattern),
    });
  }
  return { agendaVersions: versions.length, minutesDrafts: drafts.length };
}

/**
 * Approved minutes hold every case of the panel: the case's item is redacted, its subjects swept
 * from the rest, and each printed version and agency copy printed again by the minutes' renderer.
 */
async function redactMinutes(
  deps: DestructionDeps,
  trx: Db,
  itemIds: Set<number>,
  panelIds: number[],
  pattern: RegExp | null,
) {
  let versions = 0;
  let copies = 0;
  for (const v of await stores.minutesVersionsOf(trx, panelIds)) {
    const content = redactMinutesContent(v.content, itemIds, pattern) as MinutesContent;
    const approval = { version: v.version, approvedAt: v.approvedAt, approverName: v.approverName };
    const print = async (agency?: string) => {
      const pdf = await renderPdf(deps, content, approval, agency);
      return { pdf, sha256: sha256(pdf) };
    };
    await stores.storeMinutesVersion(trx, v.id, content, v.printed ? await print() : null);
    versions += 1;
    for (const copy of await stores.minutesCopiesOf(trx, v.id)) {
      if (copy.printed) await stores.storeMinutesCopy(trx, copy.id, await print(copy.agencyName));
      copies += 1;
    }
  }
  return { minutesVersions: versions, minutesCopies: copies };
}

/** The `.eml` files the file transport wrote for these messages (named by outbox id). */
export async function emlFilesOf(mailDir: string | null, outboxIds: string[]): Promise<string[]> {
  if (!mailDir || outboxIds.length === 0) return [];
  const wanted = new Set(outboxIds.map((id) => BigInt(id)));
  let files: string[];
  try {
    files = await readdir(mailDir);
  } catch {
    return [];
  }
  return files
    .filter((file) => {
      const match = /^(\d+)\.eml$/.exec(file);
      return match !== null && wanted.has(BigInt(match[1]));
    })
    .map((file) => path.join(mailDir, file));
}

export async function removeFiles(files: string[]): Promise<void> {
  for (const file of files) await rm(file, { force: true });
}

/**
 * Removes a closed case's personal data from every store, keeping what the reports count: dates,
 * codes, districts, agencies, statuses, subject types and vulnerabilities. One transaction, so a
 * case is never left half anonymised; the caller removes the `.eml` files once it has committed. Null when the
 * case is already anonymised or no longer closed.
 */
export async function anonymiseCase(
  deps: DestructionDeps,
  actor: Actor,
  referralId: number,
  now: Date,
  closedCaseYears: number,
  withinTrx?: Db,
): Promise<{ counts: StoreCounts; emlFiles: string[] } | null> {
  const work = async (trx: Db) => {
    const identifiers = await identifiersOf(trx, referralId);
    if (!(await repo.anonymiseReferral(trx, referralId, now))) return null;
    const items = await stores.caseAgendaItems(trx, referralId);
    const panelIds = [...new Set(items.map((i) => i.panelId))];
    const pattern = identifierPattern(identifiers);
    await repo.clearCaseRecords(trx, referralId, REMOVED);
    // Every research answer about the case: the summary and each subject's facts, opinion and risks.
    await eraseResearchTextOf(
      trx,
      items.map((i) => i.id),
    );
    const agendas = await redactAgendas(trx, referralId, panelIds, pattern);
    const minutes = await redactMinutes(deps, trx, new Set(items.map((i) => i.id)), panelIds, pattern);
    const outboxIds = await stores.caseOutboxIds(trx, referralId, panelIds);
    const outboxMessages = await stores.clearOutboxBodies(trx, outboxIds, now);
    const youthChecks = await stores.clearYouthChecksOf(trx, referralId, now);
    const emlFiles = await emlFilesOf(deps.mailDir, outboxIds);
    const counts: StoreCounts = {
      referral: 1,
      subjects: identifiers.names.length,
      agendaItems: items.length,
      ...agendas,
      ...minutes,
      outboxMessages,
      emlFiles: emlFiles.length,
      youthChecks,
    };
    await recordAudit(trx, actor, {
      action: 'referral.anonymised',
      entityType: 'referral',
      entityId: referralId,
      details: { closedCaseYears, ...counts },
    });
    return { counts, emlFiles };
  };
  const result = withinTrx ? await work(withinTrx) : await deps.db.transaction().execute(work);
  return result;
}
