import { formatCalendarDate, londonDateTime } from '../time';
import type { Request, Response } from 'express';
import type { Services } from '../services';
import type { PanelStatus } from '../db/schema';
import { actorOf, currentUser, flash } from '../http/context';
import { idParam, RefusedError, StaleVersionError } from '../http/errors';
import { formState, parseId, parseVersion, str, strList, type FormState } from '../http/forms';
import { ADMIN_OR_CHAIR, get, post, type RouteDef } from '../http/routes';
import { checkPanelForm, checkTimesAndPlace, panelFormValues, typedPanelValues } from './panel-form';
import { panelLinksFor } from './panel-links';
import { CHANGEABLE, NOT_CHANGEABLE, PANEL_STATUSES, PANEL_STATUS_NAMES, PANEL_STATUS_TAGS } from './panels.service';
import { monthlyDates, ORDINAL_NAMES, WEEKDAY_NAMES } from './series';

export const statusView = (status: PanelStatus) => ({
  name: PANEL_STATUS_NAMES[status],
  tag: PANEL_STATUS_TAGS[status],
});

type Panels = Services['panels'];
type Body = Record<string, unknown>;

const isNotChangeable = (err: unknown) => err instanceof RefusedError && err.reason === NOT_CHANGEABLE;

async function formItems(panels: Panels) {
  const { districts, chairs, agencies } = await panels.formChoices();
  return {
    districtItems: districts.map((d) => ({ value: d.id, text: d.name })),
    chairItems: chairs.map((c) => ({ value: c.id, text: c.name })),
    agencyItems: agencies.map((a) => ({ value: a.id, text: a.name, hint: a.coreMember ? 'Core member' : undefined })),
    // For the page's script: the agencies to tick when a district is chosen, by district.
    coreByDistrict: JSON.stringify(
      Object.fromEntries(
        districts.map((d) => [
          d.id,
          agencies.filter((a) => a.coreMember && (a.districtId === null || a.districtId === d.id)).map((a) => a.id),
        ]),
      ),
    ),
  };
}

interface FormPage {
  form: FormState;
  /** Clashes found: the form is shown again with them, and Schedule anyway saves it. */
  clashes?: string[];
  panelId?: number;
  status?: number;
  conflict?: boolean;
  districtName?: string;
}

async function renderForm(panels: Panels, res: Response, page: FormPage) {
  res.status(page.status ?? 200).render('panels/form', {
    title: page.panelId ? 'Change the panel' : 'Schedule a panel',
    backLink: page.panelId ? `/panels/${page.panelId}` : '/panels',
    action: page.panelId ? `/panels/${page.panelId}/edit` : '/panels/new',
    editing: Boolean(page.panelId),
    conflict: page.conflict,
    clashes: page.clashes,
    districtName: page.districtName,
    form: page.form,
    ...(await formItems(panels)),
  });
}

async function renderSeries(
  panels: Panels,
  res: Response,
  form: FormState,
  dates: { value: string; text: string }[] | null,
  status = 200,
) {
  res.status(status).render('panels/series', {
    title: 'Schedule a monthly series',
    backLink: '/panels',
    form,
    dates,
    weekdayItems: WEEKDAY_NAMES.map((name, i) => ({ value: String(i + 1), text: name })),
    nthItems: Object.entries(ORDINAL_NAMES).map(([value, text]) => ({ value, text })),
    ...(await formItems(panels)),
  });
}

function readSeries(body: Body, today: string) {
  const errors: Record<string, string> = {};
  const districtId = parseId(body.districtId);
  if (!districtId) errors.districtId = 'Select the district';
  const weekday = Number(str(body.weekday));
  if (!(weekday >= 1 && weekday <= 5)) errors.weekday = 'Select the day of the week';
  const nthRaw = str(body.nth);
  const nth: number | 'last' = nthRaw === 'last' ? 'last' : Number(nthRaw);
  if (nth !== 'last' && !(nth >= 1 && nth <= 4)) errors.nth = 'Select which week of the month';
  const month = str(body.firstMonth).trim();
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month))
    errors.firstMonth = 'Enter the first month as year and month, like 2027-01';
  else if (month < today.slice(0, 7)) errors.firstMonth = 'The first month must be this month or later';
  const months = Number(str(body.months));
  if (!Number.isInteger(months) || months < 1 || months > 24) errors.months = 'Enter a number of months from 1 to 24';
  const times = checkTimesAndPlace(body, errors);
  if (Object.keys(errors).length || !districtId || !times) return { errors };
  const rule = { weekday, nth, firstMonth: month, months };
  // Dates already past (earlier this month) are left out: a panel cannot be scheduled in the past.
  const all = monthlyDates(rule).filter((d) => d >= today);
  return { errors, districtId, rule, times, all };
}

