import type { ServiceDeps } from '../service-deps';
import { DateTime } from 'luxon';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../http/context';

type Db = Kysely<Database>;

/** What replaces free text that cannot be emptied (the column is NOT NULL). */
export const REMOVED = 'Removed under the retention policy.';
export const PREVIEW_DAYS = 30;
const SYSTEM: Actor = { userId: null, agencyId: null, ip: null, requestId: null };

export interface RetentionSettings {
  closedCaseYears: number;
  auditYears: number;
  version: number;
  updatedAt: Date;
}

export async function retentionSettings(db: Db): Promise<RetentionSettings> {
  return db.selectFrom('retentionSettings').select(['closedCaseYears', 'auditYears', 'version', 'updatedAt']).where('id', '=', 1).executeTakeFirstOrThrow();
}

/** Saves new periods unless someone else saved since the form was loaded. */
export async function saveRetentionSettings(
  db: Db,
  actor: Actor,
  change: { closedCaseYears: number; auditYears: number; version: number },
  now: Date,
): Promise<{ ok: true } | { ok: false; stale: true }> {
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('retentionSettings').select(['closedCaseYears', 'auditYears']).where('id', '=', 1).executeTakeFirstOrThrow();
    const updated = await trx
      .updateTable('retentionSettings')
      .set({ closedCaseYears: change.closedCaseYears, auditYears: change.auditYears, updatedBy: actor.userId, updatedAt: now, version: sql`version + 1` })
      .where('id', '=', 1)
      .where('version', '=', change.version)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return { ok: false, stale: true } as const;
    await recordAudit(trx, actor, {
      action: 'retention.settings-changed',
      entityType: 'retention-settings',
      entityId: 1,
      details: { closedCaseYearsFrom: before.closedCaseYears, closedCaseYearsTo: change.closedCaseYears, auditYearsFrom: before.auditYears, auditYearsTo: change.auditYears },
    });
    return { ok: true } as const;
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
export async function casesDueWithin(db: Db, now: Date, days: number, limit = 200): Promise<{ total: number; cases: DueCase[] }> {
  const { closedCaseYears } = await retentionSettings(db);
  const horizon = cutoff(DateTime.fromJSDate(now).plus({ days }).toJSDate(), closedCaseYears);
  const base = db
    .selectFrom('referrals')
    .where('status', '=', 'closed')
    .where('anonymisedAt', 'is', null)
    .where('closedAt', 'is not', null)
    .where('closedAt', '<', horizon);
  const [{ total }, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
    base
      .leftJoin('districts', 'districts.id', 'referrals.districtId')
      .select(['referrals.id', 'referrals.reference', 'districts.name as districtName', 'referrals.closedAt'])
      .orderBy('referrals.closedAt')
      .orderBy('referrals.id')
      .limit(limit)
      .execute(),
  ]);
  return {
    total: Number(total),
    cases: rows.map((r) => ({ ...r, closedAt: r.closedAt as Date, anonymiseOn: DateTime.fromJSDate(r.closedAt as Date).plus({ years: closedCaseYears }).toJSDate() })),
  };
}

/**
 * Removes a closed case's personal data and free text, keeping what the reports count: dates,
 * codes, districts, agencies, statuses, subject types and vulnerabilities. One transaction, so a
 * case is never left half anonymised.
 */
export async function anonymiseCase(db: Db, actor: Actor, referralId: number, now: Date, closedCaseYears: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('referrals')
      .set({
        officerName: null,
        officerRole: null,
        officerPhone: null,
        officerEmail: null,
        reason: null,
        triedOther: null,
        triedDetails: null,
        consentReason: null,
        judgementReasons: null,
        screeningNote: null,
        closedReason: null,
        searchText: '',
        anonymisedAt: now,
      })
      .where('id', '=', referralId)
      .where('status', '=', 'closed')
      .where('anonymisedAt', 'is', null)
      .executeTakeFirst();
    // Already done by another instance, or reopened since it was listed.
    if (Number(updated.numUpdatedRows) === 0) return false;
    await trx
      .updateTable('referralSubjects')
      .set({ fullName: null, nameKey: null, dateOfBirth: null, address: null, addressKey: null, postcode: null, postcodeKey: null, description: null })
      .where('referralId', '=', referralId)
      .execute();
    await trx.updateTable('referralIncidents').set({ summary: null, agencyReference: null }).where('referralId', '=', referralId).execute();
    await trx.updateTable('referralEvents').set({ note: null }).where('referralId', '=', referralId).execute();
    const items = trx.selectFrom('agendaItems').select('id').where('referralId', '=', referralId);
    await trx.updateTable('agendaItems').set({ removedReason: null }).where('referralId', '=', referralId).execute();
    await trx.updateTable('meetingRecords').set({ discussion: null, decisionNote: null, deferredReason: null }).where('agendaItemId', 'in', items).execute();
    await trx.updateTable('sharedInformation').set({ text: REMOVED }).where('agendaItemId', 'in', items).execute();
    await trx.updateTable('researchRequests').set({ summary: null }).where('agendaItemId', 'in', items).execute();
    await trx.updateTable('clinicianAttendance').set({ clinicianName: null }).where('agendaItemId', 'in', items).execute();
    const actions = trx.selectFrom('actions').select('id').where('referralId', '=', referralId);
    await trx.updateTable('actionUpdates').set({ note: null }).where('actionId', 'in', actions).execute();
    await trx.updateTable('actions').set({ description: REMOVED, ownerName: null }).where('referralId', '=', referralId).execute();
    await recordAudit(trx, actor, {
      action: 'referral.anonymised',
      entityType: 'referral',
      entityId: referralId,
      details: { closedCaseYears },
    });
    return true;
  });
}

/** Deletes audit rows older than the audit period; the trigger allows it only with the purge setting on. */
export async function purgeAudit(db: Db, actor: Actor, now: Date, auditYears: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await sql`set local asbrac.audit_purge = 'on'`.execute(trx);
    const before = cutoff(now, auditYears);
    const deleted = await trx.deleteFrom('auditEvents').where('at', '<', before).executeTakeFirst();
    const count = Number(deleted.numDeletedRows);
    await sql`set local asbrac.audit_purge = 'off'`.execute(trx);
    // An hourly run that found nothing is not worth a row; a purge, or one asked for by a person, is.
    if (count > 0 || actor.userId !== null) await recordAudit(trx, actor, { action: 'audit.purged', entityType: 'audit-events', details: { deleted: count, auditYears, before: before.toISOString() } });
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
    const batch = await db
      .selectFrom('referrals')
      .select('id')
      .where('status', '=', 'closed')
      .where('anonymisedAt', 'is', null)
      .where('closedAt', '<', before)
      .where('id', '>', lastId)
      .orderBy('id')
      .limit(100)
      .execute();
    for (const { id } of batch) {
      if (await anonymiseCase(db, actor, id, now, settings.closedCaseYears)) anonymised += 1;
    }
    if (batch.length < 100) break;
    lastId = batch[batch.length - 1].id;
  }
  const auditRowsDeleted = await purgeAudit(db, actor, now, settings.auditYears);
  return { anonymised, auditRowsDeleted };
}

/** Retention as the composition root wires it: the settings, what falls due, and a run now. */
export function retentionService({ db, clock }: ServiceDeps) {
  return {
    settings: () => retentionSettings(db),
    dueWithin: (days: number) => casesDueWithin(db, clock.now(), days),
    save: (actor: Actor, input: Parameters<typeof saveRetentionSettings>[2]) => saveRetentionSettings(db, actor, input, clock.now()),
    run: (actor?: Actor) => runRetention({ db }, clock.now(), actor),
  };
}
