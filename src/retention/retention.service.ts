import type { ServiceDeps } from '../service-deps';
import { DateTime } from 'luxon';
import type { Db } from '../db/database';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../http/context';
import { StaleVersionError } from '../http/errors';
import * as repo from './retention.repository';

/** What replaces free text that cannot be emptied (the column is NOT NULL). */
export const REMOVED = 'Removed under the retention policy.';
export const PREVIEW_DAYS = 30;
const SYSTEM: Actor = { userId: null, agencyId: null, ip: null, requestId: null };
const BATCH = 100;

export interface RetentionSettings {
  closedCaseYears: number;
  auditYears: number;
  version: number;
  updatedAt: Date;
}

export interface RetentionChange {
  closedCaseYears: number;
  auditYears: number;
  version: number;
}

export function retentionSettings(db: Db): Promise<RetentionSettings> {
  return repo.findSettings(db);
}

/** Saves new periods unless someone else saved since the form was loaded (then StaleVersionError). */
export async function saveRetentionSettings(db: Db, actor: Actor, change: RetentionChange, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await repo.findSettings(trx);
    if (!(await repo.updateSettings(trx, change, actor.userId, now))) throw new StaleVersionError();
    await recordAudit(trx, actor, {
      action: 'retention.settings-changed',
      entityType: 'retention-settings',
      entityId: 1,
      details: {
        closedCaseYearsFrom: before.closedCaseYears,
        closedCaseYearsTo: change.closedCaseYears,
        auditYearsFrom: before.auditYears,
        auditYearsTo: change.auditYears,
      },
    });
  });
}

const cutoff = (now: Date, years: number) => DateTime.fromJSDate(now).minus({ years }).toJSDate();

export interface DueCase {
  id: number;
  reference: string | null;
  districtName: string | null;
  closedAt: Date;
  anonymiseOn: Date;
}

/** Closed cases that reach the end of the retention period before now + days (including those already past it). */
export async function casesDueWithin(
  db: Db,
  now: Date,
  days: number,
  limit = 200,
): Promise<{ total: number; cases: DueCase[] }> {
  const { closedCaseYears } = await retentionSettings(db);
  const horizon = cutoff(DateTime.fromJSDate(now).plus({ days }).toJSDate(), closedCaseYears);
  const { total, rows } = await repo.closedCasesBefore(db, horizon, limit);
  return {
    total,
    cases: rows.map((r) => ({
      ...r,
      closedAt: r.closedAt as Date,
      anonymiseOn: DateTime.fromJSDate(r.closedAt as Date)
        .plus({ years: closedCaseYears })
        .toJSDate(),
    })),
  };
}

/**
 * Removes a closed case's personal data and free text, keeping what the reports count: dates,
 * codes, districts, agencies, statuses, subject types and vulnerabilities. One transaction, so a
 * case is never left half anonymised.
 */
export async function anonymiseCase(
  db: Db,
  actor: Actor,
  referralId: number,
  now: Date,
  closedCaseYears: number,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    // Already done by another instance, or reopened since it was listed.
    if (!(await repo.anonymiseReferral(trx, referralId, now))) return false;
    await repo.clearCaseRecords(trx, referralId, REMOVED);
    await recordAudit(trx, actor, {
      action: 'referral.anonymised',
      entityType: 'referral',
      entityId: referralId,
      details: { closedCaseYears },
    });
    return true;
  });
}

/** Deletes audit rows older than the audit period. */
export async function purgeAudit(db: Db, actor: Actor, now: Date, auditYears: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const before = cutoff(now, auditYears);
    const count = await repo.purgeAuditBefore(trx, before);
    // An hourly run that found nothing is not worth a row; a purge, or one asked for by a person, is.
    if (count > 0 || actor.userId !== null)
      await recordAudit(trx, actor, {
        action: 'audit.purged',
        entityType: 'audit-events',
        details: { deleted: count, auditYears, before: before.toISOString() },
      });
    return count;
  });
}

export interface RetentionRun {
  anonymised: number;
  auditRowsDeleted: number;
}

/**
 * The daily retention job: anonymises every closed case past the retention period, each in its
 * own transaction, then purges old audit rows. Safe to run twice or on two instances at once.
 */
export async function runRetention(services: { db: Db }, now: Date, actor: Actor = SYSTEM): Promise<RetentionRun> {
  const { db } = services;
  const settings = await retentionSettings(db);
  const before = cutoff(now, settings.closedCaseYears);
  let anonymised = 0;
  let lastId = 0;
  // Pages along the partial index, so memory stays bounded however many cases fall due at once.
  for (;;) {
    const batch = await repo.dueCaseIds(db, before, lastId, BATCH);
    for (const id of batch) {
      if (await anonymiseCase(db, actor, id, now, settings.closedCaseYears)) anonymised += 1;
    }
    if (batch.length < BATCH) break;
    lastId = batch[batch.length - 1];
  }
  const auditRowsDeleted = await purgeAudit(db, actor, now, settings.auditYears);
  return { anonymised, auditRowsDeleted };
}

/** The administrators' page: the settings and what falls due soon, the viewing audited. */
async function overview({ db, clock }: Pick<ServiceDeps, 'db' | 'clock'>, actor: Actor) {
  const now = clock.now();
  const [settings, due] = await Promise.all([retentionSettings(db), casesDueWithin(db, now, PREVIEW_DAYS)]);
  await recordAudit(db, actor, {
    action: 'retention.view',
    entityType: 'retention-settings',
    entityId: 1,
    details: { due: due.total },
  });
  return { settings, due, now };
}

/** Retention as the composition root wires it: the settings, what falls due, and a run now. */
export function retentionService({ db, clock }: ServiceDeps) {
  return {
    settings: () => retentionSettings(db),
    dueWithin: (days: number) => casesDueWithin(db, clock.now(), days),
    overview: (actor: Actor) => overview({ db, clock }, actor),
    save: (actor: Actor, input: RetentionChange) => saveRetentionSettings(db, actor, input, clock.now()),
    run: (actor?: Actor) => runRetention({ db }, clock.now(), actor),
  };
}