function notChangeable(req: Request, res: Response, id: number) {
  flash(
    req,
    'This panel can no longer be changed',
    'important',
    'Only panels that have not yet been held or cancelled can be changed.',
  );
  res.redirect(303, `/panels/${id}`);
}

function listPage({ panels }: Services) {
  return async (req: Request, res: Response) => {
    const user = currentUser(req);
    const q = req.query as Record<string, unknown>;
    const status = (PANEL_STATUSES as readonly string[]).includes(str(q.status))
      ? (str(q.status) as PanelStatus)
      : null;
    const past = ['concluded', 'minutes-approved', 'minutes-circulated'].includes(status ?? '');
    const when = str(q.when) === 'past' || (str(q.when) === '' && past) ? 'past' : 'upcoming';
    const { rows, districts, districtId } = await panels.list(user, {
      districtId: parseId(q.districtId),
      status,
      when,
    });
    const values = { districtId: districtId ? String(districtId) : '', status: status ?? '', when };
    res.render('panels/list', {
      title: 'Panels',
      form: formState(values),
      when,
      canSchedule: user.role !== 'representative',
      rows: rows.map((r) => ({ ...r, status: statusView(r.status) })),
      districtItems: districts.map((d) => ({ value: d.id, text: d.name })),
      statusItems: PANEL_STATUSES.map((s) => ({ value: s, text: PANEL_STATUS_NAMES[s] })),
      whenItems: [
        { value: 'upcoming', text: 'Upcoming' },
        { value: 'past', text: 'Past' },
      ],
      otherWhen: `/panels?${new URLSearchParams({ ...(districtId ? { districtId: String(districtId) } : {}), ...(status ? { status } : {}), when: when === 'past' ? 'upcoming' : 'past' })}`,
    });
  };
}

function newPanelPage({ panels }: Services) {
  return async (req: Request, res: Response) => {
    const user = currentUser(req);
    const districtId = parseId(req.query.districtId);
    const values: Body = {
      startTime: '10:00',
      endTime: '12:30',
      chairUserId: user.role === 'chair' ? String(user.id) : '',
    };
    if (districtId !== null) {
      values.districtId = String(districtId);
      values.agencyIds = (await panels.coreAgencyIds(districtId)).map(String);
    }
    await renderForm(panels, res, { form: formState(values) });
  };
}

function createPanel({ panels }: Services) {
  return async (req: Request, res: Response) => {
    const body = req.body as Body;
    // "Invite the district's core members" ticks them too and shows the form again without saving.
    if (str(body.action) === 'defaults') {
      const districtId = parseId(body.districtId);
      const core = districtId === null ? [] : await panels.coreAgencyIds(districtId);
      return renderForm(panels, res, { form: formState(typedPanelValues(body, core)) });
    }
    const values = typedPanelValues(body);
    const { input, errors } = checkPanelForm(body, panels.today());
    if (!input) return renderForm(panels, res, { form: formState(values, errors), status: 400 });
    const [warnings] = await panels.clashes([input]);
    if (warnings.length && str(body.action) !== 'confirm')
      return renderForm(panels, res, { form: formState(values), clashes: warnings });
    try {
      const saved = await panels.create(currentUser(req), actorOf(req), input);
      flash(req, 'The panel has been scheduled', 'success', 'The invited agencies have been sent an invitation.');
      res.redirect(303, `/panels/${saved.id}`);
    } catch (err) {
      if (err instanceof RefusedError)
        return renderForm(panels, res, { form: formState(values, err.fieldErrors), status: 400 });
      throw err;
    }
  };
}

