import { formatCalendarDate, formatTime } from '../time';
import type { Request, Response } from 'express';
import type { Services } from '../services';
import { actorOf, currentUser, flash } from '../http/context';
import { idParam, NotFoundError, RefusedError, StaleVersionError } from '../http/errors';
import { formState, parseAction, parseId, parseVersion, rowsOf, str, type FormState } from '../http/forms';
import { ADMIN_OR_CHAIR, get, post, type RouteDef } from '../http/routes';
import { subjectLabel } from '../referrals/referral-view';
import { SUBJECT_KIND_NAMES } from '../referrals/referral-codes';
import type { SubjectKind } from '../db/schema';
import { STALE_AGENDA, type AgendaChange, type ItemTiming } from './agenda.service';

const KIND_NAMES: Record<string, string> = {
  review: 'Review',
  new: 'New case',
  anniversary: '12 months: decide on closure',
  'other-business': 'Other business',
};

/** The message of a refused change, for the builder's page; other errors go on to the error handler. */
function refusalOf(err: unknown): { status: number; message: string } | null {
  if (err instanceof StaleVersionError) return { status: 409, message: STALE_AGENDA };
  if (err instanceof RefusedError) return { status: 400, message: err.fieldErrors[''] ?? err.message };
  return null;
}

const minutesOf = (v: unknown) => {
  const s = str(v).trim();
  return /^\d{1,3}$/.test(s) && Number(s) >= 1 && Number(s) <= 240 ? Number(s) : null;
};

type Body = Record<string, unknown>;
/** A change from the builder's form; the Remove button saves what was typed, then opens the removal page. */
type BuilderChange = AgendaChange & { opensRemoval?: number };
type Agendas = Services['agendas'];
type Builder = Awaited<ReturnType<Agendas['builder']>>;

const manages = (req: Request) => currentUser(req).role !== 'representative';

function builderItems(b: Builder, form: FormState) {
  const values = form.values;
  return b.items.map((i, n) => {
    const typedAgency = values[`items[${n}][presentingAgencyId]`];
    const agencyId = typeof typedAgency === 'string' ? typedAgency : String(i.presentingAgencyId ?? '');
    return {
      ...i,
      number: n + 1,
      first: n === 0,
      last: n === b.items.length - 1,
      kindName: KIND_NAMES[i.kind],
      incompleteActions: Number(i.incompleteActions ?? 0),
      startsAt: formatTime(b.timing.slots[n].startsAt),
      endsAt: formatTime(b.timing.slots[n].endsAt),
      overruns: b.timing.slots[n].overruns,
      minutesName: `items[${n}][minutes]`,
      agencyName: `items[${n}][presentingAgencyId]`,
      minutesValue: values[`items[${n}][minutes]`] ?? String(i.minutesAllotted),
      minutesError: form.errors[`items[${n}][minutes]`],
      agencyItems: b.agencies.map((a) => ({ value: a.id, text: a.shortName, selected: agencyId === String(a.id) })),
    };
  });
}

async function renderBuilder(
  agendas: Agendas,
  req: Request,
  res: Response,
  panelId: number,
  extra: { form?: FormState; status?: number; refusal?: string } = {},
) {
  const b = await agendas.builder(currentUser(req), actorOf(req), panelId);
  const form = extra.form ?? formState({});
  res.status(extra.status ?? 200).render('agendas/builder', {
    title: 'Build the agenda',
    backLink: `/panels/${panelId}`,
    panel: b.panel,
    districtName: b.districtName,
    editable: b.editable,
    refusal: extra.refusal,
    form,
    revision: b.panel.agendaRevision,
    unpublished: b.unpublished,
    overrun: b.timing.overrunMinutes,
    endsAt: b.timing.endsAt,
    removed: b.removed,
    versions: b.versions,
    elsewhere: b.elsewhere,
    items: builderItems(b, form).map((i) => ({
      ...i,
      flag: i.referralId ? (b.flags.get(i.referralId) ?? null) : null,
    })),
    addableItems: b.addable.map((c) => ({
      value: c.id,
      text: `${c.reference} (${c.districtName}, score ${c.riskScore})`,
    })),
  });
}

