import type { Request, Response } from 'express';
import type { Services } from '../services';
import { actorOf, currentUser, flash, type CurrentUser } from '../http/context';
import { RefusedError, StaleVersionError, idParam } from '../http/errors';
import { flattenValues, formState, parseVersion, type FormState } from '../http/forms';
import { ADMIN, ADMIN_OR_CHAIR, get, post, type RouteDef } from '../http/routes';
import type { DraftText, MinutesContent } from './minutes-content';
import { draftValues, readDraft } from './draft-form';
import { canApprove, isApproved, isDraftable } from './minutes-rules';
import { MinutesConflictError, type DraftPage } from './minutes.service';

const str = (v: unknown) => (typeof v === 'string' ? v.replace(/\r\n/g, '\n') : '');
/** Every string sent under a name: an empty one still counts, as a choice that is not offered. */
const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
const bodyOf = (req: Request) => (req.body ?? {}) as Record<string, unknown>;

function sendPdf(res: Response, file: { pdf: Buffer; filename: string; sha256: string }) {
  res.setHeader('Content-Type', 'application/pdf');
  res.setHeader('Content-Disposition', `inline; filename="${file.filename}"`);
  res.setHeader('ETag', `"sha256-${file.sha256}"`);
  res.setHeader('Repr-Digest', `sha-256=:${Buffer.from(file.sha256, 'hex').toString('base64')}:`);
  res.setHeader('X-Content-SHA256', file.sha256);
  res.send(file.pdf);
}

const pageOf = (content: MinutesContent) => `${content.panel.district}, ${content.panel.dateText}`;
const approvedTitle = (content: MinutesContent, version: number) =>
  `Minutes (approved, version ${version}): ${pageOf(content)}`;

interface DraftView {
  form?: FormState;
  conflict?: DraftText & { version: number };
  approveError?: string;
  httpStatus?: number;
}

function renderDraft(
  res: Response,
  user: CurrentUser,
  { panel, text, content, versions, agencies }: DraftPage,
  view: DraftView = {},
) {
  const { conflict } = view;
  // Listed newest first: once a version is approved the page is headed by it, the draft being for a correction.
  const latestVersion = versions[0]?.version;
  res.status(view.httpStatus ?? 200).render('minutes/show', {
    title: latestVersion ? approvedTitle(content, latestVersion) : `Draft minutes: ${pageOf(content)}`,
    latestVersion,
    backLink: `/panels/${panel.id}`,
    panel,
    content,
    draft: true,
    editable: isDraftable(panel.status),
    canApprove: isDraftable(panel.status) && canApprove(user, panel),
    isAdmin: user.role === 'administrator',
    correction: versions.length > 0,
    approved: isApproved(panel.status),
    draftVersion: conflict ? conflict.version : text.version,
    conflict,
    conflictSummaries: conflict
      ? content.items
          .map((i) => ({
            number: i.number,
            reference: i.reference,
            theirs: conflict.itemSummaries[String(i.agendaItemId)] ?? '',
          }))
          .filter((i) => i.theirs)
      : [],
    approveError: view.approveError,
    form: view.form ?? formState(draftValues(text, content)),
    agencyItems: agencies.map((a) => ({ value: a.agencyId, text: a.agency })),
    versions,
  });
}

function showPage(services: Services) {
  return async (req: Request, res: Response) => {
    const user = currentUser(req);
    const shown = await services.minutes.show(user, actorOf(req), idParam(req.params.id));
    switch (shown.view) {
      case 'not-ready':
        return res.render('minutes/not-ready', {
          title: 'Minutes are not ready yet',
          backLink: `/panels/${shown.panel.id}`,
          panel: shown.panel,
        });
      case 'draft':
        return renderDraft(res, user, shown);
      case 'version':
        return res.render('minutes/show', {
          title: approvedTitle(shown.latest.content, shown.latest.version),
          backLink: `/panels/${shown.panel.id}`,
          panel: shown.panel,
          content: shown.latest.content,
          draft: false,
          shownVersion: shown.latest.version,
          versions: shown.versions,
        });
    }
  };
}

