import type { ServiceDeps } from '../service-deps';
import { formatDate, londonDate, londonTime } from '../time';
import type { Db } from '../db/database';
import type { AgendaItemKind } from '../db/schema';
import type { Actor, CurrentUser } from '../http/context';
import { NotFoundError, StaleVersionError } from '../http/errors';
import { recordAudit } from '../audit/audit';
import { queueInvitations } from '../invitations/invitations';
import { requireVisiblePanel } from '../panels/panel-access';
import {
  bumpAgendaRevision,
  invitedAgencyIds,
  inviteReferringAgencies,
  lockPanel,
  markAgendaPublished,
} from '../panels/panels.service';
import { recordCaseEvent } from '../referrals/referrals.service';
import { canTransition } from '../referrals/status';
import { addResearchRequests, dropUnansweredRequestsOfRemovedItems } from '../research/research.service';
import { agendaRefused } from './agenda-refusals';
import * as repo from './agenda.repository';
import { listedElsewhere, panelName, requireNotListedElsewhere, takeFromOtherAgenda } from './one-agenda';
import {
  agendaChanges,
  NEW_CASE_MINUTES,
  OTHER_BUSINESS_MINUTES,
  proposeAgenda,
  REVIEW_MINUTES,
  timeSlots,
  type SnapshotItem,
} from './proposal';

/** Agendas can be built while the panel is still to come. */
export const EDITABLE = ['scheduled', 'agenda-published'];

/** An item's minutes and presenting agency as typed in the builder's table. */
export interface ItemTiming {
  id: number;
  minutes: number;
  presentingAgencyId: number | null;
}

/**
 * A change to the working agenda. `timings`, what the builder's table held when the button was
 * pressed, are saved with the change so that no button loses what was typed.
 */
export type AgendaChange = (
  | { kind: 'propose' }
  | { kind: 'move'; itemId: number; direction: 'up' | 'down' }
  | { kind: 'save'; items: ItemTiming[] }
  | { kind: 'remove'; itemId: number; reason: string }
  | { kind: 'add-case'; referralId: number; minutes: number | null }
  | { kind: 'move-here'; referralId: number }
  | { kind: 'add-other'; title: string; minutes: number }
  | { kind: 'publish' }
) & { timings?: ItemTiming[] };

export type AgendaDeps = Omit<ServiceDeps, 'documents'>;
type Panel = NonNullable<Awaited<ReturnType<typeof lockPanel>>>;
type Item = Awaited<ReturnType<typeof repo.currentItems>>[number];

/** What a change did: its message, and whether it changed the agenda at all. */
interface Applied {
  message: string;
  changed: boolean;
}

/** How a version's item is matched with the working agenda: by its case, or by the item for other business. */
export function itemKey(item: { id: number; referralId: number | null }): string {
  return item.referralId ? `case:${item.referralId}` : `other:${item.id}`;
}

