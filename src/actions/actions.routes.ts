import type { Request, Response } from 'express';
import type { Services } from '../services';
import type { ActionStatus } from '../db/schema';
import { actorOf, currentUser, flash } from '../http/context';
import { idParam, RefusedError, StaleVersionError } from '../http/errors';
import { formState, parseId, parseVersion, str, type FormState } from '../http/forms';
import { get, post, type RouteDef } from '../http/routes';
import { formatDate } from '../time';
import {
  ACTION_STATUSES,
  ACTION_STATUS_NAMES,
  ACTION_STATUS_TAGS,
  ACTION_TRANSITIONS,
  PRIORITY_NAMES,
} from './action-status';
import type { ActionFilter, ActionListFilters } from './actions.service';
import { isOverdue } from './overdue';
import { reviewSummary } from './action-review';

const SHOW: Record<ActionFilter, string> = {
  open: 'Open',
  overdue: 'Overdue',
  'due-this-week': 'Due this week',
  all: 'All, including finished',
};
const MAX_NOTE = 5000;

function readFilters(query: Record<string, unknown>): ActionListFilters {
  const show = str(query.show);
  const page = parseId(query.page) ?? 1;
  return {
    show: show in SHOW ? (show as ActionFilter) : 'open',
    panelId: parseId(query.panel),
    agencyId: parseId(query.agency),
    page: Math.min(page, 100_000),
  };
}

/** The action page; on a conflict the form keeps what was typed but takes the version just read. */
async function renderAction(
  services: Services,
  req: Request,
  res: Response,
  id: number,
  page: { form?: FormState; status?: number; conflict?: boolean } = {},
) {
  const { action, updates, canUpdate } = await services.actions.view(currentUser(req), actorOf(req), id);
  const now = services.clock.now();
  const next = ACTION_TRANSITIONS[action.status];
  const form = page.form ?? formState({ version: String(action.version), status: '' });
  if (page.conflict) form.values.version = String(action.version);
  res.status(page.status ?? 200).render('actions/action', {
    title: `Action ${action.id}`,
    backLink: '/actions',
    action: {
      ...action,
      statusName: ACTION_STATUS_NAMES[action.status],
      statusTag: ACTION_STATUS_TAGS[action.status],
      priorityName: PRIORITY_NAMES[action.priority],
      overdue: isOverdue(action, now),
      caseClosed: action.referralStatus === 'closed',
    },
    updates: updates.map((u) => ({
      review: reviewSummary(u),
      ...u,
      fromName: u.fromStatus ? ACTION_STATUS_NAMES[u.fromStatus] : null,
      toName: u.toStatus ? ACTION_STATUS_NAMES[u.toStatus] : null,
    })),
    canUpdate: canUpdate && next.length > 0,
    statusItems: [
      { value: '', text: `No change (${ACTION_STATUS_NAMES[action.status].toLowerCase()})` },
      ...next.map((s) => ({ value: s, text: ACTION_STATUS_NAMES[s] })),
    ],
    conflict: page.conflict,
    form,
  });
}

function listPage(services: Services) {
  return async (req: Request, res: Response) => {
    const user = currentUser(req);
    const filters = readFilters(req.query);
    const partnershipWide = user.role !== 'representative';
    const result = await services.actions.list(user, actorOf(req), filters);
    const panels = await services.actions.panelChoices(user, filters.panelId ?? null);
    const agencies = partnershipWide ? await services.agencies.list() : [];
    const now = services.clock.now();
    const query = (page: number) =>
      new URLSearchParams({
        show: filters.show,
        ...(filters.panelId ? { panel: String(filters.panelId) } : {}),
        ...(filters.agencyId && partnershipWide ? { agency: String(filters.agencyId) } : {}),
        page: String(page),
      }).toString();
    res.render('actions/list', {
      title: partnershipWide ? 'Actions' : `${user.agencyName}: actions`,
      partnershipWide,
      total: result.total,
      capped: result.capped,
      rows: result.rows.map((r) => ({
        ...r,
        statusName: ACTION_STATUS_NAMES[r.status],
        statusTag: ACTION_STATUS_TAGS[r.status],
        priorityName: PRIORITY_NAMES[r.priority],
        overdue: isOverdue(r, now),
      })),
      form: formState({
        show: filters.show,
        panel: filters.panelId ? String(filters.panelId) : '',
        agency: filters.agencyId ? String(filters.agencyId) : '',
      }),
      showItems: Object.entries(SHOW).map(([value, text]) => ({ value, text })),
      panelItems: panels.map((p) => ({ value: String(p.id), text: `${p.districtName}, ${formatDate(p.startsAt)}` })),
      agencyItems: agencies.map((a) => ({ value: String(a.id), text: a.name })),
      previous: result.page > 1 ? `/actions?${query(result.page - 1)}` : null,
      next: result.page < result.pages ? `/actions?${query(result.page + 1)}` : null,
      page: result.page,
      pages: result.pages,
    });
  };
}

function readUpdate(body: Record<string, unknown>) {
  const typed = { version: str(body.version), status: str(body.status), note: str(body.note) };
  const errors: Record<string, string> = {};
  const toStatus =
    typed.status === ''
      ? null
      : (ACTION_STATUSES as readonly string[]).includes(typed.status)
        ? (typed.status as ActionStatus)
        : undefined;
  if (toStatus === undefined) errors.status = 'Select a status from the list';
  const note = typed.note.replace(/\r\n/g, '\n').trim();
  if (note.length > MAX_NOTE) errors.note = `The note must be ${MAX_NOTE.toLocaleString('en-GB')} characters or fewer`;
  return { typed, errors, toStatus: toStatus ?? null, note: note || null, version: parseVersion(typed.version) };
}

function updateAction(services: Services) {
  return async (req: Request, res: Response) => {
    const id = idParam(req.params.id);
    const user = currentUser(req);
    const actor = actorOf(req);
    // Looked up first so that an action the user may not see is a 404 whatever the body holds.
    await services.actions.view(user, actor, id);
    const { typed, errors, toStatus, note, version } = readUpdate((req.body ?? {}) as Record<string, unknown>);
    if (Object.keys(errors).length)
      return renderAction(services, req, res, id, { form: formState(typed, errors), status: 400 });
    try {
      await services.actions.update(user, actor, id, version, { toStatus, note });
    } catch (err) {
      if (err instanceof StaleVersionError)
        return renderAction(services, req, res, id, { form: formState({ ...typed }), status: 409, conflict: true });
      if (err instanceof RefusedError)
        return renderAction(services, req, res, id, { form: formState(typed, err.fieldErrors), status: 400 });
      throw err;
    }
    flash(
      req,
      toStatus
        ? `Action ${id} is now ${ACTION_STATUS_NAMES[toStatus].toLowerCase()}`
        : 'Your progress note has been added',
    );
    res.redirect(303, `/actions/${id}`);
  };
}

export function actionRoutes(services: Services): RouteDef[] {
  return [
    get('/actions', 'signed-in', listPage(services)),
    get('/actions/:id', 'signed-in', (req, res) => renderAction(services, req, res, idParam(req.params.id))),
    post('/actions/:id', 'signed-in', updateAction(services)),
  ];
}
