import type { ServiceDeps } from '../service-deps';
import { londonDate, londonTime } from '../time';
import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { AgendaItemKind } from '../db/schema';
import type { Actor, CurrentUser } from '../http/context';
import { NotFoundError } from '../http/errors';
import { recordAudit } from '../audit/audit';
import { queueInvitations } from '../invitations/invitations';
import { requireVisiblePanel } from '../panels/panel-access';

import { addResearchRequests } from '../panels/panels.service';
import { addableCases, candidateCases, caseDetails, childrenFlags, currentItems } from './agenda.repository';
import { agendaChanges, NEW_CASE_MINUTES, OTHER_BUSINESS_MINUTES, proposeAgenda, REVIEW_MINUTES, timeSlots, type SnapshotItem } from './proposal';

/** Agendas can be built while the panel is still to come. */
const EDITABLE = ['scheduled', 'agenda-published'];

export type AgendaChange =
  | { kind: 'propose' }
  | { kind: 'move'; itemId: number; direction: 'up' | 'down' }
  | { kind: 'save'; items: { id: number; minutes: number; presentingAgencyId: number | null }[] }
  | { kind: 'remove'; itemId: number; reason: string }
  | { kind: 'add-case'; referralId: number; minutes: number | null }
  | { kind: 'add-other'; title: string; minutes: number }
  | { kind: 'publish' };

export type ChangeResult = { ok: true; message: string } | { ok: false; reason: 'stale' | 'closed' | 'unchanged' | 'empty' | 'not-addable' };

