import { formatCalendarDate, formatTime } from '../time';
import type { Request, Response } from 'express';
import type { Services } from '../services';
import { actorOf, currentUser, flash } from '../http/context';
import { idParam, NotFoundError } from '../http/errors';
import { formState, type FormState } from '../http/forms';
import { ADMIN_OR_CHAIR, get, post, type RouteDef } from '../http/routes';
import { parseAction, rowsOf, str } from '../http/forms';
import { subjectLabel } from '../referrals/referral-view';

import type { AgendaChange, ChangeResult } from './agenda.service';

const KIND_NAMES: Record<string, string> = { review: 'Review', new: 'New case', anniversary: '12 months: decide on closure', 'other-business': 'Other business' };

const REFUSALS: Record<Exclude<ChangeResult, { ok: true }>['reason'], string> = {
  stale: 'Someone else changed this agenda while you were working on it. Nothing you entered has been saved: it is kept below. Check the agenda as it is now, then make your change again.',
  closed: 'This agenda can no longer be changed: the panel has been held or cancelled.',
  unchanged: 'Nothing has changed since the last published version, so there is nothing to publish.',
  empty: 'The agenda has no items. Propose or add cases before publishing.',
  'not-addable': 'That case cannot be added: it is not awaiting a panel or is already on the agenda.',
};

const minutesOf = (v: unknown) => {
  const s = str(v).trim();
  return /^\d{1,3}$/.test(s) && Number(s) >= 1 && Number(s) <= 240 ? Number(s) : null;
};