/** The agenda as it would be published now. */
export async function snapshot(trx: Db, panel: { id: number; startsAt: Date; endsAt: Date }): Promise<SnapshotItem[]> {
  const items = await repo.currentItems(trx, panel.id);
  const { slots } = timeSlots(panel, items);
  return items.map((i, n) => ({
    key: itemKey(i),
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

/** Who is told of a publication: everyone for the first version; after that, an update to those already invited. */
async function announce(
  { clock, links }: AgendaDeps,
  trx: Db,
  panelId: number,
  version: number,
  invitedNow: number[],
  newlyInvited: number[],
): Promise<number> {
  const baseUrl = links.baseUrl;
  if (version === 1)
    return queueInvitations(trx, { panelId, method: 'REQUEST', reason: 'agenda-published', baseUrl, clock });
  let messages = 0;
  const existing = invitedNow.filter((id) => !newlyInvited.includes(id));
  if (existing.length)
    messages += await queueInvitations(trx, {
      panelId,
      method: 'REQUEST',
      reason: 'changed',
      baseUrl,
      clock,
      agencyIds: existing,
    });
  if (newlyInvited.length)
    messages += await queueInvitations(trx, {
      panelId,
      method: 'REQUEST',
      reason: 'agenda-published',
      baseUrl,
      clock,
      agencyIds: newlyInvited,
    });
  return messages;
}

async function publish(deps: AgendaDeps, trx: Db, user: CurrentUser, actor: Actor, panel: Panel): Promise<Applied> {
  const { clock } = deps;
  const items = await snapshot(trx, panel);
  if (items.length === 0) throw agendaRefused('empty');
  const previousItems =
    panel.agendaVersion > 0
      ? ((await repo.findVersion(trx, panel.id, panel.agendaVersion)).items as SnapshotItem[])
      : null;
  const changes = previousItems ? agendaChanges(previousItems, items) : [];
  if (previousItems && changes.length === 0) throw agendaRefused('unchanged');
  const version = panel.agendaVersion + 1;
  await repo.insertVersion(trx, {
    panelId: panel.id,
    version,
    publishedAt: clock.now(),
    publishedBy: user.id,
    changes: JSON.stringify(changes),
    items: JSON.stringify(items),
  });
  await markAgendaPublished(trx, panel.id, version, clock.now());
  const invitedBefore = new Set(await invitedAgencyIds(trx, panel.id));
  await inviteReferringAgencies(trx, panel.id, clock.now());
  const invitedNow = await invitedAgencyIds(trx, panel.id);
  const newlyInvited = invitedNow.filter((id) => !invitedBefore.has(id));
  await dropUnansweredRequestsOfRemovedItems(trx, panel.id);
  await addResearchRequests(trx, panel.id, clock.now());
  const listedBefore = new Set((previousItems ?? []).map((i) => i.referralId));
  const listed = items.map((i) => i.referralId).filter((id): id is number => id !== null && !listedBefore.has(id));
  const listedAt = clock.now();
  for (const referralId of listed) {
    await recordCaseEvent(trx, {
      referralId,
      at: listedAt,
      userId: user.id,
      agencyId: user.agencyId,
      kind: 'listed',
      details: { panelId: panel.id, version },
    });
  }
  const messages = await announce(deps, trx, panel.id, version, invitedNow, newlyInvited);
  await recordAudit(trx, actor, {
    action: 'agenda.publish',
    entityType: 'panel',
    entityId: panel.id,
    details: { version, items: items.length, changes: changes.length, messages, listed },
  });
  return {
    message: version === 1 ? 'The agenda has been published' : `Version ${version} of the agenda has been published`,
    changed: true,
  };
}

async function propose({ clock }: AgendaDeps, trx: Db, panel: Panel, items: Item[]): Promise<Applied> {
  const panelDate = londonDate(panel.startsAt);
  const candidates = await repo.candidateCases(trx, panel, panelDate);
  const onAgenda = new Set(items.map((i) => i.referralId));
  const proposed = proposeAgenda({ panelDate, ...candidates }).filter((p) => !onAgenda.has(p.referralId));
  // A case already listed for another upcoming panel stays there: the builder offers to move it.
  const elsewhere = await listedElsewhere(
    trx,
    panel.id,
    proposed.map((p) => p.referralId),
  );
  const proposal = proposed.filter((p) => !elsewhere.has(p.referralId));
  // Other business stays last: proposed cases go before it.
  const others = items.filter((i) => i.kind === 'other-business');
  const cases = items.filter((i) => i.kind !== 'other-business');
  let position = 1;
  for (const i of cases) await repo.setPosition(trx, i.id, position++);
  for (const p of proposal) {
    await repo.insertItem(trx, {
      panelId: panel.id,
      position: position++,
      kind: p.kind,
      referralId: p.referralId,
      minutesAllotted: p.minutesAllotted,
      involvesChildren: p.involvesChildren,
      createdAt: clock.now(),
    });
  }
  for (const i of others) await repo.setPosition(trx, i.id, position++);
  return {
    message:
      (proposal.length
        ? `${proposal.length} ${proposal.length === 1 ? 'case has' : 'cases have'} been proposed`
        : 'No further cases are waiting for this panel') +
      (elsewhere.size
        ? `; ${elsewhere.size} more ${elsewhere.size === 1 ? 'is' : 'are'} listed for another panel (see below)`
        : ''),
    changed: true,
  };
}

async function move(trx: Db, items: Item[], itemId: number, direction: 'up' | 'down'): Promise<Applied> {
  const at = items.findIndex((i) => i.id === itemId);
  if (at < 0) throw new NotFoundError();
  const other = items[direction === 'up' ? at - 1 : at + 1];
  if (!other)
    return { message: 'The item is already at the ' + (direction === 'up' ? 'top' : 'bottom'), changed: false };
  const order = items.map((i) => i.id);
  order[at] = other.id;
  order[items.indexOf(other)] = itemId;
  for (const [n, id] of order.entries()) await repo.setPosition(trx, id, n + 1);
  return { message: `The item has been moved ${direction}`, changed: true };
}

async function addCase(
  { clock }: AgendaDeps,
  trx: Db,
  panel: Panel,
  items: Item[],
  referralId: number,
  minutes: number | null,
): Promise<Applied> {
  const referral = await repo.referralStatus(trx, referralId);
  if (!referral || !canTransition('hear', referral.status) || items.some((i) => i.referralId === referralId))
    throw agendaRefused('not-addable');
  await requireNotListedElsewhere(trx, panel.id, referralId);
  const kind: AgendaItemKind = referral.status === 'active' ? 'review' : 'new';
  const children = await repo.childrenFlags(trx, [referral.id], londonDate(panel.startsAt));
  const others = items.filter((i) => i.kind === 'other-business');
  const position = others.length ? Math.min(...others.map((o) => o.position)) : nextPosition(items);
  for (const o of others) await repo.moveDownOne(trx, o.id);
  await repo.insertItem(trx, {
    panelId: panel.id,
    position,
    kind,
    referralId: referral.id,
    minutesAllotted: minutes ?? (kind === 'new' ? NEW_CASE_MINUTES : REVIEW_MINUTES),
    involvesChildren: children.has(referral.id),
    addedManually: true,
    createdAt: clock.now(),
  });
  return { message: 'The case has been added to the agenda', changed: true };
}

/** Saves the typed timings of items still on the agenda that differ from the stored ones; returns how many. */
async function saveTimings(trx: Db, items: Item[], timings: ItemTiming[]): Promise<number> {
  const byId = new Map(items.map((i) => [i.id, i]));
  let saved = 0;
  for (const t of timings) {
    const item = byId.get(t.id);
    if (!item || (item.minutesAllotted === t.minutes && item.presentingAgencyId === t.presentingAgencyId)) continue;
    await repo.setTiming(trx, t.id, t.minutes, t.presentingAgencyId);
    saved++;
  }
  return saved;
}

const nextPosition = (items: Item[]) => (items.length ? Math.max(...items.map((i) => i.position)) + 1 : 1);

async function apply(
  deps: AgendaDeps,
  trx: Db,
  user: CurrentUser,
  actor: Actor,
  panel: Panel,
  items: Item[],
  action: AgendaChange,
): Promise<Applied> {
  switch (action.kind) {
    case 'propose':
      return propose(deps, trx, panel, items);
    case 'move':
      return move(trx, items, action.itemId, action.direction);
    case 'save':
      return {
        message: 'Times and presenting agencies have been saved',
        changed: (await saveTimings(trx, items, action.items)) > 0,
      };
    case 'remove':
      if (!items.some((i) => i.id === action.itemId)) throw new NotFoundError();
      await repo.removeItem(trx, action.itemId, action.reason, deps.clock.now());
      return { message: 'The item has been removed from the agenda', changed: true };
    case 'add-case':
      return addCase(deps, trx, panel, items, action.referralId, action.minutes);
    case 'move-here': {
      const here = `the panel of ${formatDate(panel.startsAt)}`;
      const from = await takeFromOtherAgenda(trx, panel.id, action.referralId, deps.clock.now(), here);
      await addCase(deps, trx, panel, items, action.referralId, null);
      return {
        message: `${from.reference} has been moved here from ${panelName(from)}, whose agenda now has changes to publish`,
        changed: true,
      };
    }
    case 'add-other':
      await repo.insertItem(trx, {
        panelId: panel.id,
        position: nextPosition(items),
        kind: 'other-business',
        title: action.title,
        minutesAllotted: action.minutes || OTHER_BUSINESS_MINUTES,
        addedManually: true,
        createdAt: deps.clock.now(),
      });
      return { message: 'The item of other business has been added', changed: true };
    case 'publish':
      return publish(deps, trx, user, actor, panel);
  }
}

/**
 * Applies one change to the working agenda, refusing a form made against an older revision
 * (`StaleVersionError`) and what the rules do not allow (`RefusedError`, see agenda-refusals).
 */
export async function change(
  deps: AgendaDeps,
  user: CurrentUser,
  actor: Actor,
  panelId: number,
  revision: number,
  action: AgendaChange,
): Promise<Applied> {
  const { db, mail } = deps;
  await requireVisiblePanel(db, user, actor, panelId, 'agenda.update');
  const result = await db.transaction().execute(async (trx) => {
    const panel = await lockPanel(trx, panelId);
    if (!panel) throw new NotFoundError();
    if (!EDITABLE.includes(panel.status)) throw agendaRefused('closed');
    if (panel.agendaRevision !== revision) throw new StaleVersionError();
    const items = await repo.currentItems(trx, panelId);
    const typed = await saveTimings(trx, items, action.timings ?? []);
    const applied = await apply(deps, trx, user, actor, panel, items, action);
    if (!applied.changed && typed === 0) return applied;
    await bumpAgendaRevision(trx, panelId);
    if (action.kind !== 'publish') {
      const details = {
        change: action.kind,
        ...('itemId' in action ? { itemId: action.itemId } : {}),
        ...('referralId' in action ? { referralId: action.referralId } : {}),
        ...(typed ? { timings: typed } : {}),
      };
      await recordAudit(trx, actor, { action: 'agenda.update', entityType: 'panel', entityId: panelId, details });
    }
    return { message: applied.message, changed: true };
  });
  if (action.kind === 'publish') mail.poke();
  return result;
}