/** The minutes and presenting agencies typed in the items table: every button of the builder sends them. */
function readTimings(body: Body, errors: Record<string, string>): ItemTiming[] {
  return rowsOf(body.items, 200).map((r, n) => {
    const minutes = minutesOf(r.minutes);
    if (minutes === null)
      errors[`items[${n}][minutes]`] = `Enter the minutes for item ${n + 1} as a whole number from 1 to 240`;
    return { id: Number(str(r.id)) || -1, minutes: minutes ?? 0, presentingAgencyId: parseId(r.presentingAgencyId) };
  });
}

function readAddOther(body: Body, errors: Record<string, string>): AgendaChange | undefined {
  const title = str(body.otherTitle).trim();
  if (!title) errors.otherTitle = 'Enter the item of other business';
  else if (title.length > 200 || /[\r\n]/.test(title))
    errors.otherTitle = 'The item must be one line of 200 characters or fewer';
  const minutes = str(body.otherMinutes).trim() === '' ? 10 : minutesOf(body.otherMinutes);
  if (minutes === null) errors.otherMinutes = 'Enter the minutes as a whole number from 1 to 240';
  return Object.keys(errors).length || minutes === null ? undefined : { kind: 'add-other', title, minutes };
}

const itemAt = (body: Body, index: number) => Number(str(body[`item${index}`])) || -1;

/** The change a button asks for, without the typed timings. `remove` only opens the removal page. */
function readAction(body: Body, errors: Record<string, string>): BuilderChange | undefined {
  const action = parseAction(body.action);
  switch (action.name) {
    case 'propose':
      return { kind: 'propose' };
    case 'publish':
      return { kind: 'publish' };
    case 'up':
    case 'down':
      if (action.index === null) break;
      return { kind: 'move', itemId: itemAt(body, action.index), direction: action.name };
    case 'remove':
      if (action.index === null) break;
      return { kind: 'save', items: [], opensRemoval: itemAt(body, action.index) };
    case 'save':
      return { kind: 'save', items: [] };
    case 'add-case': {
      const referralId = parseId(body.referralId);
      if (referralId === null) errors.referralId = 'Select a case to add';
      return referralId === null ? undefined : { kind: 'add-case', referralId, minutes: null };
    }
    case 'add-other':
      return readAddOther(body, errors);
    case 'move-here': {
      // The case listed for another panel, in the list under the agenda: its row carries the case's id.
      const referralId = action.index === null ? null : parseId(body[`elsewhere${action.index}`]);
      if (referralId === null) break;
      return { kind: 'move-here', referralId };
    }
  }
  errors.action = 'Choose what to do with the agenda';
  return undefined;
}

function readChange(body: Body): { change?: BuilderChange; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const change = readAction(body, errors);
  const timings = readTimings(body, errors);
  if (!change) return { errors };
  return { change: change.kind === 'save' ? { ...change, items: timings } : { ...change, timings }, errors };
}

function agendaPage({ agendas }: Services) {
  return async (req: Request, res: Response) => {
    const id = idParam(req.params.id);
    if (manages(req)) return renderBuilder(agendas, req, res, id);
    const agenda = await agendas.published(currentUser(req), actorOf(req), id, 'html');
    if (!agenda) throw new NotFoundError();
    res.render('agendas/published', {
      title: `Agenda: ASBRAC ${agenda.districtName}`,
      backLink: `/panels/${id}`,
      ...view(agenda),
    });
  };
}

function publishedPage({ agendas }: Services) {
  return async (req: Request, res: Response) => {
    const id = idParam(req.params.id);
    const agenda = await agendas.published(currentUser(req), actorOf(req), id, 'html');
    if (!agenda) throw new NotFoundError();
    res.render('agendas/published', {
      title: `Agenda: ASBRAC ${agenda.districtName}`,
      backLink: `/panels/${id}/agenda`,
      ...view(agenda),
    });
  };
}

