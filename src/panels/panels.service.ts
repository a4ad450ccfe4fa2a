import type { ServiceDeps } from '../service-deps';
import { ZONE, londonDateTime } from '../time';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import type { Db } from '../db/database';
import type { PanelStatus } from '../db/schema';
import type { Actor, CurrentUser } from '../http/context';
import { recordAudit } from '../audit/audit';
import { queueInvitations } from '../invitations/invitations';

import { requireVisiblePanel, visiblePanels } from './panel-access';
import { type PanelInput, type TimesInput } from './panel-form';
import { defaultResearchClosingDate } from './working-days';
import { ruleName, type MonthlyRule } from './series';

export const PANEL_STATUSES: readonly PanelStatus[] = ['scheduled', 'agenda-published', 'in-progress', 'concluded', 'minutes-approved', 'minutes-circulated', 'cancelled'];

export const PANEL_STATUS_NAMES: Record<PanelStatus, string> = {
  scheduled: 'Scheduled',
  'agenda-published': 'Agenda published',
  'in-progress': 'In progress',
  concluded: 'Concluded',
  'minutes-approved': 'Minutes approved',
  'minutes-circulated': 'Minutes circulated',
  cancelled: 'Cancelled',
};

export const PANEL_STATUS_TAGS: Record<PanelStatus, string> = {
  scheduled: 'govuk-tag--grey',
  'agenda-published': 'govuk-tag--blue',
  'in-progress': 'govuk-tag--yellow',
  concluded: 'govuk-tag--green',
  'minutes-approved': 'govuk-tag--turquoise',
  'minutes-circulated': 'govuk-tag--purple',
  cancelled: 'govuk-tag--red',
};

/** Panels that can still be moved or cancelled: not yet held. */
export const CHANGEABLE: readonly PanelStatus[] = ['scheduled', 'agenda-published'];

export type SaveResult = { ok: true; id: number } | { ok: false; reason: 'stale' | 'not-changeable' } | { ok: false; reason: 'invalid'; errors: Record<string, string> };

export interface ListFilters {
  districtId: number | null;
  status: PanelStatus | null;
  when: 'upcoming' | 'past';
}