export function agendaRoutes(services: Services): RouteDef[] {
  const { agendas } = services;
  const manages = (req: Request) => currentUser(req).role !== 'representative';

  async function renderBuilder(req: Request, res: Response, panelId: number, extra: { form?: FormState; status?: number; refusal?: string } = {}) {
    const b = await agendas.builder(currentUser(req), actorOf(req), panelId);
    const form = extra.form ?? formState({});
    const values = form.values;
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
      items: b.items.map((i, n) => ({
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
        agencyItems: b.agencies.map((a) => ({ value: a.id, text: a.shortName, selected: String(values[`items[${n}][presentingAgencyId]`] ?? i.presentingAgencyId ?? '') === String(a.id) })),
      })),
      removed: b.removed,
      versions: b.versions,
      addableItems: b.addable.map((c) => ({ value: c.id, text: `${c.reference} (${c.districtName}, score ${c.riskScore})` })),
    });
  }

  function readChange(body: Record<string, unknown>): { change?: AgendaChange; errors: Record<string, string> } {
    const action = parseAction(body.action);
    const errors: Record<string, string> = {};
    switch (action.name) {
      case 'propose':
        return { change: { kind: 'propose' }, errors };
      case 'publish':
        return { change: { kind: 'publish' }, errors };
      case 'up':
      case 'down':
        if (action.index === null) break;
        return { change: { kind: 'move', itemId: Number(str(body[`item${action.index}`])) || -1, direction: action.name }, errors };
      case 'save': {
        const rows = rowsOf(body.items, 200);
        const items = rows.map((r, n) => {
          const minutes = minutesOf(r.minutes);
          if (minutes === null) errors[`items[${n}][minutes]`] = `Enter the minutes for item ${n + 1} as a whole number from 1 to 240`;
          const agency = str(r.presentingAgencyId);
          return { id: Number(str(r.id)) || -1, minutes: minutes ?? 0, presentingAgencyId: /^[1-9]\d{0,9}$/.test(agency) ? Number(agency) : null };
        });
        return { change: { kind: 'save', items }, errors };
      }
      case 'add-case': {
        const id = str(body.referralId);
        if (!/^[1-9]\d{0,9}$/.test(id)) errors.referralId = 'Select a case to add';
        return { change: errors.referralId ? undefined : { kind: 'add-case', referralId: Number(id), minutes: null }, errors };
      }
      case 'add-other': {
        const title = str(body.otherTitle).trim();
        if (!title) errors.otherTitle = 'Enter the item of other business';
        else if (title.length > 200 || /[\r\n]/.test(title)) errors.otherTitle = 'The item must be one line of 200 characters or fewer';
        const minutes = str(body.otherMinutes).trim() === '' ? 10 : minutesOf(body.otherMinutes);
        if (minutes === null) errors.otherMinutes = 'Enter the minutes as a whole number from 1 to 240';
        return { change: Object.keys(errors).length ? undefined : { kind: 'add-other', title, minutes: minutes as number }, errors };
      }
    }
    return { errors: { action: 'Choose what to do with the agenda' } };
  }

  const revisionOf = (body: Record<string, unknown>) => (/^\d{1,9}$/.test(str(body.revision)) ? Number(body.revision) : -1);

  return [
    get('/panels/:id/agenda', 'signed-in', async (req, res) => {
      const id = idParam(req.params.id);
      if (manages(req)) return renderBuilder(req, res, id);
      const agenda = await agendas.published(currentUser(req), actorOf(req), id, 'html');
      if (!agenda) throw new NotFoundError();
      res.render('agendas/published', { title: `Agenda: ASBRAC ${agenda.districtName}`, backLink: `/panels/${id}`, ...view(agenda) });
    }),

    get('/panels/:id/agenda/published', ADMIN_OR_CHAIR, async (req, res) => {
      const id = idParam(req.params.id);
      const agenda = await agendas.published(currentUser(req), actorOf(req), id, 'html');
      if (!agenda) throw new NotFoundError();
      res.render('agendas/published', { title: `Agenda: ASBRAC ${agenda.districtName}`, backLink: `/panels/${id}/agenda`, ...view(agenda) });
    }),

    get('/panels/:id/agenda.pdf', 'signed-in', async (req, res) => {
      const id = idParam(req.params.id);
      const user = currentUser(req);
      const agenda = await agendas.published(user, actorOf(req), id, 'pdf');
      if (!agenda) throw new NotFoundError();
      const pdf = await services.pdfDocuments.renderDocument(
        'agenda',
        { title: `ASBRAC ${agenda.districtName}: agenda version ${agenda.version}`, date: agenda.panel.startsAt, ...view(agenda) },
        { recipientAgency: user.role === 'representative' ? user.agencyName : undefined },
      );
      res.type('application/pdf').setHeader('Content-Disposition', `attachment; filename="agenda-${id}-v${agenda.version}.pdf"`);
      res.send(pdf);
    }),

    post('/panels/:id/agenda', ADMIN_OR_CHAIR, async (req, res) => {
      const id = idParam(req.params.id);
      const body = req.body as Record<string, unknown>;
      const { change, errors } = readChange(body);
      const kept = formState(body, errors);
      if (!change || Object.keys(errors).length) return renderBuilder(req, res, id, { form: flatten(body, errors), status: 400 });
      const result = await agendas.change(currentUser(req), actorOf(req), id, revisionOf(body), change);
      if (!result.ok) return renderBuilder(req, res, id, { form: result.reason === 'stale' ? flatten(body, {}) : kept, status: result.reason === 'stale' ? 409 : 400, refusal: REFUSALS[result.reason] });
      flash(req, result.message);
      res.redirect(303, `/panels/${id}/agenda${change.kind === 'move' ? `#item-${change.itemId}` : ''}`);
    }),

    get('/panels/:id/agenda/items/:itemId/remove', ADMIN_OR_CHAIR, async (req, res) => {
      const id = idParam(req.params.id);
      const itemId = idParam(req.params.itemId);
      const b = await agendas.builder(currentUser(req), actorOf(req), id);
      const item = b.items.find((i) => i.id === itemId);
      if (!item) throw new NotFoundError();
      res.render('agendas/remove', { title: 'Remove an item from the agenda', backLink: `/panels/${id}/agenda`, panel: b.panel, item, form: formState({ revision: String(b.panel.agendaRevision) }) });
    }),

    post('/panels/:id/agenda/items/:itemId/remove', ADMIN_OR_CHAIR, async (req, res) => {
      const id = idParam(req.params.id);
      const itemId = idParam(req.params.itemId);
      const body = req.body as Record<string, unknown>;
      const reason = str(body.reason).replace(/\r\n/g, '\n').trim();
      const b = await agendas.builder(currentUser(req), actorOf(req), id);
      const item = b.items.find((i) => i.id === itemId);
      if (!item) throw new NotFoundError();
      const render = (status: number, errors: Record<string, string>, refusal?: string) =>
        res.status(status).render('agendas/remove', { title: 'Remove an item from the agenda', backLink: `/panels/${id}/agenda`, panel: b.panel, item, refusal, form: formState({ ...body, revision: refusal ? String(b.panel.agendaRevision) : str(body.revision) }, errors) });
      if (!reason) return render(400, { reason: 'Enter why the item is removed' });
      if (reason.length > 1000) return render(400, { reason: 'The reason must be 1000 characters or fewer' });
      const result = await agendas.change(currentUser(req), actorOf(req), id, revisionOf(body), { kind: 'remove', itemId, reason });
      if (!result.ok) return render(result.reason === 'stale' ? 409 : 400, {}, REFUSALS[result.reason]);
      flash(req, result.message, 'success', item.referralId ? 'The case is still awaiting a panel.' : undefined);
      res.redirect(303, `/panels/${id}/agenda`);
    }),
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
    closes: formatCalendarDate(agenda.panel.researchClosesOn),
    items: agenda.items.map((i) => ({
      ...i,
      kindName: KIND_NAMES[i.kind],
      subjects: i.subjects.map((s) => ({
        label: subjectLabel({ position: s.position, kind: s.kind, fullName: s.fullName, address: null, description: s.kind === 'location' ? s.description : null }),
        dateOfBirth: s.dateOfBirth ? formatCalendarDate(s.dateOfBirth instanceof Date ? s.dateOfBirth.toISOString() : s.dateOfBirth) : s.approximateAge !== null ? `About ${s.approximateAge} years old` : null,
        address: [s.address, s.postcode].filter(Boolean).join(', ') || null,
      })),
    })),
  };
}