function agendaPdf({ agendas, pdfDocuments }: Services) {
  return async (req: Request, res: Response) => {
    const id = idParam(req.params.id);
    const user = currentUser(req);
    const agenda = await agendas.published(user, actorOf(req), id, 'pdf');
    if (!agenda) throw new NotFoundError();
    const pdf = await pdfDocuments.renderDocument(
      'agenda',
      {
        title: `ASBRAC ${agenda.districtName}: agenda version ${agenda.version}`,
        date: agenda.panel.startsAt,
        ...view(agenda),
      },
      { recipientAgency: user.role === 'representative' ? user.agencyName : undefined },
    );
    res
      .type('application/pdf')
      .setHeader('Content-Disposition', `attachment; filename="agenda-${id}-v${agenda.version}.pdf"`);
    res.send(pdf);
  };
}

function afterChange(id: number, change: BuilderChange) {
  if (change.opensRemoval !== undefined) return `/panels/${id}/agenda/items/${change.opensRemoval}/remove`;
  return `/panels/${id}/agenda${change.kind === 'move' ? `#item-${change.itemId}` : ''}`;
}

/** What was typed in the "add" boxes that the button pressed did not add, if anything. */
function typedAdditions(body: Body, done: BuilderChange['kind']): Record<string, string> | null {
  const typed: Record<string, string> = {};
  if (done !== 'add-case' && str(body.referralId)) typed.referralId = str(body.referralId);
  if (done !== 'add-other' && (str(body.otherTitle).trim() || str(body.otherMinutes).trim())) {
    typed.otherTitle = str(body.otherTitle);
    typed.otherMinutes = str(body.otherMinutes);
  }
  return Object.keys(typed).length ? typed : null;
}

function changeAgenda({ agendas }: Services) {
  return async (req: Request, res: Response) => {
    const id = idParam(req.params.id);
    const body = req.body as Body;
    const { change, errors } = readChange(body);
    if (!change || Object.keys(errors).length)
      return renderBuilder(agendas, req, res, id, { form: flatten(body, errors), status: 400 });
    try {
      const { opensRemoval, ...action } = change;
      const result = await agendas.change(currentUser(req), actorOf(req), id, parseVersion(body.revision), action);
      const untouched = opensRemoval === undefined ? typedAdditions(body, change.kind) : null;
      if (untouched) {
        // A case chosen or other business typed but not yet added stays in its box.
        res.locals.flash = { type: 'success', heading: result.message };
        return renderBuilder(agendas, req, res, id, { form: formState(untouched) });
      }
      if (opensRemoval === undefined || result.changed) flash(req, result.message);
    } catch (err) {
      const refused = refusalOf(err);
      if (!refused) throw err;
      return renderBuilder(agendas, req, res, id, {
        form: flatten(body, {}),
        status: refused.status,
        refusal: refused.message,
      });
    }
    res.redirect(303, afterChange(id, change));
  };
}

async function itemToRemove(agendas: Agendas, req: Request) {
  const id = idParam(req.params.id);
  const itemId = idParam(req.params.itemId);
  const b = await agendas.builder(currentUser(req), actorOf(req), id);
  const item = b.items.find((i) => i.id === itemId);
  if (!item) throw new NotFoundError();
  return { id, itemId, panel: b.panel, item };
}

function removePage({ agendas }: Services) {
  return async (req: Request, res: Response) => {
    const { id, panel, item } = await itemToRemove(agendas, req);
    res.render('agendas/remove', {
      title: 'Remove an item from the agenda',
      backLink: `/panels/${id}/agenda`,
      panel,
      item,
      form: formState({ revision: String(panel.agendaRevision) }),
    });
  };
}