function newSeriesPage({ panels }: Services) {
  return async (req: Request, res: Response) => {
    const user = currentUser(req);
    const values = {
      startTime: '10:00',
      endTime: '12:30',
      months: '12',
      firstMonth: panels.today().slice(0, 7),
      chairUserId: user.role === 'chair' ? String(user.id) : '',
    };
    await renderSeries(panels, res, formState(values), null);
  };
}

function createSeries({ panels }: Services) {
  return async (req: Request, res: Response) => {
    const body = req.body as Body;
    const read = readSeries(body, panels.today());
    const chosen = strList(body.dates);
    const values = { ...body, dates: chosen };
    if (!read.all) return renderSeries(panels, res, formState(values, read.errors), null, 400);
    const planned = read.all.map((d) => ({
      districtId: read.districtId,
      startsAt: londonDateTime(d, read.times.startTime),
      endsAt: londonDateTime(d, read.times.endTime),
      chairUserId: read.times.chairUserId,
      venue: read.times.venue,
    }));
    const warnings = await panels.clashes(planned);
    // Each date says what it clashes with, so the coordinator can untick it.
    const dateItems = read.all.map((d, n) => ({
      value: d,
      text: formatCalendarDate(d),
      hint: warnings[n].length ? `Clash: ${warnings[n].join(' ')}` : undefined,
    }));
    if (read.all.length === 0)
      return renderSeries(
        panels,
        res,
        formState(values, { months: 'No dates of this series are in the future: choose a later first month' }),
        null,
        400,
      );
    // First the dates are shown, all ticked, so the user can untick holidays and clashes.
    if (str(body.action) !== 'create')
      return renderSeries(panels, res, formState({ ...values, dates: read.all }), dateItems);
    const dates = read.all.filter((d) => chosen.includes(d));
    if (dates.length === 0)
      return renderSeries(panels, res, formState(values, { dates: 'Select at least one date' }), dateItems, 400);
    try {
      await panels.createSeries(currentUser(req), actorOf(req), {
        districtId: read.districtId,
        rule: read.rule,
        dates,
        times: read.times,
      });
    } catch (err) {
      if (err instanceof RefusedError)
        return renderSeries(panels, res, formState(values, err.fieldErrors), dateItems, 400);
      throw err;
    }
    flash(
      req,
      `${dates.length} ${dates.length === 1 ? 'panel has' : 'panels have'} been scheduled`,
      'success',
      'The core agencies of the district have been sent an invitation to each.',
    );
    res.redirect(303, `/panels?districtId=${read.districtId}`);
  };
}

function overviewPage({ panels }: Services) {
  return async (req: Request, res: Response) => {
    const user = currentUser(req);
    const { panel, districtName, chairName, seriesRule, invited } = await panels.view(
      user,
      actorOf(req),
      idParam(req.params.id),
    );
    res.render('panels/overview', {
      title: `ASBRAC ${districtName}`,
      backLink: '/panels',
      panel,
      districtName,
      chairName,
      seriesRule,
      invited,
      status: statusView(panel.status),
      panelLinks: panelLinksFor(user, panel),
      canChange: user.role !== 'representative' && CHANGEABLE.includes(panel.status),
    });
  };
}

function editPage({ panels }: Services) {
  return async (req: Request, res: Response) => {
    const id = idParam(req.params.id);
    const { panel, invited, districtName } = await panels.forChange(currentUser(req), actorOf(req), id);
    if (!CHANGEABLE.includes(panel.status)) return notChangeable(req, res, id);
    await renderForm(panels, res, {
      form: formState(
        panelFormValues(
          panel,
          invited.map((i) => i.id),
        ),
      ),
      panelId: id,
      districtName,
    });
  };
}

