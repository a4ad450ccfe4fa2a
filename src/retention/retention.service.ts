import type { ServiceDeps } from '../service-deps';
import { DateTime } from 'luxon';
import type { Db } from '../db/database';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../http/context';
import { NotFoundError, StaleVersionError } from '../http/errors';
import * as repo from './retention.repository';
import * as appraisal from './appraisal.repository';
import * as approvals from './approvals.repository';
import { clearOutboxBodies, sentOutboxIdsBefore } from './stores.repository';
import { decideReview, listDueForReview, type Decision } from './appraisal.service';
import {
  auditCutoff,
  decideApproval,
  requestAuditYears,
  requestPurge,
  type ApprovalDecision,
} from './approvals.service';
import { emlFilesOf, removeFiles, type DestructionDeps } from './destruction.service';

export { REMOVED } from './destruction.service';
export const PREVIEW_DAYS = 30;
const SYSTEM: Actor = { userId: null, agencyId: null, ip: null, requestId: null };
const BATCH = 100;
const LISTED = 200;

export interface RetentionSettings {
  closedCaseYears: number;
  auditYears: number;
  outboxBodyDays: number;
  version: number;
  updatedAt: Date;
}

/** What one administrator may change alone; the audit period needs a second (approvals.service). */
export interface RetentionChange {
  closedCaseYears: number;
  outboxBodyDays: number;
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
        outboxBodyDaysFrom: before.outboxBodyDays,
        outboxBodyDaysTo: change.outboxBodyDays,
      },
    });
  });
}

const cutoff = (now: Date, years: number) => DateTime.fromJSDate(now).minus({ years }).toJSDate();

/** Closed cases that will reach the end of retention within `days` and are not yet on the review list. */
export async function casesDueWithin(db: Db, now: Date, days: number, limit = LISTED) {
  const { closedCaseYears } = await retentionSettings(db);
  const horizon = cutoff(DateTime.fromJSDate(now).plus({ days }).toJSDate(), closedCaseYears);
  const { total, rows } = await repo.closedCasesBefore(db, horizon, limit);
  return {
    total,
    cases: rows.map((r) => ({
      ...r,
      closedAt: r.closedAt as Date,
      dueOn: DateTime.fromJSDate(r.closedAt as Date)
        .plus({ years: closedCaseYears })
        .toJSDate(),
    })),
  };
}

/** Clears the bodies and attachments of messages sent more than `outboxBodyDays` ago, and their `.eml` files. */
export async function clearSentMail(deps: DestructionDeps, now: Date, days: number): Promise<number> {
  const before = DateTime.fromJSDate(now).minus({ days }).toJSDate();
  let cleared = 0;
  for (;;) {
    const ids = await sentOutboxIdsBefore(deps.db, before, BATCH);
    if (ids.length === 0) break;
    const files = await emlFilesOf(deps.mailDir, ids);
    cleared += await clearOutboxBodies(deps.db, ids, now);
    await removeFiles(files);
    if (ids.length < BATCH) break;
  }
  return cleared;
}

export interface RetentionRun {
  listedForReview: number;
  mailCleared: number;
}

/**
 * The daily job: lists cases past their period for review (nothing is destroyed without a person's
 * decision) and clears old e-mail bodies. Safe to run twice or on two instances at once.
 */
export async function runRetention(deps: DestructionDeps, now: Date, actor: Actor = SYSTEM): Promise<RetentionRun> {
  const settings = await retentionSettings(deps.db);
  const listedForReview = await listDueForReview(deps.db, now, settings.closedCaseYears);
  const mailCleared = await clearSentMail(deps, now, settings.outboxBodyDays);
  if (listedForReview > 0 || mailCleared > 0 || actor.userId !== null)
    await recordAudit(deps.db, actor, {
      action: 'retention.run',
      entityType: 'retention-settings',
      entityId: 1,
      details: { listedForReview, mailCleared },
    });
  return { listedForReview, mailCleared };
}

/** The administrators' page: settings, the review list, holds, extensions, certificates and approvals. */
async function overview({ db, clock }: Pick<ServiceDeps, 'db' | 'clock'>, actor: Actor) {
  const now = clock.now();
  const settings = await retentionSettings(db);
  const upcoming = await casesDueWithin(db, now, PREVIEW_DAYS);
  const due = await appraisal.reviewsWithStatus(db, ['due'], LISTED);
  const kept = await appraisal.reviewsWithStatus(db, ['held', 'extended'], LISTED);
  const certificates = await appraisal.listCertificates(db, 20);
  const pending = await approvals.pendingApprovals(db);
  const auditPastPeriod = await approvals.countAuditBefore(db, auditCutoff(now, settings.auditYears));
  await recordAudit(db, actor, {
    action: 'retention.view',
    entityType: 'retention-settings',
    entityId: 1,
    details: { due: due.length, upcoming: upcoming.total },
  });
  return { settings, upcoming, due, kept, certificates, pending, auditPastPeriod, now };
}

/** Retention as the composition root wires it. */
export function retentionService(deps: ServiceDeps, options: { mailDir: string | null } = { mailDir: null }) {
  const { db, clock } = deps;
  const destruction: DestructionDeps = { db, documents: deps.documents, mailDir: options.mailDir };
  return {
    settings: () => retentionSettings(db),
    dueWithin: (days: number) => casesDueWithin(db, clock.now(), days),
    overview: (actor: Actor) => overview({ db, clock }, actor),
    certificates: () => appraisal.listCertificates(db, 1000),
    review: async (actor: Actor, referralId: number) => {
      const review = await appraisal.openReview(db, referralId);
      if (!review) throw new NotFoundError();
      await recordAudit(db, actor, { action: 'retention.review-view', entityType: 'referral', entityId: referralId });
      return review;
    },
    save: (actor: Actor, input: RetentionChange) => saveRetentionSettings(db, actor, input, clock.now()),
    run: (actor?: Actor) => runRetention(destruction, clock.now(), actor),
    decide: (actor: Actor & { userId: number }, referralId: number, version: number, decision: Decision) =>
      decideReview(destruction, actor, referralId, version, decision, clock.now()),
    requestAuditYears: (actor: Actor & { userId: number }, years: number) =>
      requestAuditYears(db, actor, years, clock.now()),
    requestPurge: (actor: Actor & { userId: number }) => requestPurge(db, actor, clock.now()),
    decideApproval: (actor: Actor & { userId: number }, id: number, decision: ApprovalDecision) =>
      decideApproval(db, actor, id, decision, clock.now()),
  };
}