function saveDraft(services: Services) {
  return async (req: Request, res: Response) => {
    const { minutes } = services;
    const user = currentUser(req);
    const panelId = idParam(req.params.id);
    const body = bodyOf(req);
    const { text, errors } = readDraft(body);
    const expected = parseVersion(body.version);
    const reshow = () => minutes.draftPage(user, actorOf(req), panelId, 'minutes.draft-saved');
    if (expected < 0) {
      const page = await reshow();
      const form = formState(flattenValues(body), {
        introduction: 'This form is out of date. Your text is kept below: save it again.',
      });
      return renderDraft(res, user, page, { form, httpStatus: 409, conflict: page.text });
    }
    // Shown again, the form holds everything typed.
    const typed = flattenValues(body);
    delete typed._csrf;
    if (Object.keys(errors).length)
      return renderDraft(res, user, await reshow(), { form: formState(typed, errors), httpStatus: 400 });
    try {
      await minutes.saveDraft(user, actorOf(req), panelId, expected, text);
    } catch (err) {
      if (err instanceof MinutesConflictError)
        return renderDraft(res, user, await reshow(), {
          form: formState(typed),
          conflict: err.theirs,
          httpStatus: 409,
        });
      if (err instanceof RefusedError)
        return renderDraft(res, user, await reshow(), { form: formState(typed, err.fieldErrors), httpStatus: 400 });
      throw err;
    }
    flash(req, 'Draft minutes saved');
    res.redirect(303, `/panels/${panelId}/minutes`);
  };
}

function approve(services: Services) {
  return async (req: Request, res: Response) => {
    const { minutes } = services;
    const user = currentUser(req);
    const panelId = idParam(req.params.id);
    const body = bodyOf(req);
    let number: number;
    try {
      number = await minutes.approve(
        user,
        actorOf(req),
        panelId,
        parseVersion(body.draftVersion),
        str(body.reason).trim(),
      );
    } catch (err) {
      if (!(err instanceof RefusedError) && !(err instanceof MinutesConflictError)) throw err;
      const page = await minutes.draftPage(user, actorOf(req), panelId, 'minutes.approved');
      return renderDraft(res, user, page, { approveError: err.message, httpStatus: err.status });
    }
    flash(req, number > 1 ? `Corrected minutes approved as version ${number}` : 'Minutes approved as version 1');
    res.redirect(303, `/panels/${panelId}/minutes`);
  };
}