export function panelsService({ db, clock, links, mail }: ServiceDeps) {
  const { baseUrl } = links;
  const pokeMail = () => mail.poke();
  const today = () => DateTime.fromJSDate(clock.now()).setZone(ZONE).toISODate() as string;

  async function districts() {
    return db.selectFrom('districts').select(['id', 'name']).orderBy('name').execute();
  }

  async function chairs() {
    return db.selectFrom('users').select(['id', 'name']).where('role', '=', 'chair').where('active', '=', true).orderBy('name').execute();
  }

  async function agencies() {
    return db.selectFrom('agencies').select(['id', 'name', 'shortName', 'coreMember', 'districtId']).where('active', '=', true).orderBy('name').execute();
  }

  /** The core members that cover a district: countywide core agencies and the district's own. */
  async function coreAgencyIds(trx: Db, districtId: number): Promise<number[]> {
    const rows = await trx
      .selectFrom('agencies')
      .select('id')
      .where('active', '=', true)
      .where('coreMember', '=', true)
      .where((eb) => eb.or([eb('districtId', 'is', null), eb('districtId', '=', districtId)]))
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** Checks what only the database knows: the chair holds the chair role; the agencies exist and are active. */
  async function checkReferences(trx: Db, chairUserId: number, agencyIds: number[], districtId: number | null): Promise<Record<string, string>> {
    const errors: Record<string, string> = {};
    const chair = await trx.selectFrom('users').select(['role', 'active']).where('id', '=', chairUserId).executeTakeFirst();
    if (!chair || chair.role !== 'chair' || !chair.active) errors.chairUserId = 'Select a chair: the person must have the chair role';
    if (agencyIds.length) {
      const found = await trx.selectFrom('agencies').select('id').where('id', 'in', agencyIds).where('active', '=', true).execute();
      if (found.length !== agencyIds.length) errors.agencyIds = 'Select agencies from the list';
    }
    if (districtId !== null) {
      const district = await trx.selectFrom('districts').select('id').where('id', '=', districtId).executeTakeFirst();
      if (!district) errors.districtId = 'Select the district';
    }
    return errors;
  }

  async function list(user: CurrentUser, filters: ListFilters) {
    const now = clock.now();
    let q = db
      .selectFrom('panels')
      .innerJoin('districts', 'districts.id', 'panels.districtId')
      .innerJoin('users as chair', 'chair.id', 'panels.chairUserId')
      .select([
        'panels.id',
        'panels.startsAt',
        'panels.endsAt',
        'panels.status',
        'panels.agendaVersion',
        'panels.researchClosesOn',
        'districts.name as districtName',
        'chair.name as chairName',
        (eb) =>
          eb
            .selectFrom('agendaItems')
            .select((e) => e.fn.countAll<string>().as('n'))
            .whereRef('agendaItems.panelId', '=', 'panels.id')
            .where('agendaItems.removedAt', 'is', null)
            .as('itemCount'),
      ])
      .where(visiblePanels(user));
    if (filters.districtId) q = q.where('panels.districtId', '=', filters.districtId);
    if (filters.status) q = q.where('panels.status', '=', filters.status);
    q = filters.when === 'upcoming' ? q.where('panels.endsAt', '>=', now).orderBy('panels.startsAt', 'asc') : q.where('panels.endsAt', '<', now).orderBy('panels.startsAt', 'desc');
    const rows = await q.orderBy('panels.id').limit(200).execute();
    return rows.map((r) => ({ ...r, itemCount: Number(r.itemCount ?? 0) }));
  }

  async function invitations(trx: Db, panelId: number) {
    return trx
      .selectFrom('panelInvitations')
      .innerJoin('agencies', 'agencies.id', 'panelInvitations.agencyId')
      .select(['agencies.id', 'agencies.name', 'agencies.shortName', 'panelInvitations.reason'])
      .where('panelInvitations.panelId', '=', panelId)
      .orderBy('agencies.name')
      .execute();
  }

  /** A panel's overview, for anyone who may see it; the view is audited. */
  async function view(user: CurrentUser, actor: Actor, panelId: number) {
    const panel = await requireVisiblePanel(db, user, actor, panelId, 'panel.view');
    const details = await db
      .selectFrom('panels')
      .innerJoin('districts', 'districts.id', 'panels.districtId')
      .innerJoin('users as chair', 'chair.id', 'panels.chairUserId')
      .leftJoin('panelSeries', 'panelSeries.id', 'panels.seriesId')
      .select(['districts.name as districtName', 'chair.name as chairName', 'panelSeries.rule as seriesRule'])
      .where('panels.id', '=', panelId)
      .executeTakeFirstOrThrow();
    const invited = await invitations(db, panelId);
    await recordAudit(db, actor, { action: 'panel.view', entityType: 'panel', entityId: panelId });
    return { panel, ...details, invited };
  }

  /** The panel with its invited agencies, for the edit and cancel forms (chairs and administrators). */
  async function forChange(user: CurrentUser, actor: Actor, panelId: number) {
    const panel = await requireVisiblePanel(db, user, actor, panelId, 'panel.update');
    const invited = await invitations(db, panelId);
    const district = await db.selectFrom('districts').select('name').where('id', '=', panel.districtId).executeTakeFirstOrThrow();
    return { panel, invited, districtName: district.name };
  }

  async function create(user: CurrentUser, actor: Actor, input: PanelInput): Promise<SaveResult> {
    const result = await db.transaction().execute(async (trx): Promise<SaveResult> => {
      const errors = await checkReferences(trx, input.chairUserId, input.agencyIds, input.districtId);
      if (Object.keys(errors).length) return { ok: false, reason: 'invalid', errors };
      const core = new Set(await coreAgencyIds(trx, input.districtId));
      const row = await trx
        .insertInto('panels')
        .values({
          districtId: input.districtId,
          startsAt: input.startsAt,
          endsAt: input.endsAt,
          venue: input.venue,
          onlineLink: input.onlineLink,
          chairUserId: input.chairUserId,
          researchClosesOn: input.researchClosesOn,
          createdBy: user.id,
          createdAt: clock.now(),
          updatedAt: clock.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('panelInvitations')
        .values(input.agencyIds.map((agencyId) => ({ panelId: row.id, agencyId, reason: core.has(agencyId) ? ('core' as const) : ('added' as const), invitedAt: clock.now() })))
        .execute();
      const sent = await queueInvitations(trx, { panelId: row.id, method: 'REQUEST', reason: 'scheduled', baseUrl, clock });
      await recordAudit(trx, actor, { action: 'panel.create', entityType: 'panel', entityId: row.id, details: { districtId: input.districtId, agencies: input.agencyIds.length, messages: sent } });
      return { ok: true, id: row.id };
    });
    if (result.ok) pokeMail();
    return result;
  }

  /**
   * A monthly series in one step: one panel on each chosen date, each inviting the district's core
   * agencies, with the research closing date two working days before.
   */
  async function createSeries(user: CurrentUser, actor: Actor, input: { districtId: number; rule: MonthlyRule; dates: string[]; times: TimesInput }) {
    const result = await db.transaction().execute(async (trx) => {
      const errors = await checkReferences(trx, input.times.chairUserId, [], input.districtId);
      if (Object.keys(errors).length) return { ok: false as const, errors };
      const series = await trx
        .insertInto('panelSeries')
        .values({ districtId: input.districtId, rule: `${ruleName(input.rule)}, ${input.times.startTime}-${input.times.endTime}`, createdBy: user.id, createdAt: clock.now() })
        .returning('id')
        .executeTakeFirstOrThrow();
      const agencyIds = await coreAgencyIds(trx, input.districtId);
      const ids: number[] = [];
      for (const date of input.dates) {
        const row = await trx
          .insertInto('panels')
          .values({
            districtId: input.districtId,
            seriesId: series.id,
            startsAt: londonDateTime(date, input.times.startTime),
            endsAt: londonDateTime(date, input.times.endTime),
            venue: input.times.venue,
            onlineLink: input.times.onlineLink,
            chairUserId: input.times.chairUserId,
            researchClosesOn: defaultResearchClosingDate(date),
            createdBy: user.id,
            createdAt: clock.now(),
            updatedAt: clock.now(),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        if (agencyIds.length) await trx.insertInto('panelInvitations').values(agencyIds.map((agencyId) => ({ panelId: row.id, agencyId, reason: 'core' as const, invitedAt: clock.now() }))).execute();
        await queueInvitations(trx, { panelId: row.id, method: 'REQUEST', reason: 'scheduled', baseUrl, clock });
        ids.push(row.id);
      }
      await recordAudit(trx, actor, { action: 'panel.series.create', entityType: 'panel-series', entityId: series.id, details: { districtId: input.districtId, panels: ids } });
      return { ok: true as const, seriesId: series.id, ids };
    });
    if (result.ok) pokeMail();
    return result;
  }

  /**
   * Edits or reschedules a panel. A change of date, time or place raises the calendar sequence and
   * re-sends the invitation to everyone; newly invited agencies get the invitation.
   */
  async function update(user: CurrentUser, actor: Actor, panelId: number, version: number, input: PanelInput): Promise<SaveResult> {
    const result = await db.transaction().execute(async (trx): Promise<SaveResult> => {
      const current = await trx.selectFrom('panels').selectAll().where('id', '=', panelId).forUpdate().executeTakeFirstOrThrow();
      if (current.version !== version) return { ok: false, reason: 'stale' };
      if (!CHANGEABLE.includes(current.status)) return { ok: false, reason: 'not-changeable' };
      const errors = await checkReferences(trx, input.chairUserId, input.agencyIds, null);
      if (input.districtId !== current.districtId) errors.districtId = 'A panel cannot move to another district: cancel it and schedule a new one';
      if (Object.keys(errors).length) return { ok: false, reason: 'invalid', errors };
      const moved =
        current.startsAt.getTime() !== input.startsAt.getTime() ||
        current.endsAt.getTime() !== input.endsAt.getTime() ||
        (current.venue ?? '') !== (input.venue ?? '') ||
        (current.onlineLink ?? '') !== (input.onlineLink ?? '');
      await trx
        .updateTable('panels')
        .set({
          startsAt: input.startsAt,
          endsAt: input.endsAt,
          venue: input.venue,
          onlineLink: input.onlineLink,
          chairUserId: input.chairUserId,
          researchClosesOn: input.researchClosesOn,
          icsSequence: moved ? sql<number>`ics_sequence + 1` : current.icsSequence,
          version: sql<number>`version + 1`,
          updatedAt: clock.now(),
        })
        .where('id', '=', panelId)
        .execute();
      const before = await trx.selectFrom('panelInvitations').select(['agencyId', 'reason']).where('panelId', '=', panelId).execute();
      const beforeIds = new Set(before.map((b) => b.agencyId));
      const wanted = new Set(input.agencyIds);
      const core = new Set(await coreAgencyIds(trx, current.districtId));
      const added = input.agencyIds.filter((id) => !beforeIds.has(id));
      // A referring agency stays invited while its case is on the agenda.
      const removed = before.filter((b) => !wanted.has(b.agencyId) && b.reason !== 'referrer').map((b) => b.agencyId);
      if (added.length) {
        await trx
          .insertInto('panelInvitations')
          .values(added.map((agencyId) => ({ panelId, agencyId, reason: core.has(agencyId) ? ('core' as const) : ('added' as const), invitedAt: clock.now() })))
          .execute();
      }
      if (removed.length) {
        await trx.deleteFrom('researchRequests').where('panelId', '=', panelId).where('agencyId', 'in', removed).where('status', '=', 'requested').execute();
        await trx.deleteFrom('panelInvitations').where('panelId', '=', panelId).where('agencyId', 'in', removed).execute();
        // Those no longer invited are told, so the event leaves their calendars.
        await queueInvitations(trx, { panelId, method: 'CANCEL', reason: 'cancelled', baseUrl, clock, agencyIds: removed });
      }
      const stayed = input.agencyIds.filter((id) => beforeIds.has(id));
      if (moved && stayed.length) await queueInvitations(trx, { panelId, method: 'REQUEST', reason: 'changed', baseUrl, clock, agencyIds: stayed });
      if (added.length) {
        await queueInvitations(trx, { panelId, method: 'REQUEST', reason: current.agendaVersion > 0 ? 'agenda-published' : 'scheduled', baseUrl, clock, agencyIds: added });
        if (current.agendaVersion > 0) await addResearchRequests(trx, panelId, clock.now());
      }
      await recordAudit(trx, actor, { action: 'panel.update', entityType: 'panel', entityId: panelId, details: { moved, added, removed } });
      return { ok: true, id: panelId };
    });
    if (result.ok) pokeMail();
    return result;
  }

  /** Cancels a panel and tells every invitee; its cases stay awaiting a panel. */
  async function cancel(user: CurrentUser, actor: Actor, panelId: number, version: number, reason: string): Promise<SaveResult> {
    const result = await db.transaction().execute(async (trx): Promise<SaveResult> => {
      const current = await trx.selectFrom('panels').selectAll().where('id', '=', panelId).forUpdate().executeTakeFirstOrThrow();
      if (current.version !== version) return { ok: false, reason: 'stale' };
      if (!CHANGEABLE.includes(current.status)) return { ok: false, reason: 'not-changeable' };
      await trx
        .updateTable('panels')
        .set({ status: 'cancelled', cancelledReason: reason, icsSequence: sql<number>`ics_sequence + 1`, version: sql<number>`version + 1`, updatedAt: clock.now() })
        .where('id', '=', panelId)
        .execute();
      const sent = await queueInvitations(trx, { panelId, method: 'CANCEL', reason: 'cancelled', baseUrl, clock });
      await recordAudit(trx, actor, { action: 'panel.cancel', entityType: 'panel', entityId: panelId, details: { messages: sent } });
      return { ok: true, id: panelId };
    });
    if (result.ok) pokeMail();
    return result;
  }

  return { today, districts, chairs, agencies, coreAgencyIds, list, view, forChange, create, createSeries, update, cancel, invitations };
}

/** One research request per current case item and invited agency; existing requests are kept. */
export async function addResearchRequests(trx: Db, panelId: number, at: Date): Promise<void> {
  await sql`
    insert into research_requests (panel_id, agenda_item_id, agency_id, created_at)
    select i.panel_id, i.id, v.agency_id, ${at}::timestamptz
      from agenda_items i
      join panel_invitations v on v.panel_id = i.panel_id
     where i.panel_id = ${panelId} and i.referral_id is not null and i.removed_at is null
    on conflict (agenda_item_id, agency_id) do nothing`.execute(trx);
}

export type PanelsService = ReturnType<typeof panelsService>;
