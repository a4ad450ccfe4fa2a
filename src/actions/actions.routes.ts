import type { Request, Response } from 'express';
import type { Services } from '../services';
import type { ActionStatus } from '../db/schema';
import { actorOf, currentUser, flash } from '../http/context';
import { idParam } from '../http/errors';
import { formState, type FormState } from '../http/forms';
import { get, post, type RouteDef } from '../http/routes';
import { str } from '../http/forms';
import { ACTION_STATUSES, ACTION_STATUS_NAMES, ACTION_STATUS_TAGS, ACTION_TRANSITIONS, PRIORITY_NAMES } from './action-status';
import { ActionRefusedError, type ActionFilter, type ActionListFilters } from './actions.service';
import { isOverdue } from './overdue';

const SHOW: Record<ActionFilter, string> = { open: 'Open', overdue: 'Overdue', 'due-this-week': 'Due this week', all: 'All, including finished' };
const MAX_NOTE = 5000;

const idOrNull = (v: unknown) => (typeof v === 'string' && /^[1-9]\d{0,9}$/.test(v) ? Number(v) : null);

function readFilters(query: Record<string, unknown>): ActionListFilters {
  const show = str(query.show);
  const page = idOrNull(query.page) ?? 1;
  return { show: show in SHOW ? (show as ActionFilter) : 'open', panelId: idOrNull(query.panel), agencyId: idOrNull(query.agency), page: Math.min(page, 100_000) };
}

export function actionRoutes(services: Services): RouteDef[] {
  const { actions } = services;

  async function renderAction(req: Request, res: Response, id: number, page: { form?: FormState; status?: number; conflict?: boolean } = {}) {
    const user = currentUser(req);
    const { action, updates, canUpdate } = await actions.view(user, actorOf(req), id);
    const now = services.clock.now();
    const next = ACTION_TRANSITIONS[action.status];
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
      updates: updates.map((u) => ({ ...u, fromName: u.fromStatus ? ACTION_STATUS_NAMES[u.fromStatus] : null, toName: u.toStatus ? ACTION_STATUS_NAMES[u.toStatus] : null })),
      canUpdate: canUpdate && next.length > 0,
      statusItems: [{ value: '', text: `No change (${ACTION_STATUS_NAMES[action.status].toLowerCase()})` }, ...next.map((s) => ({ value: s, text: ACTION_STATUS_NAMES[s] }))],
      conflict: page.conflict,
      form: page.form ?? formState({ version: String(action.version), status: '' }),
    });
  }

  return [
    get('/actions', 'signed-in', async (req, res) => {
      const user = currentUser(req);
      const filters = readFilters(req.query);
      const partnershipWide = user.role !== 'representative';
      const result = await actions.list(user, actorOf(req), filters);
      const panels = await actions.panelChoices(user);
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
        rows: result.rows.map((r) => ({ ...r, statusName: ACTION_STATUS_NAMES[r.status], statusTag: ACTION_STATUS_TAGS[r.status], priorityName: PRIORITY_NAMES[r.priority], overdue: isOverdue(r, now) })),
        form: formState({ show: filters.show, panel: filters.panelId ? String(filters.panelId) : '', agency: filters.agencyId ? String(filters.agencyId) : '' }),
        showItems: Object.entries(SHOW).map(([value, text]) => ({ value, text })),
        panelItems: panels.map((p) => ({ value: String(p.id), text: `${p.districtName}, ${new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' }).format(p.startsAt)}` })),
        agencyItems: agencies.map((a) => ({ value: String(a.id), text: a.name })),
        previous: result.page > 1 ? `/actions?${query(result.page - 1)}` : null,
        next: result.page < result.pages ? `/actions?${query(result.page + 1)}` : null,
        page: result.page,
        pages: result.pages,
      });
    }),

    get('/actions/:id', 'signed-in', async (req, res) => {
      await renderAction(req, res, idParam(req.params.id));
    }),

    post('/actions/:id', 'signed-in', async (req, res) => {
      const id = idParam(req.params.id);
      const user = currentUser(req);
      const actor = actorOf(req);
      // Looked up first so that an action the user may not see is a 404 whatever the body holds.
      await actions.view(user, actor, id);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const typed = { version: str(body.version), status: str(body.status), note: str(body.note) };
      const errors: Record<string, string> = {};
      const statusRaw = typed.status;
      const toStatus = statusRaw === '' ? null : (ACTION_STATUSES as readonly string[]).includes(statusRaw) ? (statusRaw as ActionStatus) : undefined;
      if (toStatus === undefined) errors.status = 'Select a status from the list';
      const note = typed.note.replace(/\r\n/g, '\n').trim();
      if (note.length > MAX_NOTE) errors.note = `The note must be ${MAX_NOTE.toLocaleString('en-GB')} characters or fewer`;
      const version = /^\d{1,9}$/.test(typed.version) ? Number(typed.version) : -1;
      if (Object.keys(errors).length) return renderAction(req, res, id, { form: formState(typed, errors), status: 400 });
      try {
        const result = await actions.update(user, actor, id, version, { toStatus: toStatus ?? null, note: note || null });
        if (!result.ok) {
          const latest = await services.db.selectFrom('actions').select('version').where('id', '=', id).executeTakeFirstOrThrow();
          return renderAction(req, res, id, { form: formState({ ...typed, version: String(latest.version) }), status: 409, conflict: true });
        }
      } catch (err) {
        if (err instanceof ActionRefusedError) return renderAction(req, res, id, { form: formState(typed, { [err.field]: err.message }), status: 400 });
        throw err;
      }
      flash(req, toStatus ? `Action ${id} is now ${ACTION_STATUS_NAMES[toStatus].toLowerCase()}` : 'Your progress note has been added');
      res.redirect(303, `/actions/${id}`);
    }),
  ];
}