function updatePanel({ panels }: Services) {
  return async (req: Request, res: Response) => {
    const id = idParam(req.params.id);
    const user = currentUser(req);
    const { panel, districtName } = await panels.forChange(user, actorOf(req), id);
    const body: Body = { ...(req.body as Body), districtId: String(panel.districtId) };
    const values = typedPanelValues(body);
    const { input, errors } = checkPanelForm(body, panels.today());
    if (!input)
      return renderForm(panels, res, { form: formState(values, errors), panelId: id, status: 400, districtName });
    const [warnings] = await panels.clashes([input], id);
    if (warnings.length && str(body.action) !== 'confirm')
      return renderForm(panels, res, { form: formState(values), panelId: id, clashes: warnings, districtName });
    try {
      await panels.update(user, actorOf(req), id, parseVersion(body.version), input);
    } catch (err) {
      if (isNotChangeable(err)) return notChangeable(req, res, id);
      if (err instanceof StaleVersionError) {
        const latest = await panels.forChange(user, actorOf(req), id);
        return renderForm(panels, res, {
          form: formState({ ...values, version: String(latest.panel.version) }),
          panelId: id,
          status: 409,
          conflict: true,
          districtName,
        });
      }
      if (err instanceof RefusedError)
        return renderForm(panels, res, {
          form: formState(values, err.fieldErrors),
          panelId: id,
          status: 400,
          districtName,
        });
      throw err;
    }
    flash(
      req,
      'The panel has been changed',
      'success',
      'Invited agencies have been told about any change of date, time or place.',
    );
    res.redirect(303, `/panels/${id}`);
  };
}

function cancelPage({ panels }: Services) {
  return async (req: Request, res: Response) => {
    const id = idParam(req.params.id);
    const { panel, districtName } = await panels.forChange(currentUser(req), actorOf(req), id);
    if (!CHANGEABLE.includes(panel.status)) return notChangeable(req, res, id);
    res.render('panels/cancel', {
      title: 'Cancel the panel',
      backLink: `/panels/${id}`,
      panel,
      districtName,
      form: formState({ version: String(panel.version) }),
    });
  };
}

function cancelPanel({ panels }: Services) {
  return async (req: Request, res: Response) => {
    const id = idParam(req.params.id);
    const user = currentUser(req);
    const { panel, districtName } = await panels.forChange(user, actorOf(req), id);
    const body = req.body as Body;
    const reason = str(body.reason).replace(/\r\n/g, '\n').trim();
    const render = (status: number, errors: Record<string, string>, conflict = false) =>
      res.status(status).render('panels/cancel', {
        title: 'Cancel the panel',
        backLink: `/panels/${id}`,
        panel,
        districtName,
        conflict,
        form: formState({ ...body, version: conflict ? String(panel.version) : str(body.version) }, errors),
      });
    if (!reason) return render(400, { reason: 'Enter why the panel is cancelled' });
    if (reason.length > 1000) return render(400, { reason: 'The reason must be 1000 characters or fewer' });
    try {
      await panels.cancel(user, actorOf(req), id, parseVersion(body.version), reason);
    } catch (err) {
      if (err instanceof StaleVersionError) return render(409, {}, true);
      if (err instanceof RefusedError) return notChangeable(req, res, id);
      throw err;
    }
    flash(
      req,
      'The panel has been cancelled',
      'success',
      'Invited agencies have been sent a cancellation. Cases on its agenda are still awaiting a panel.',
    );
    res.redirect(303, `/panels/${id}`);
  };
}

export function panelRoutes(services: Services): RouteDef[] {
  return [
    get('/panels', 'signed-in', listPage(services)),
    get('/panels/new', ADMIN_OR_CHAIR, newPanelPage(services)),
    post('/panels/new', ADMIN_OR_CHAIR, createPanel(services)),
    get('/panels/series/new', ADMIN_OR_CHAIR, newSeriesPage(services)),
    post('/panels/series/new', ADMIN_OR_CHAIR, createSeries(services)),
    get('/panels/:id', 'signed-in', overviewPage(services)),
    get('/panels/:id/edit', ADMIN_OR_CHAIR, editPage(services)),
    post('/panels/:id/edit', ADMIN_OR_CHAIR, updatePanel(services)),
    get('/panels/:id/cancel', ADMIN_OR_CHAIR, cancelPage(services)),
    post('/panels/:id/cancel', ADMIN_OR_CHAIR, cancelPanel(services)),
  ];
}