export function agendaService({ db, clock, links, mail }: Omit<ServiceDeps, 'documents'>) {
  const { baseUrl } = links;
  const pokeMail = () => mail.poke();
  async function snapshot(trx: Db, panel: { id: number; startsAt: Date; endsAt: Date }): Promise<SnapshotItem[]> {
    const items = await currentItems(trx, panel.id);
    const { slots } = timeSlots(panel, items);
    return items.map((i, n) => ({
      key: i.referralId ? `case:${i.referralId}` : `other:${i.id}`,
      label: i.reference ?? i.title ?? `Item ${n + 1}`,
      kind: i.kind,
      position: n + 1,
      startsAt: londonTime(slots[n].startsAt),
      minutes: i.minutesAllotted,
      referralId: i.referralId,
      reference: i.reference,
      title: i.title,
      presentingAgency: i.presentingAgency,
    }));
  }

  /** The builder's view: the working agenda with slots, removed items, what can be added, the versions. */
  async function builder(user: CurrentUser, actor: Actor, panelId: number) {
    const panel = await requireVisiblePanel(db, user, actor, panelId, 'agenda.view');
    const district = await db.selectFrom('districts').select('name').where('id', '=', panel.districtId).executeTakeFirstOrThrow();
    const items = await currentItems(db, panelId);
    const timing = timeSlots(panel, items);
    const removed = await db
      .selectFrom('agendaItems')
      .leftJoin('referrals', 'referrals.id', 'agendaItems.referralId')
      .select(['agendaItems.id', 'agendaItems.title', 'agendaItems.removedAt', 'agendaItems.removedReason', 'referrals.reference'])
      .where('agendaItems.panelId', '=', panelId)
      .where('agendaItems.removedAt', 'is not', null)
      .orderBy('agendaItems.removedAt')
      .execute();
    const versions = await db.selectFrom('agendaVersions').select(['version', 'publishedAt', 'changes']).where('panelId', '=', panelId).orderBy('version', 'desc').execute();
    let unpublished = false;
    if (panel.agendaVersion > 0) {
      const last = await db.selectFrom('agendaVersions').select('items').where('panelId', '=', panelId).where('version', '=', panel.agendaVersion).executeTakeFirstOrThrow();
      unpublished = agendaChanges(last.items as SnapshotItem[], await snapshot(db, panel)).length > 0;
    }
    const addable = await addableCases(db, panel);
    const agencies = await db.selectFrom('agencies').select(['id', 'shortName']).where('active', '=', true).orderBy('shortName').execute();
    await recordAudit(db, actor, { action: 'agenda.view', entityType: 'panel', entityId: panelId, details: { page: 'builder', items: items.length } });
    return { panel, districtName: district.name, items, timing, removed, versions, unpublished, addable, agencies, editable: EDITABLE.includes(panel.status) };
  }

  /**
   * The published agenda as invitees see it (and the PDF): the latest version's items, with the
   * minimum detail an agency needs to search its records. Null when nothing is published.
   */
  async function published(user: CurrentUser, actor: Actor, panelId: number, page: 'html' | 'pdf') {
    const panel = await requireVisiblePanel(db, user, actor, panelId, 'agenda.view');
    if (panel.agendaVersion === 0) {
      if (user.role === 'representative') {
        await recordAudit(db, actor, { action: 'agenda.view', outcome: 'denied', entityType: 'panel', entityId: panelId, details: { reason: 'unpublished' } });
        throw new NotFoundError();
      }
      return null;
    }
    const version = await db.selectFrom('agendaVersions').selectAll().where('panelId', '=', panelId).where('version', '=', panel.agendaVersion).executeTakeFirstOrThrow();
    const items = version.items as SnapshotItem[];
    const referralIds = items.map((i) => i.referralId).filter((id): id is number => id !== null);
    const details = await caseDetails(db, referralIds);
    const referrers = referralIds.length
      ? await db.selectFrom('referrals').innerJoin('agencies', 'agencies.id', 'referrals.referringAgencyId').select(['referrals.id', 'agencies.name']).where('referrals.id', 'in', referralIds).execute()
      : [];
    const referrerOf = new Map(referrers.map((r) => [r.id, r.name]));
    const meta = await db
      .selectFrom('panels')
      .innerJoin('districts', 'districts.id', 'panels.districtId')
      .innerJoin('users', 'users.id', 'panels.chairUserId')
      .select(['districts.name as districtName', 'users.name as chairName'])
      .where('panels.id', '=', panelId)
      .executeTakeFirstOrThrow();
    await recordAudit(db, actor, { action: page === 'pdf' ? 'agenda.export' : 'agenda.view', entityType: 'panel', entityId: panelId, details: { version: panel.agendaVersion, cases: referralIds } });
    return {
      panel,
      ...meta,
      version: version.version,
      publishedAt: version.publishedAt,
      changes: version.changes,
      items: items.map((i) => ({
        ...i,
        subjects: i.referralId ? (details.subjects.get(i.referralId) ?? []) : [],
        reason: i.referralId ? (details.reasons.get(i.referralId) ?? null) : null,
        referringAgency: i.referralId ? (referrerOf.get(i.referralId) ?? null) : null,
      })),
    };
  }

  async function publishIn(trx: Db, user: CurrentUser, actor: Actor, panel: { id: number; startsAt: Date; endsAt: Date; agendaVersion: number; status: string }): Promise<ChangeResult> {
    const items = await snapshot(trx, panel);
    if (items.length === 0) return { ok: false, reason: 'empty' };
    const previous = panel.agendaVersion > 0 ? await trx.selectFrom('agendaVersions').select('items').where('panelId', '=', panel.id).where('version', '=', panel.agendaVersion).executeTakeFirstOrThrow() : null;
    const previousItems = (previous?.items ?? []) as SnapshotItem[];
    const changes = previous ? agendaChanges(previousItems, items) : [];
    if (previous && changes.length === 0) return { ok: false, reason: 'unchanged' };
    const version = panel.agendaVersion + 1;
    await trx
      .insertInto('agendaVersions')
      .values({ panelId: panel.id, version, publishedAt: clock.now(), publishedBy: user.id, changes: JSON.stringify(changes), items: JSON.stringify(items) })
      .execute();
    await trx.updateTable('panels').set({ agendaVersion: version, status: 'agenda-published', updatedAt: clock.now() }).where('id', '=', panel.id).execute();
    // The referring agency of each case on the agenda is invited, so it can present and research.
    const invitedBefore = new Set((await trx.selectFrom('panelInvitations').select('agencyId').where('panelId', '=', panel.id).execute()).map((r) => r.agencyId));
    await sql`
      insert into panel_invitations (panel_id, agency_id, reason, invited_at)
      select distinct ${panel.id}::int, r.referring_agency_id, 'referrer', ${clock.now()}::timestamptz
        from agenda_items i join referrals r on r.id = i.referral_id
        join agencies a on a.id = r.referring_agency_id and a.active
       where i.panel_id = ${panel.id} and i.removed_at is null
      on conflict (panel_id, agency_id) do nothing`.execute(trx);
    const invitedNow = (await trx.selectFrom('panelInvitations').select('agencyId').where('panelId', '=', panel.id).execute()).map((r) => r.agencyId);
    const newlyInvited = invitedNow.filter((id) => !invitedBefore.has(id));
    // Requests for items taken off the agenda go, unless already answered.
    await sql`delete from research_requests rr using agenda_items i where rr.agenda_item_id = i.id and i.panel_id = ${panel.id} and i.removed_at is not null and rr.status = 'requested'`.execute(trx);
    await addResearchRequests(trx, panel.id, clock.now());
    const listedBefore = new Set(previousItems.map((i) => i.referralId));
    const listed = items.map((i) => i.referralId).filter((id): id is number => id !== null && !listedBefore.has(id));
    if (listed.length) {
      await trx
        .insertInto('referralEvents')
        .values(listed.map((referralId) => ({ referralId, at: clock.now(), userId: user.id, agencyId: user.agencyId, kind: 'listed', note: null, details: JSON.stringify({ panelId: panel.id, version }) })))
        .execute();
    }
    let messages = 0;
    if (version === 1) messages = await queueInvitations(trx, { panelId: panel.id, method: 'REQUEST', reason: 'agenda-published', baseUrl, clock });
    else {
      const existing = invitedNow.filter((id) => !newlyInvited.includes(id));
      if (existing.length) messages += await queueInvitations(trx, { panelId: panel.id, method: 'REQUEST', reason: 'changed', baseUrl, clock, agencyIds: existing });
      if (newlyInvited.length) messages += await queueInvitations(trx, { panelId: panel.id, method: 'REQUEST', reason: 'agenda-published', baseUrl, clock, agencyIds: newlyInvited });
    }
    await recordAudit(trx, actor, { action: 'agenda.publish', entityType: 'panel', entityId: panel.id, details: { version, items: items.length, changes: changes.length, messages, listed } });
    return { ok: true, message: version === 1 ? 'The agenda has been published' : `Version ${version} of the agenda has been published` };
  }

  /** Applies one change to the working agenda, refusing a form made against an older revision. */
  async function change(user: CurrentUser, actor: Actor, panelId: number, revision: number, action: AgendaChange): Promise<ChangeResult> {
    await requireVisiblePanel(db, user, actor, panelId, 'agenda.update');
    const result = await db.transaction().execute(async (trx): Promise<ChangeResult> => {
      const panel = await trx.selectFrom('panels').selectAll().where('id', '=', panelId).forUpdate().executeTakeFirstOrThrow();
      if (!EDITABLE.includes(panel.status)) return { ok: false, reason: 'closed' };
      if (panel.agendaRevision !== revision) return { ok: false, reason: 'stale' };
      const items = await currentItems(trx, panelId);
      const nextPosition = () => (items.length ? Math.max(...items.map((i) => i.position)) + 1 : 1);
      let message = 'The agenda has been updated';
      switch (action.kind) {
        case 'propose': {
          const panelDate = londonDate(panel.startsAt);
          const candidates = await candidateCases(trx, panel, panelDate);
          const onAgenda = new Set(items.map((i) => i.referralId));
          const proposal = proposeAgenda({ panelDate, ...candidates }).filter((p) => !onAgenda.has(p.referralId));
          // Other business stays last: proposed cases go before it.
          const others = items.filter((i) => i.kind === 'other-business');
          const cases = items.filter((i) => i.kind !== 'other-business');
          let position = 1;
          for (const i of cases) await trx.updateTable('agendaItems').set({ position: position++ }).where('id', '=', i.id).execute();
          for (const p of proposal) {
            await trx
              .insertInto('agendaItems')
              .values({ panelId, position: position++, kind: p.kind, referralId: p.referralId, minutesAllotted: p.minutesAllotted, involvesChildren: p.involvesChildren, createdAt: clock.now() })
              .execute();
          }
          for (const i of others) await trx.updateTable('agendaItems').set({ position: position++ }).where('id', '=', i.id).execute();
          message = proposal.length ? `${proposal.length} ${proposal.length === 1 ? 'case has' : 'cases have'} been proposed` : 'No further cases are waiting for this panel';
          break;
        }
        case 'move': {
          const at = items.findIndex((i) => i.id === action.itemId);
          if (at < 0) throw new NotFoundError();
          const other = items[action.direction === 'up' ? at - 1 : at + 1];
          if (!other) return { ok: true, message: 'The item is already at the ' + (action.direction === 'up' ? 'top' : 'bottom') };
          const order = items.map((i) => i.id);
          order[at] = other.id;
          order[items.indexOf(other)] = action.itemId;
          for (const [n, id] of order.entries()) await trx.updateTable('agendaItems').set({ position: n + 1 }).where('id', '=', id).execute();
          message = `The item has been moved ${action.direction}`;
          break;
        }
        case 'save': {
          const known = new Set(items.map((i) => i.id));
          for (const i of action.items) {
            if (!known.has(i.id)) continue;
            await trx.updateTable('agendaItems').set({ minutesAllotted: i.minutes, presentingAgencyId: i.presentingAgencyId }).where('id', '=', i.id).execute();
          }
          message = 'Times and presenting agencies have been saved';
          break;
        }
        case 'remove': {
          if (!items.some((i) => i.id === action.itemId)) throw new NotFoundError();
          await trx.updateTable('agendaItems').set({ removedAt: clock.now(), removedReason: action.reason }).where('id', '=', action.itemId).execute();
          message = 'The item has been removed from the agenda';
          break;
        }
        case 'add-case': {
          const referral = await trx.selectFrom('referrals').select(['id', 'status']).where('id', '=', action.referralId).executeTakeFirst();
          if (!referral || !['awaiting-panel', 'active'].includes(referral.status) || items.some((i) => i.referralId === action.referralId)) return { ok: false, reason: 'not-addable' };
          const kind: AgendaItemKind = referral.status === 'active' ? 'review' : 'new';
          const children = await childrenFlags(trx, [referral.id], londonDate(panel.startsAt));
          const others = items.filter((i) => i.kind === 'other-business');
          const position = others.length ? Math.min(...others.map((o) => o.position)) : nextPosition();
          for (const o of others) await trx.updateTable('agendaItems').set({ position: sql<number>`position + 1` }).where('id', '=', o.id).execute();
          await trx
            .insertInto('agendaItems')
            .values({
              panelId,
              position,
              kind,
              referralId: referral.id,
              minutesAllotted: action.minutes ?? (kind === 'new' ? NEW_CASE_MINUTES : REVIEW_MINUTES),
              involvesChildren: children.has(referral.id),
              addedManually: true,
              createdAt: clock.now(),
            })
            .execute();
          message = 'The case has been added to the agenda';
          break;
        }
        case 'add-other':
          await trx
            .insertInto('agendaItems')
            .values({ panelId, position: nextPosition(), kind: 'other-business', title: action.title, minutesAllotted: action.minutes || OTHER_BUSINESS_MINUTES, addedManually: true, createdAt: clock.now() })
            .execute();
          message = 'The item of other business has been added';
          break;
        case 'publish': {
          const published = await publishIn(trx, user, actor, panel);
          if (!published.ok) return published;
          message = published.message;
          break;
        }
      }
      await trx.updateTable('panels').set({ agendaRevision: sql<number>`agenda_revision + 1` }).where('id', '=', panelId).execute();
      if (action.kind !== 'publish') {
        await recordAudit(trx, actor, { action: 'agenda.update', entityType: 'panel', entityId: panelId, details: { change: action.kind, ...('itemId' in action ? { itemId: action.itemId } : {}), ...('referralId' in action ? { referralId: action.referralId } : {}) } });
      }
      return { ok: true, message };
    });
    if (result.ok && action.kind === 'publish') pokeMail();
    return result;
  }

  return { builder, published, change };
}

export type AgendaService = ReturnType<typeof agendaService>;

/** Which of these cases involve a child (a subject under 18 on `asOf`, or children in the household): they go first on an agenda. */
export function casesInvolvingChildren(db: Db, referralIds: number[], asOf: string): Promise<Set<number>> {
  return childrenFlags(db, referralIds, asOf);
}
