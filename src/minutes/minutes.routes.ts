import type { Request, Response } from 'express';
import type { Services } from '../services';
import { actorOf, currentUser, flash, type CurrentUser } from '../http/context';
import { ForbiddenError, HttpError, NotFoundError, idParam } from '../http/errors';
import { flattenValues, formState, type FormState } from '../http/forms';
import { ADMIN, ADMIN_OR_CHAIR, get, post, type RouteDef } from '../http/routes';
import { recordAudit } from '../audit/audit';
import { requireVisiblePanel } from '../panels/panel-access';
import { isSingleAddress } from '../mail/outbox';
import type { Panel } from './panel-type';
import type { DraftText, Recipient } from './minutes-content';
import { MinutesConflictError, minutesTitle, type MinutesService } from './minutes.service';

const TEXT_MAX = 20000;
const DRAFTABLE = new Set(['concluded', 'minutes-approved', 'minutes-circulated']);
const APPROVED = new Set(['minutes-approved', 'minutes-circulated']);

const manages = (user: CurrentUser) => user.role === 'administrator' || user.role === 'chair';
const str = (v: unknown) => (typeof v === 'string' ? v.replace(/\r\n/g, '\n') : '');
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

function readDraft(body: Record<string, unknown>): { text: DraftText; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const limited = (name: string, label: string, value: string) => {
    if (value.length > TEXT_MAX) errors[name] = `${label} must be ${TEXT_MAX} characters or fewer`;
    return value.trim() || null;
  };
  const summaries: Record<string, string> = {};
  const raw = body.summary;
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [id, value] of Object.entries(raw as Record<string, unknown>)) {
      // Keys are "i<agenda item id>": a purely numeric key would make the body parser build an array.
      const match = /^i([1-9]\d{0,9})$/.exec(id);
      if (!match) continue;
      const text = limited(`summary[${id}]`, 'The summary', str(value));
      if (text) summaries[match[1]] = text;
    }
  }
  return {
    text: {
      introduction: limited('introduction', 'The introduction', str(body.introduction)),
      otherBusiness: limited('otherBusiness', 'Other business notes', str(body.otherBusiness)),
      itemSummaries: summaries,
    },
    errors,
  };
}

function draftValues(text: DraftText): Record<string, unknown> {
  const summary = Object.fromEntries(Object.entries(text.itemSummaries).map(([id, v]) => [`i${id}`, v]));
  return flattenValues({ introduction: text.introduction ?? '', otherBusiness: text.otherBusiness ?? '', summary });
}

function pdfHeaders(res: Response, filename: string, sha256: string) {
  res.setHeader('Content-Type', 'application/pdf');
  res.setHeader('Content-Disposition', `inline; filename="${filename}"`);
  res.setHeader('ETag', `"sha256-${sha256}"`);
  res.setHeader('Repr-Digest', `sha-256=:${Buffer.from(sha256, 'hex').toString('base64')}:`);
  res.setHeader('X-Content-SHA256', sha256);
}

