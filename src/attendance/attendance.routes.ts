import { ZONE } from '../time';
import type { Request, Response } from 'express';
import { DateTime } from 'luxon';
import type { Services } from '../services';
import type { AttendanceAnswer } from '../db/schema';
import { actorOf, currentUser, flash } from '../http/context';
import { ForbiddenError, idParam, NotFoundError, StaleVersionError } from '../http/errors';
import { flattenValues, formState, type FormState } from '../http/forms';
import { ADMIN_OR_CHAIR, get, post, type RouteDef } from '../http/routes';
import { requireVisiblePanel } from '../panels/panel-access';
import { recordAudit } from '../audit/audit';

import { checkDate, dateParts, datePartsOf } from '../http/forms';
import { ANSWER_NAMES, answerFormValues, MODE_NAMES, readAnswer, readClinicians } from './attendance-form';
import { missingForQuorum } from './quorum';
import type { AgencyAttendanceRow } from './attendance.service';

const PANEL_STATUS_NAMES: Record<string, string> = {
  scheduled: 'Scheduled',
  'agenda-published': 'Agenda published',
  'in-progress': 'In progress',
  concluded: 'Concluded',
  'minutes-approved': 'Minutes approved',
  'minutes-circulated': 'Minutes circulated',
  cancelled: 'Cancelled',
};

/** "Attending in person: A, B", "Deputy: name (role), online", "Apologies (information in advance)". */
export function answerSummary(r: Pick<AgencyAttendanceRow, 'answer' | 'attendees' | 'mode' | 'deputyName' | 'deputyRole' | 'informationInAdvance'>): string {
  if (!r.answer) return 'Not yet answered';
  const how = r.mode ? MODE_NAMES[r.mode].toLowerCase() : '';
  if (r.answer === 'attending') return `Attending${how ? ` ${how}` : ''}: ${r.attendees.map((a) => a.name).join(', ')}`;
  if (r.answer === 'deputy') return `Deputy: ${r.deputyName ?? ''}${r.deputyRole ? ` (${r.deputyRole})` : ''}${how ? `, ${how}` : ''}`;
  return `Apologies${r.informationInAdvance ? ', information sent in advance' : r.informationInAdvance === false ? ', no information in advance' : ''}`;
}

const researchSummary = (r: { researchRequested: number; researchAnswered: number }) =>
  r.researchRequested === 0 ? 'None requested' : `${r.researchAnswered} of ${r.researchRequested} answered`;

const ANSWER_ITEMS = (['attending', 'deputy', 'apologies'] as const).map((value) => ({ value, text: ANSWER_NAMES[value] }));

const isChairOrAdmin = (role: string) => role === 'administrator' || role === 'chair';

