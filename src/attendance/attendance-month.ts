import { DateTime } from 'luxon';
import type { ServiceDeps } from '../service-deps';
import type { Actor, CurrentUser } from '../http/context';
import { HttpError } from '../http/errors';
import { recordAudit } from '../audit/audit';
import { londonDate, londonDateTime } from '../time';
import { attendanceService, saveIn, type PageSave } from './attendance.service';

/** The default window of the month view: the next six weeks. */
export const MONTH_VIEW_DAYS = 42;

export const MONTH_SHAPE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The panels shown: a calendar month ('YYYY-MM', London time) or, without one, the next six weeks. */
export function monthWindow(now: Date, month: string | null) {
  if (month && MONTH_SHAPE.test(month)) {
    const first = `${month}-01`;
    const next = DateTime.fromISO(first).plus({ months: 1 }).toISODate() as string;
    return { month, from: londonDateTime(first, '00:00'), to: londonDateTime(next, '00:00') };
  }
  const end = DateTime.fromISO(londonDate(now))
    .plus({ days: MONTH_VIEW_DAYS + 1 })
    .toISODate() as string;
  return { month: null, from: now, to: londonDateTime(end, '00:00') };
}

/** A refused panel of the month's one save: which panel, and why. Nothing of the save was kept. */
export class MonthPanelRefused extends Error {
  constructor(
    readonly panelId: number,
    readonly refusal: HttpError,
  ) {
    super(refusal.message);
  }
}

/** Runs one panel's part; a refusal is told as that panel's. */
async function refusedAs(panelId: number, part: () => Promise<void>): Promise<void> {
  try {
    await part();
  } catch (err) {
    if (err instanceof HttpError) throw new MonthPanelRefused(panelId, err);
    throw err;
  }
}

/**
 * The single point of contact's month view: every panel the agency is invited to in the window, in
 * every district, with its answer and, for the contact, each case's clinician; all saved at once.
 */
export function attendanceMonthService(deps: ServiceDeps) {
  const attendance = attendanceService(deps);
  const { db, clock } = deps;

  async function panels(user: CurrentUser, actor: Actor, month: string | null) {
    const window = monthWindow(clock.now(), month);
    const upcoming = (await attendance.upcomingForAgency(user.agencyId)).filter(
      (p) => p.startsAt >= window.from && p.startsAt < window.to,
    );
    const isSpoc = user.spocForAgencyId === user.agencyId;
    const result = [];
    for (const p of upcoming) {
      const panel = await attendance.panelOrThrow(p.id);
      const [own] = await attendance.agencyRows(p.id, user.agencyId);
      const items = isSpoc ? await attendance.clinicianItems(p.id, user.agencyId) : [];
      result.push({ panel, own, items });
    }
    await recordAudit(db, actor, {
      action: 'attendance.month',
      entityType: 'agency',
      entityId: user.agencyId,
      details: { panels: result.map((r) => r.panel.id) },
    });
    return { window, isSpoc, panels: result };
  }

  /**
   * Saves every panel's answer and clinicians in one transaction, each under its version check: a
   * refused panel leaves nothing saved, and says which panel it was.
   */
  async function save(user: CurrentUser, actor: Actor, saves: Map<number, PageSave>) {
    for (const [panelId, s] of saves)
      await refusedAs(panelId, async () => {
        await attendance.checkMayAnswer(user, actor, panelId);
        if (s.clinicians) await attendance.checkMayNameClinicians(user, actor, panelId);
      });
    await db.transaction().execute(async (trx) => {
      for (const [panelId, s] of saves)
        await refusedAs(panelId, () => saveIn(trx, clock.now(), user, actor, panelId, s));
    });
  }

  return { panels, save };
}

export type AttendanceMonthService = ReturnType<typeof attendanceMonthService>;