export function minutesRoutes(services: Services): RouteDef[] {
  const minutes: MinutesService = services.minutes;
  const { db } = services;

  async function panelFor(req: Request, action: string): Promise<Panel> {
    const id = idParam(req.params.id);
    return requireVisiblePanel(db, currentUser(req), actorOf(req), id, action);
  }

  async function denied(req: Request, panelId: number, action: string): Promise<never> {
    await recordAudit(db, actorOf(req), { action, outcome: 'denied', entityType: 'panel', entityId: panelId });
    throw new NotFoundError();
  }

  interface DraftPage {
    form?: FormState;
    conflict?: DraftText & { version: number };
    approveError?: string;
    httpStatus?: number;
  }

  async function renderDraft(req: Request, res: Response, panel: Panel, page: DraftPage = {}) {
    const user = currentUser(req);
    const { text, content } = await minutes.draft(panel.id);
    const versions = await minutes.versions(panel.id);
    const form = page.form ?? formState(draftValues(text));
    const approved = APPROVED.has(panel.status);
    res.status(page.httpStatus ?? 200).render('minutes/show', {
      title: `Draft minutes: ${content.panel.district}, ${content.panel.dateText}`,
      backLink: `/panels/${panel.id}`,
      panel,
      content,
      draft: true,
      editable: DRAFTABLE.has(panel.status),
      canApprove: DRAFTABLE.has(panel.status) && (user.role === 'administrator' || panel.chairUserId === user.id),
      isAdmin: user.role === 'administrator',
      correction: versions.length > 0,
      approved,
      draftVersion: page.conflict ? page.conflict.version : text.version,
      conflict: page.conflict,
      conflictSummaries: page.conflict
        ? content.items.map((i) => ({ number: i.number, reference: i.reference, theirs: page.conflict!.itemSummaries[String(i.agendaItemId)] ?? '' })).filter((i) => i.theirs)
        : [],
      approveError: page.approveError,
      form,
      versions,
    });
  }

  return [
    get('/panels/:id/minutes', 'signed-in', async (req, res) => {
      const user = currentUser(req);
      const panel = await panelFor(req, 'minutes.viewed');
      if (manages(user)) {
        await recordAudit(db, actorOf(req), { action: 'minutes.viewed', entityType: 'panel', entityId: panel.id, details: { draft: true } });
        if (!DRAFTABLE.has(panel.status)) {
          return res.render('minutes/not-ready', { title: 'Minutes are not ready yet', backLink: `/panels/${panel.id}`, panel });
        }
        return renderDraft(req, res, panel);
      }
      const latest = await minutes.latestVersion(panel.id);
      if (!latest) return denied(req, panel.id, 'minutes.viewed');
      await recordAudit(db, actorOf(req), { action: 'minutes.viewed', entityType: 'panel', entityId: panel.id, details: { minutesVersion: latest.version } });
      res.render('minutes/show', {
        title: minutesTitle(latest.content),
        backLink: `/panels/${panel.id}`,
        panel,
        content: latest.content,
        draft: false,
        shownVersion: latest.version,
        versions: await minutes.versions(panel.id),
      });
    }),

    post('/panels/:id/minutes', ADMIN_OR_CHAIR, async (req, res) => {
      const panel = await panelFor(req, 'minutes.draft-saved');
      const body = (req.body ?? {}) as Record<string, unknown>;
      const { text, errors } = readDraft(body);
      const expected = Number(str(body.version));
      if (!Number.isInteger(expected) || expected < 0 || str(body.version) === '') {
        return renderDraft(req, res, panel, { form: formState(flattenValues(body), { introduction: 'This form is out of date. Your text is kept below: save it again.' }), httpStatus: 409, conflict: { ...(await minutes.draftText(panel.id)) } });
      }
      if (Object.keys(errors).length) return renderDraft(req, res, panel, { form: formState(draftValues(text), errors), httpStatus: 400 });
      if (!DRAFTABLE.has(panel.status)) throw new HttpError(409, 'Minutes can be drafted only once the panel has concluded');
      try {
        await minutes.saveDraft(panel.id, currentUser(req), actorOf(req), expected, text);
      } catch (err) {
        if (err instanceof MinutesConflictError) return renderDraft(req, res, panel, { form: formState(draftValues(text)), conflict: err.theirs, httpStatus: 409 });
        throw err;
      }
      flash(req, 'Draft minutes saved');
      res.redirect(303, `/panels/${panel.id}/minutes`);
    }),

    post('/panels/:id/minutes/approve', ADMIN_OR_CHAIR, async (req, res) => {
      const user = currentUser(req);
      const panel = await panelFor(req, 'minutes.approved');
      if (user.role !== 'administrator' && panel.chairUserId !== user.id) {
        await recordAudit(db, actorOf(req), { action: 'minutes.approved', outcome: 'denied', entityType: 'panel', entityId: panel.id });
        throw new ForbiddenError('Only the chair of this panel or an administrator can approve its minutes');
      }
      if (!DRAFTABLE.has(panel.status)) throw new HttpError(409, 'Minutes can be approved only once the panel has concluded');
      const body = (req.body ?? {}) as Record<string, unknown>;
      const expected = Number(str(body.draftVersion));
      const reason = str(body.reason).trim();
      const versions = await minutes.versions(panel.id);
      if (versions.length > 0 && !reason) return renderDraft(req, res, panel, { approveError: 'Give the reason for the correction', httpStatus: 400 });
      if (reason.length > 2000) return renderDraft(req, res, panel, { approveError: 'The reason must be 2000 characters or fewer', httpStatus: 400 });
      if (str(body.draftVersion) === '' || !Number.isInteger(expected)) return renderDraft(req, res, panel, { approveError: 'The page was out of date: check the minutes below and approve them again', httpStatus: 409 });
      let number: number;
      try {
        number = await minutes.approve(panel.id, user, actorOf(req), expected, reason || null);
      } catch (err) {
        if (err instanceof MinutesConflictError) {
          return renderDraft(req, res, panel, { approveError: 'Someone changed the draft since you loaded this page: check the minutes below and approve them again', httpStatus: 409 });
        }
        throw err;
      }
      flash(req, number > 1 ? `Corrected minutes approved as version ${number}` : 'Minutes approved as version 1');
      res.redirect(303, `/panels/${panel.id}/minutes`);
    }),

    get('/panels/:id/minutes.pdf', 'signed-in', async (req, res) => {
      const user = currentUser(req);
      const panel = await panelFor(req, 'minutes.downloaded');
      if (manages(user)) {
        if (!DRAFTABLE.has(panel.status)) throw new NotFoundError();
        const { content } = await minutes.draft(panel.id);
        const pdf = await minutes.renderPdf(content);
        await recordAudit(db, actorOf(req), { action: 'minutes.downloaded', entityType: 'panel', entityId: panel.id, details: { draft: true } });
        res.setHeader('Content-Type', 'application/pdf');
        res.setHeader('Content-Disposition', `inline; filename="asbrac-minutes-${content.panel.date}-draft.pdf"`);
        return res.send(pdf);
      }
      const latest = await minutes.latestVersion(panel.id);
      if (!latest) return denied(req, panel.id, 'minutes.downloaded');
      res.redirect(303, `/panels/${panel.id}/minutes/versions/${latest.version}.pdf`);
    }),

    get('/panels/:id/minutes/versions/:version.pdf', 'signed-in', async (req, res) => {
      const user = currentUser(req);
      const panel = await panelFor(req, 'minutes.downloaded');
      const number = idParam(req.params.version);
      const row = await minutes.version(panel.id, number).catch(() => undefined);
      if (!row) return denied(req, panel.id, 'minutes.downloaded');
      // An agency's representatives get their agency's copy, named on every page.
      const file = manages(user) ? await minutes.versionPdf(panel.id, number) : await minutes.agencyCopyPdf(row.id, row.content, user.agencyId, user.agencyName);
      await recordAudit(db, actorOf(req), { action: 'minutes.downloaded', entityType: 'panel', entityId: panel.id, details: { minutesVersion: number, sha256: file.sha256 } });
      pdfHeaders(res, `asbrac-minutes-${row.content.panel.date}-v${number}.pdf`, file.sha256);
      res.send(file.pdf);
    }),

    get('/panels/:id/minutes/copies/:copy.pdf', ADMIN, async (req, res) => {
      const panel = await panelFor(req, 'minutes.downloaded');
      const copy = await minutes.copy(panel.id, idParam(req.params.copy));
      await recordAudit(db, actorOf(req), { action: 'minutes.downloaded', entityType: 'panel', entityId: panel.id, details: { minutesVersion: copy.version, agencyId: copy.agencyId, sha256: copy.pdfSha256 } });
      pdfHeaders(res, `asbrac-minutes-v${copy.version}-copy-${copy.agencyId}.pdf`, copy.pdfSha256);
      res.send(copy.pdf);
    }),

    get('/panels/:id/minutes/circulate', ADMIN, async (req, res) => {
      const panel = await panelFor(req, 'minutes.circulation-viewed');
      await renderCirculate(req, res, panel);
    }),

    post('/panels/:id/minutes/circulate', ADMIN, async (req, res) => {
      const panel = await panelFor(req, 'minutes.circulated');
      if (!APPROVED.has(panel.status)) return renderCirculate(req, res, panel, { httpStatus: 409 });
      const body = (req.body ?? {}) as Record<string, unknown>;
      const errors: Record<string, string> = {};
      const versions = await minutes.versions(panel.id);
      const versionNumber = Number(str(body.version));
      if (!versions.some((v) => v.version === versionNumber)) errors.version = 'Choose the approved version to circulate';
      const eligible = await minutes.eligibleRecipients(panel.id);
      const byId = new Map(eligible.map((r) => [String(r.userId), r]));
      const chosen = new Map<number, Recipient>();
      for (const id of list(body.recipients)) {
        const r = byId.get(id);
        if (!r) errors.recipients = 'Choose people from the invited agencies only';
        else chosen.set(r.userId, r);
      }
      const typed = str(body.addEmail);
      if (typed.trim() !== '') {
        const address = typed.trim().toLowerCase();
        if (/[\r\n]/.test(typed)) errors.addEmail = 'Enter one email address, on one line';
        else if (/[,;\s]/.test(address)) errors.addEmail = 'Enter one email address only';
        else if (!isSingleAddress(address)) errors.addEmail = 'Enter an email address in the correct format, like name@example.org';
        else {
          const match = eligible.find((r) => r.email.toLowerCase() === address);
          if (!match) errors.addEmail = 'Enter the email address of a user of one of the invited agencies';
          else chosen.set(match.userId, match);
        }
      }
      if (chosen.size === 0 && !errors.recipients && !errors.addEmail) errors.recipients = 'Choose at least one recipient';
      if (Object.keys(errors).length) return renderCirculate(req, res, panel, { form: formState(flattenValues(body), errors), httpStatus: 400 });
      const count = await minutes.circulate(panel.id, currentUser(req), actorOf(req), versionNumber, [...chosen.values()], services.config.baseUrl);
      flash(req, `Minutes sent to ${count} ${count === 1 ? 'person' : 'people'}`, 'success', 'The delivery log shows each message as the mail server accepts it.');
      res.redirect(303, `/panels/${panel.id}/minutes/deliveries`);
    }),

    get('/panels/:id/minutes/deliveries', ADMIN, async (req, res) => {
      const panel = await panelFor(req, 'minutes.deliveries-viewed');
      const deliveries = await minutes.deliveries(panel.id);
      await recordAudit(db, actorOf(req), { action: 'minutes.deliveries-viewed', entityType: 'panel', entityId: panel.id });
      const { content } = await minutes.draft(panel.id);
      res.render('minutes/deliveries', {
        title: `Minutes deliveries: ${content.panel.district}, ${content.panel.dateText}`,
        backLink: `/panels/${panel.id}/minutes`,
        panel,
        deliveries: deliveries.map((d) => ({ ...d, superseded: deliveries.some((o) => o.resendOf === d.id) })),
      });
    }),

    post('/panels/:id/minutes/deliveries/:delivery/resend', ADMIN, async (req, res) => {
      const panel = await panelFor(req, 'minutes.resent');
      await minutes.resend(panel.id, idParam(req.params.delivery), currentUser(req), actorOf(req), services.config.baseUrl);
      flash(req, 'The minutes have been queued to send again');
      res.redirect(303, `/panels/${panel.id}/minutes/deliveries`);
    }),
  ];

  async function renderCirculate(req: Request, res: Response, panel: Panel, page: { form?: FormState; httpStatus?: number } = {}) {
    const versions = await minutes.versions(panel.id);
    const defaults = await minutes.defaultRecipients(panel.id);
    const eligible = await minutes.eligibleRecipients(panel.id);
    await recordAudit(db, actorOf(req), { action: 'minutes.circulation-viewed', entityType: 'panel', entityId: panel.id });
    const form = page.form ?? formState({ version: versions[0] ? String(versions[0].version) : '', recipients: defaults.map((d) => String(d.userId)) });
    const selected = list(form.values.recipients);
    const agencies = new Map<string, Array<{ value: string; text: string; hint: string; checked: boolean }>>();
    for (const r of eligible) {
      const items = agencies.get(r.agencyName) ?? [];
      items.push({ value: String(r.userId), text: r.name, hint: r.email, checked: selected.includes(String(r.userId)) });
      agencies.set(r.agencyName, items);
    }
    const { content } = await minutes.draft(panel.id);
    res.status(page.httpStatus ?? 200).render('minutes/circulate', {
      title: `Circulate the minutes: ${content.panel.district}, ${content.panel.dateText}`,
      backLink: `/panels/${panel.id}/minutes`,
      panel,
      approved: APPROVED.has(panel.status),
      versionItems: versions.map((v) => ({ value: String(v.version), text: `Version ${v.version}`, hint: v.correctionReason ? `Correction: ${v.correctionReason}` : 'First approved version', checked: String(form.values.version) === String(v.version) })),
      agencies: [...agencies.entries()].map(([agency, items]) => ({ agency, items })),
      form,
    });
  }
}