export function attendanceRoutes(services: Services): RouteDef[] {
  const { attendance, db } = services;

  interface PagePart {
    /** A refused "information received" date: the agency it was for, and the form to show again. */
    information?: { agencyId: number; form: FormState };
    answerForm?: FormState;
    clinicianForm?: FormState;
    conflict?: string;
    status?: number;
  }

  async function renderPanelPage(req: Request, res: Response, panelId: number, part: PagePart = {}) {
    const user = currentUser(req);
    const panel = await attendance.panelOrThrow(panelId);
    const common = { panel: { ...panel, statusName: PANEL_STATUS_NAMES[panel.status] }, backLink: `/panels/${panelId}`, answerable: ['scheduled', 'agenda-published', 'in-progress'].includes(panel.status) };
    if (isChairOrAdmin(user.role)) {
      const rows = await attendance.agencyRows(panelId);
      const missing = new Set(missingForQuorum(rows).map((r) => r.agencyId));
      res.status(part.status ?? 200).render('attendance/panel-table', {
        ...common,
        title: `Attendance: ${panel.districtName} panel`,
        rows: rows.map((r) => ({
          ...r,
          summary: answerSummary(r),
          research: researchSummary(r),
          quorumMissing: missing.has(r.agencyId),
          receivedName: `received-${r.agencyId}`,
          infoForm: part.information?.agencyId === r.agencyId ? part.information.form : formState(flattenValues({ [`received-${r.agencyId}`]: datePartsOf(r.informationReceivedOn) })),
        })),
        form: part.information?.form ?? formState(),
        quorumMissing: missing.size,
        quorumMissingNames: rows.filter((r) => missing.has(r.agencyId)).map((r) => r.shortName),
        answeredCount: rows.filter((r) => r.answer).length,
        canRegister: panel.status === 'in-progress',
      });
      return;
    }
    const [own] = await attendance.agencyRows(panelId, user.agencyId);
    if (!own) throw new NotFoundError();
    const isSpoc = user.spocForAgencyId === user.agencyId;
    const atMeeting = panel.status === 'in-progress' ? { statement: await services.register.statement(), entry: await services.register.ownEntry(user, panelId) } : null;
    const clinicianItems = isSpoc ? await attendance.clinicianItems(panelId, user.agencyId) : [];
    const clinicianValues: Record<string, string> = {};
    for (const item of clinicianItems) {
      clinicianValues[`items[item-${item.id}][attending]`] = item.attending === null ? '' : item.attending ? 'yes' : 'no';
      clinicianValues[`items[item-${item.id}][name]`] = item.clinicianName ?? '';
    }
    res.status(part.status ?? 200).render('attendance/panel-answer', {
      ...common,
      title: `Attendance: ${panel.districtName} panel`,
      own: { ...own, summary: answerSummary(own), research: researchSummary(own) },
      form: part.answerForm ?? formState(answerFormValues(own)),
      clinicianForm: part.clinicianForm ?? formState(clinicianValues),
      conflict: part.conflict,
      answerItems: ANSWER_ITEMS,
      isSpoc,
      atMeeting,
      clinicianItems: clinicianItems.map((i) => ({ ...i, attendingName: `items[item-${i.id}][attending]`, nameName: `items[item-${i.id}][name]` })),
    });
  }

  async function visiblePanelId(req: Request, action: string) {
    const panelId = idParam(req.params.id);
    await requireVisiblePanel(db, currentUser(req), actorOf(req), panelId, action);
    return panelId;
  }

  const TOKEN_PAGES: Record<string, { status: number; heading: string; body: string }> = {
    unknown: { status: 404, heading: 'This link is not valid', body: 'Check that you copied the whole link from the e-mail. Nothing has been recorded.' },
    used: { status: 410, heading: 'This link has already been used', body: 'Each link in the invitation records one answer once. Nothing more has been recorded.' },
    expired: { status: 410, heading: 'This link has expired', body: 'Links stop working when the panel ends. Nothing has been recorded.' },
    closed: { status: 410, heading: 'Answers are closed for this panel', body: 'The panel has concluded or been cancelled, so attendance can no longer be answered. Nothing has been recorded.' },
  };

  async function renderTokenState(req: Request, res: Response, state: string, tokenId?: number) {
    await recordAudit(db, actorOf(req), { action: 'attendance.link', outcome: 'denied', entityType: 'attendance-token', entityId: tokenId ?? null, details: { state } });
    const page = TOKEN_PAGES[state];
    res.status(page.status).render('attendance/link-refused', { title: page.heading, heading: page.heading, body: page.body });
  }

  return [
    get('/attendance', 'signed-in', async (req, res) => {
      const user = currentUser(req);
      const overview = isChairOrAdmin(user.role) ? await attendance.upcomingOverview() : null;
      const own = overview ? [] : await attendance.upcomingForAgency(user.agencyId);
      await recordAudit(db, actorOf(req), { action: 'attendance.list', details: { agencyId: user.agencyId } });
      res.render('attendance/list', {
        title: overview ? 'Attendance at upcoming panels' : `${user.agencyShortName}: upcoming panels`,
        overview,
        panels: own.map((p) => ({ ...p, summary: answerSummary({ answer: p.answer, attendees: [], mode: p.mode, deputyName: null, deputyRole: null, informationInAdvance: null }).split(':')[0], research: researchSummary(p) })),
        isSpoc: user.spocForAgencyId === user.agencyId,
      });
    }),

    get('/panels/:id/attendance', 'signed-in', async (req, res) => {
      const panelId = await visiblePanelId(req, 'attendance.view');
      await recordAudit(db, actorOf(req), { action: 'attendance.view', entityType: 'panel', entityId: panelId });
      await renderPanelPage(req, res, panelId);
    }),

    post('/panels/:id/attendance', 'signed-in', async (req, res) => {
      const panelId = await visiblePanelId(req, 'attendance.answer');
      const user = currentUser(req);
      if (!(await attendance.isInvited(panelId, user.agencyId))) throw new ForbiddenError('Only the representatives of an invited agency can answer for it');
      const body = (req.body ?? {}) as Record<string, unknown>;
      const parsed = readAnswer(body);
      const versionRaw = typeof body.version === 'string' ? body.version : '';
      const version = versionRaw === '' ? null : /^\d{1,9}$/.test(versionRaw) ? Number(versionRaw) : -1;
      if (!parsed.ok) return renderPanelPage(req, res, panelId, { answerForm: formState(flattenValues(body), parsed.errors), status: 400 });
      try {
        await attendance.answerSignedIn(user, actorOf(req), panelId, parsed.data, version);
      } catch (err) {
        if (err instanceof StaleVersionError) return renderPanelPage(req, res, panelId, { answerForm: formState(flattenValues(body)), conflict: err.message, status: 409 });
        throw err;
      }
      flash(req, `Answer recorded: ${ANSWER_NAMES[parsed.data.answer]}`);
      res.redirect(303, `/panels/${panelId}/attendance`);
    }),

    post('/panels/:id/clinicians', 'signed-in', async (req, res) => {
      const panelId = await visiblePanelId(req, 'attendance.clinicians');
      const user = currentUser(req);
      if (user.spocForAgencyId !== user.agencyId || !(await attendance.isInvited(panelId, user.agencyId))) {
        throw new ForbiddenError("Only the agency's single point of contact can say which clinicians will attend");
      }
      const parsed = readClinicians(req.body);
      if (!parsed.ok) return renderPanelPage(req, res, panelId, { clinicianForm: formState(flattenValues(req.body), parsed.errors), status: 400 });
      await attendance.saveClinicians(user, actorOf(req), panelId, parsed.data);
      flash(req, 'Clinicians saved');
      res.redirect(303, `/panels/${panelId}/attendance#clinicians`);
    }),

    post('/panels/:id/attendance/remind', ADMIN_OR_CHAIR, async (req, res) => {
      const panelId = idParam(req.params.id);
      await attendance.panelOrThrow(panelId);
      const raw = (req.body as Record<string, unknown> | undefined)?.agencyId;
      const agencyId = raw === undefined || raw === '' ? null : idParam(raw);
      const sent = await attendance.remindNow(actorOf(req), panelId, agencyId);
      flash(
        req,
        sent.agencies === 0 ? 'Every agency whose attendance is required has confirmed: no reminder sent' : `Reminder sent to ${sent.agencies} ${sent.agencies === 1 ? 'agency' : 'agencies'}`,
        sent.agencies === 0 ? 'important' : 'success',
      );
      res.redirect(303, `/panels/${panelId}/attendance`);
    }),

    post('/panels/:id/attendance/information', ADMIN_OR_CHAIR, async (req, res) => {
      const panelId = idParam(req.params.id);
      await attendance.panelOrThrow(panelId);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const agencyId = idParam(body.agencyId);
      const name = `received-${agencyId}`;
      const today = DateTime.fromJSDate(services.clock.now()).setZone(ZONE).toISODate() as string;
      const checked = checkDate(dateParts(body[name]), 'the date the information was received', { earliest: '2000-01-01', latest: today });
      if ('error' in checked) {
        return renderPanelPage(req, res, panelId, { information: { agencyId, form: formState(flattenValues(body), { [name]: checked.error }) }, status: 400 });
      }
      const receivedOn = 'value' in checked ? checked.value : null;
      await attendance.recordInformationReceived(actorOf(req), panelId, agencyId, receivedOn);
      flash(req, receivedOn ? 'Date information was received saved' : 'Date information was received cleared');
      res.redirect(303, `/panels/${panelId}/attendance#agency-${agencyId}`);
    }),

    get('/attend/:token', 'public', async (req, res) => {
      const raw = String(req.params.token);
      const found = await attendance.inspectToken(raw);
      if (found.state !== 'valid' || !found.token) return renderTokenState(req, res, found.state, found.token?.id);
      res.render('attendance/link', { title: 'Confirm your agency’s answer', token: found.token, answerName: ANSWER_NAMES[found.token.answer], action: `/attend/${raw}`, form: formState() });
    }),

    post('/attend/:token', 'public', async (req, res) => {
      const raw = String(req.params.token);
      const found = await attendance.inspectToken(raw);
      if (found.state !== 'valid' || !found.token) return renderTokenState(req, res, found.state, found.token?.id);
      const token = found.token;
      const body = (req.body ?? {}) as Record<string, unknown>;
      const parsed = readAnswer(body, token.answer);
      if (!parsed.ok) {
        return res.status(400).render('attendance/link', {
          title: 'Confirm your agency’s answer',
          token,
          answerName: ANSWER_NAMES[token.answer],
          action: `/attend/${raw}`,
          form: formState(flattenValues(body), parsed.errors),
        });
      }
      const used = await attendance.answerByToken(raw, parsed.data, actorOf(req));
      if (!used) return renderTokenState(req, res, 'used', token.id);
      res.render('attendance/link-done', {
        title: 'Answer recorded',
        token,
        summary: answerSummary({ ...parsed.data, answer: parsed.data.answer }),
        signedIn: !!req.user,
      });
    }),
  ];
}