function removeItem({ agendas }: Services) {
  return async (req: Request, res: Response) => {
    const body = req.body as Body;
    const reason = str(body.reason).replace(/\r\n/g, '\n').trim();
    const { id, itemId, panel, item } = await itemToRemove(agendas, req);
    const render = (status: number, errors: Record<string, string>, refusal?: string) =>
      res.status(status).render('agendas/remove', {
        title: 'Remove an item from the agenda',
        backLink: `/panels/${id}/agenda`,
        panel,
        item,
        refusal,
        form: formState({ ...body, revision: refusal ? String(panel.agendaRevision) : str(body.revision) }, errors),
      });
    if (!reason) return render(400, { reason: 'Enter why the item is removed' });
    if (reason.length > 1000) return render(400, { reason: 'The reason must be 1000 characters or fewer' });
    try {
      const result = await agendas.change(currentUser(req), actorOf(req), id, parseVersion(body.revision), {
        kind: 'remove',
        itemId,
        reason,
      });
      flash(req, result.message, 'success', item.referralId ? 'The case is still awaiting a panel.' : undefined);
    } catch (err) {
      const refused = refusalOf(err);
      if (!refused) throw err;
      return render(refused.status, {}, refused.message);
    }
    res.redirect(303, `/panels/${id}/agenda`);
  };
}

export function agendaRoutes(services: Services): RouteDef[] {
  return [
    get('/panels/:id/agenda', 'signed-in', agendaPage(services)),
    get('/panels/:id/agenda/published', ADMIN_OR_CHAIR, publishedPage(services)),
    get('/panels/:id/agenda.pdf', 'signed-in', agendaPdf(services)),
    post('/panels/:id/agenda', ADMIN_OR_CHAIR, changeAgenda(services)),
    get('/panels/:id/agenda/items/:itemId/remove', ADMIN_OR_CHAIR, removePage(services)),
    post('/panels/:id/agenda/items/:itemId/remove', ADMIN_OR_CHAIR, removeItem(services)),
  ];
}

function flatten(body: Record<string, unknown>, errors: Record<string, string>): FormState {
  const values: Record<string, unknown> = { ...body };
  for (const [n, row] of rowsOf(body.items, 200).entries()) {
    values[`items[${n}][minutes]`] = str(row.minutes);
    values[`items[${n}][presentingAgencyId]`] = str(row.presentingAgencyId);
  }
  return formState(values, errors);
}

type Published = NonNullable<Awaited<ReturnType<Services['agendas']['published']>>>;

function view(agenda: Published) {
  return {
    panel: agenda.panel,
    districtName: agenda.districtName,
    chairName: agenda.chairName,
    version: agenda.version,
    publishedAt: agenda.publishedAt,
    changes: agenda.changes,
    withdrawn: agenda.withdrawn,
    closes: formatCalendarDate(agenda.panel.researchClosesOn),
    invited: agenda.invited,
    joining: { venue: agenda.panel.venue, onlineLink: agenda.panel.onlineLink },
    items: agenda.items.map((i) => ({
      ...i,
      kindName: KIND_NAMES[i.kind],
      reviewActions: i.reviewActions.map((a) => ({
        description: a.description,
        owner: a.ownerName ? `${a.agency} (${a.ownerName})` : a.agency,
        reason: a.review ?? a.lastNote,
        dueOn: formatCalendarDate(a.dueOn),
        newDueOn: a.newDueOn ? formatCalendarDate(a.newDueOn) : null,
      })),
      subjects: i.subjects.map((s) => ({
        role: SUBJECT_KIND_NAMES[s.kind as SubjectKind] ?? 'Subject',
        name: s.fullName || s.description || 'Not named',
        label: subjectLabel({
          position: s.position,
          kind: s.kind,
          fullName: s.fullName,
          address: null,
          description: s.kind === 'location' ? s.description : null,
        }),
        dateOfBirth: s.dateOfBirth
          ? formatCalendarDate(s.dateOfBirth instanceof Date ? s.dateOfBirth.toISOString() : s.dateOfBirth)
          : s.approximateAge !== null
            ? `About ${s.approximateAge} years old`
            : null,
        address: [s.address, s.postcode].filter(Boolean).join(', ') || null,
      })),
    })),
  };
}
