import type { Request, Response } from 'express';
import { DateTime } from 'luxon';
import type { Services } from '../services';
import { actorOf, currentUser, flash } from '../http/context';
import { flattenValues, formState, parseVersion, str, type FormState } from '../http/forms';
import { get, post, type RouteDef } from '../http/routes';
import { londonDate } from '../time';
import { PANEL_STATUS_NAMES } from '../panels/panels.service';
import { answerFormValues, readAnswer, readClinicians } from './attendance-form';
import { MonthPanelRefused, MONTH_SHAPE } from './attendance-month';
import { answerSummary } from './attendance.routes';
import type { PageSave } from './attendance.service';

type Month = Awaited<ReturnType<Services['attendanceMonth']['panels']>>;
type Body = Record<string, unknown>;

/** Each panel's fields are `panels[p-<panel id>][…]`: the prefix keeps qs from making an array. */
const prefixOf = (panelId: number) => `panels[p-${panelId}]`;

const monthOf = (value: unknown) => (typeof value === 'string' && MONTH_SHAPE.test(value) ? value : null);

/** The stored answers and clinicians, as the form's values. */
function storedValues(month: Month): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const { panel, own, items } of month.panels) {
    const prefix = prefixOf(panel.id);
    for (const [k, v] of Object.entries(answerFormValues(own))) values[`${prefix}[${k}]`] = v;
    values[`${prefix}[version]`] = own.version === null ? '' : String(own.version);
    for (const i of items) {
      values[`${prefix}[items][item-${i.id}][attending]`] = i.attending === null ? '' : i.attending ? 'yes' : 'no';
      values[`${prefix}[items][item-${i.id}][name]`] = i.clinicianName ?? '';
    }
  }
  return values;
}

/** Links to the next six weeks and the next four calendar months. */
function monthLinks(now: Date, chosen: string | null) {
  const first = DateTime.fromISO(londonDate(now)).startOf('month');
  return [
    { href: '/attendance/month', text: 'Next 6 weeks', current: chosen === null },
    ...[0, 1, 2, 3].map((n) => {
      const m = first.plus({ months: n });
      const value = m.toFormat('yyyy-MM');
      return { href: `/attendance/month?month=${value}`, text: m.toFormat('LLLL yyyy'), current: chosen === value };
    }),
  ];
}

async function render(
  services: Services,
  req: Request,
  res: Response,
  month: string | null,
  page: { form?: FormState; refused?: { panelId: number; message: string }; status?: number } = {},
) {
  const user = currentUser(req);
  const m = await services.attendanceMonth.panels(user, actorOf(req), month);
  res.status(page.status ?? 200).render('attendance/month', {
    title: 'Attendance for the month',
    agencyName: user.agencyName,
    isSpoc: m.isSpoc,
    month: m.window.month,
    from: m.window.from,
    to: m.window.to,
    links: monthLinks(services.clock.now(), m.window.month),
    refused: page.refused
      ? { ...page.refused, panel: m.panels.find((p) => p.panel.id === page.refused?.panelId)?.panel }
      : null,
    panels: m.panels.map(({ panel, own, items }) => ({
      panel: { ...panel, statusName: PANEL_STATUS_NAMES[panel.status] },
      prefix: prefixOf(panel.id),
      summary: answerSummary(own),
      answered: own.answer !== null,
      refused: page.refused?.panelId === panel.id,
      items: items.map((i) => ({
        ...i,
        attendingName: `${prefixOf(panel.id)}[items][item-${i.id}][attending]`,
        nameName: `${prefixOf(panel.id)}[items][item-${i.id}][name]`,
      })),
    })),
    form: page.form ?? formState(storedValues(m)),
  });
}

/** Reads each shown panel's part of the form: an answer when one is chosen, clinicians when named. */
function readMonth(month: Month, body: Body) {
  const saves = new Map<number, PageSave>();
  const errors: Record<string, string> = {};
  const all = (body.panels ?? {}) as Record<string, unknown>;
  for (const { panel, items } of month.panels) {
    const prefix = prefixOf(panel.id);
    const raw = all[`p-${panel.id}`];
    const fields = (raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Body;
    const save: PageSave = {};
    if (str(fields.answer) !== '') {
      const answer = readAnswer(fields);
      const version = str(fields.version) === '' ? null : parseVersion(fields.version);
      if (answer.ok) save.answer = { data: answer.data, expectedVersion: version };
      else for (const [k, v] of Object.entries(answer.errors)) errors[`${prefix}[${k}]`] = v;
    }
    if (month.isSpoc && fields.items !== undefined) {
      const clinicians = readClinicians(fields);
      if (clinicians.ok) {
        // Only what changed is saved: the clinicians shown again as they were are left alone.
        for (const i of items) {
          const c = clinicians.data.get(i.id);
          if (c && c.attending === i.attending && c.clinicianName === (i.attending ? i.clinicianName : null))
            clinicians.data.delete(i.id);
        }
        if (clinicians.data.size > 0) save.clinicians = clinicians.data;
      }
      if (!clinicians.ok)
        for (const [k, v] of Object.entries(clinicians.errors))
          errors[`${prefix}[items]${k.slice('items'.length)}`] = v;
    }
    if (save.answer || save.clinicians) saves.set(panel.id, save);
  }
  return { saves, errors };
}

function saveMonth(services: Services) {
  return async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Body;
    const month = monthOf(body.month);
    const user = currentUser(req);
    const shown = await services.attendanceMonth.panels(user, actorOf(req), month);
    const { saves, errors } = readMonth(shown, body);
    const typed = formState(flattenValues(body), errors);
    if (typed.hasErrors) return render(services, req, res, month, { form: typed, status: 400 });
    try {
      await services.attendanceMonth.save(user, actorOf(req), saves);
    } catch (err) {
      if (!(err instanceof MonthPanelRefused)) throw err;
      const refused = { panelId: err.panelId, message: err.refusal.message };
      return render(services, req, res, month, { form: formState(flattenValues(body)), refused, status: 409 });
    }
    flash(
      req,
      saves.size ? `Answers saved for ${saves.size} ${saves.size === 1 ? 'panel' : 'panels'}` : 'Nothing to save',
    );
    res.redirect(303, `/attendance/month${month ? `?month=${month}` : ''}`);
  };
}

export function attendanceMonthRoutes(services: Services): RouteDef[] {
  return [
    get('/attendance/month', 'signed-in', (req, res) => render(services, req, res, monthOf(req.query.month))),
    post('/attendance/month', 'signed-in', saveMonth(services)),
  ];
}