function currentPdf(services: Services) {
  return async (req: Request, res: Response) => {
    const panelId = idParam(req.params.id);
    const file = await services.minutes.currentPdf(currentUser(req), actorOf(req), panelId);
    if ('latestVersion' in file)
      return res.redirect(303, `/panels/${panelId}/minutes/versions/${file.latestVersion}.pdf`);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="${file.filename}"`);
    res.send(file.pdf);
  };
}

function versionPdf(services: Services) {
  return async (req: Request, res: Response) => {
    const panelId = idParam(req.params.id);
    sendPdf(
      res,
      await services.minutes.versionDownload(currentUser(req), actorOf(req), panelId, idParam(req.params.version)),
    );
  };
}

function copyPdf(services: Services) {
  return async (req: Request, res: Response) => {
    const panelId = idParam(req.params.id);
    sendPdf(
      res,
      await services.minutes.copyDownload(currentUser(req), actorOf(req), panelId, idParam(req.params.copy)),
    );
  };
}

async function renderCirculate(
  services: Services,
  req: Request,
  res: Response,
  action: string,
  view: { form?: FormState; httpStatus?: number } = {},
) {
  const page = await services.minutes.circulationPage(currentUser(req), actorOf(req), idParam(req.params.id), action);
  const { panel, versions, defaults, eligible, content } = page;
  const form =
    view.form ??
    formState({
      version: versions[0] ? String(versions[0].version) : '',
      recipients: defaults.map((d) => String(d.userId)),
    });
  const selected = list(form.values.recipients);
  const agencies = new Map<string, Array<{ value: string; text: string; hint: string; checked: boolean }>>();
  for (const r of eligible) {
    const items = agencies.get(r.agencyName) ?? [];
    items.push({ value: String(r.userId), text: r.name, hint: r.email, checked: selected.includes(String(r.userId)) });
    agencies.set(r.agencyName, items);
  }
  const chosenVersion = str(form.values.version);
  res.status(view.httpStatus ?? 200).render('minutes/circulate', {
    title: `Circulate the minutes: ${content.panel.district}, ${content.panel.dateText}`,
    backLink: `/panels/${panel.id}/minutes`,
    panel,
    approved: page.approved,
    versionItems: versions.map((v) => ({
      value: String(v.version),
      text: `Version ${v.version}`,
      hint: v.correctionReason ? `Correction: ${v.correctionReason}` : 'First approved version',
      checked: chosenVersion === String(v.version),
    })),
    agencies: [...agencies.entries()].map(([agency, items]) => ({ agency, items })),
    form,
  });
}

function circulate(services: Services) {
  return async (req: Request, res: Response) => {
    const panelId = idParam(req.params.id);
    const body = bodyOf(req);
    let count: number;
    try {
      count = await services.minutes.circulate(currentUser(req), actorOf(req), panelId, {
        version: str(body.version),
        recipients: list(body.recipients),
        addEmail: str(body.addEmail),
      });
    } catch (err) {
      if (err instanceof RefusedError)
        return renderCirculate(services, req, res, 'minutes.circulated', {
          form: formState(flattenValues(body), err.fieldErrors),
          httpStatus: 400,
        });
      if (err instanceof StaleVersionError)
        return renderCirculate(services, req, res, 'minutes.circulated', { httpStatus: 409 });
      throw err;
    }
    flash(
      req,
      `Minutes sent to ${count} ${count === 1 ? 'person' : 'people'}`,
      'success',
      'The delivery log shows each message as the mail server accepts it.',
    );
    res.redirect(303, `/panels/${panelId}/minutes/deliveries`);
  };
}

function deliveriesPage(services: Services) {
  return async (req: Request, res: Response) => {
    const { panel, content, deliveries } = await services.minutes.deliveryLog(
      currentUser(req),
      actorOf(req),
      idParam(req.params.id),
    );
    res.render('minutes/deliveries', {
      title: `Minutes deliveries: ${content.panel.district}, ${content.panel.dateText}`,
      backLink: `/panels/${panel.id}/minutes`,
      panel,
      deliveries,
    });
  };
}

function resend(services: Services) {
  return async (req: Request, res: Response) => {
    const panelId = idParam(req.params.id);
    await services.minutes.resend(currentUser(req), actorOf(req), panelId, idParam(req.params.delivery));
    flash(req, 'The minutes have been queued to send again');
    res.redirect(303, `/panels/${panelId}/minutes/deliveries`);
  };
}

export function minutesRoutes(services: Services): RouteDef[] {
  return [
    get('/panels/:id/minutes', 'signed-in', showPage(services)),
    post('/panels/:id/minutes', ADMIN_OR_CHAIR, saveDraft(services)),
    post('/panels/:id/minutes/approve', ADMIN_OR_CHAIR, approve(services)),
    get('/panels/:id/minutes.pdf', 'signed-in', currentPdf(services)),
    get('/panels/:id/minutes/versions/:version.pdf', 'signed-in', versionPdf(services)),
    get('/panels/:id/minutes/copies/:copy.pdf', ADMIN, copyPdf(services)),
    get('/panels/:id/minutes/circulate', ADMIN, (req, res) =>
      renderCirculate(services, req, res, 'minutes.circulation-viewed'),
    ),
    post('/panels/:id/minutes/circulate', ADMIN, circulate(services)),
    get('/panels/:id/minutes/deliveries', ADMIN, deliveriesPage(services)),
    post('/panels/:id/minutes/deliveries/:delivery/resend', ADMIN, resend(services)),
  ];
}
