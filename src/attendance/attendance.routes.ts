import type { Request, Response } from 'express';
import type { Services } from '../services';
import { actorOf, currentUser, flash } from '../http/context';
import { idParam, StaleVersionError } from '../http/errors';
import {
  checkDate,
  dateParts,
  datePartsOf,
  flattenValues,
  formState,
  parseVersion,
  type FormState,
} from '../http/forms';
import { ADMIN_OR_CHAIR, get, post, type RouteDef } from '../http/routes';
import { today } from '../time';
import { PANEL_STATUS_NAMES } from '../panels/panels.service';
import { ANSWER_NAMES, answerFormValues, MODE_NAMES, readAnswer, readClinicians } from './attendance-form';
import { missingForQuorum } from './quorum';
import { ANSWERABLE, type AgencyAttendanceRow, type PageSave, type TokenState } from './attendance.service';

/** "Attending in person: A, B", "Deputy: name (role), online", "Apologies (information in advance)". */
export function answerSummary(
  r: Pick<AgencyAttendanceRow, 'answer' | 'attendees' | 'mode' | 'deputyName' | 'deputyRole' | 'informationInAdvance'>,
): string {
  if (!r.answer) return 'Not yet answered';
  const how = r.mode ? MODE_NAMES[r.mode].toLowerCase() : '';
  if (r.answer === 'attending') return `Attending${how ? ` ${how}` : ''}: ${r.attendees.map((a) => a.name).join(', ')}`;
  if (r.answer === 'deputy')
    return `Deputy: ${r.deputyName ?? ''}${r.deputyRole ? ` (${r.deputyRole})` : ''}${how ? `, ${how}` : ''}`;
  return `Apologies${r.informationInAdvance ? ', information sent in advance' : r.informationInAdvance === false ? ', no information in advance' : ''}`;
}

const researchSummary = (r: { researchRequested: number; researchAnswered: number }) =>
  r.researchRequested === 0 ? 'None requested' : `${r.researchAnswered} of ${r.researchRequested} answered`;

const ANSWER_ITEMS = (['attending', 'deputy', 'apologies'] as const).map((value) => ({
  value,
  text: ANSWER_NAMES[value],
}));

type Body = Record<string, unknown>;
const bodyOf = (req: Request): Body => (req.body ?? {}) as Body;

interface PagePart {
  /** A refused "information received" date: the agency it was for, and the form to show again. */
  information?: { agencyId: number; form: FormState };
  answerForm?: FormState;
  clinicianForm?: FormState;
  conflict?: string;
  status?: number;
}

type PanelPage = Awaited<ReturnType<Services['attendance']['panelPage']>>;
type Panel = PanelPage['panel'];

function commonPart(panel: Panel) {
  return {
    panel: { ...panel, statusName: PANEL_STATUS_NAMES[panel.status] },
    backLink: `/panels/${panel.id}`,
    answerable: ANSWERABLE.includes(panel.status),
  };
}

/** The chair's and administrators' page: every invited agency, its answer, research and quorum. */
function renderPanelTable(
  res: Response,
  { panel, rows, plan }: Extract<PanelPage, { kind: 'every-agency' }>,
  part: PagePart,
) {
  const missing = new Set(missingForQuorum(rows).map((r) => r.agencyId));
  res.status(part.status ?? 200).render('attendance/panel-table', {
    ...commonPart(panel),
    title: `Attendance: ${panel.districtName} panel`,
    rows: rows.map((r) => ({
      ...r,
      summary: answerSummary(r),
      research: researchSummary(r),
      quorumMissing: missing.has(r.agencyId),
      receivedName: `received-${r.agencyId}`,
      infoForm:
        part.information?.agencyId === r.agencyId
          ? part.information.form
          : formState(flattenValues({ [`received-${r.agencyId}`]: datePartsOf(r.informationReceivedOn) })),
    })),
    form: part.information?.form ?? formState(),
    quorumMissing: missing.size,
    quorumMissingNames: rows.filter((r) => missing.has(r.agencyId)).map((r) => r.shortName),
    answeredCount: rows.filter((r) => r.answer).length,
    canRegister: panel.status === 'in-progress',
    clinicianPlan: plan,
  });
}

/** An agency representative's page: their agency's answer, and for its single point of contact the clinicians. */
async function renderAgencyAnswer(
  services: Services,
  req: Request,
  res: Response,
  { panel, own, clinicianItems }: Extract<PanelPage, { kind: 'own-agency' }>,
  part: PagePart,
) {
  const user = currentUser(req);
  const atMeeting =
    panel.status === 'in-progress'
      ? { statement: await services.register.statement(), entry: await services.register.ownEntry(user, panel.id) }
      : null;
  const clinicianValues: Record<string, string> = {};
  for (const item of clinicianItems) {
    clinicianValues[`items[item-${item.id}][attending]`] = item.attending === null ? '' : item.attending ? 'yes' : 'no';
    clinicianValues[`items[item-${item.id}][name]`] = item.clinicianName ?? '';
  }
  res.status(part.status ?? 200).render('attendance/panel-answer', {
    ...commonPart(panel),
    title: `Attendance: ${panel.districtName} panel`,
    own: { ...own, summary: answerSummary(own), research: researchSummary(own) },
    form: part.answerForm ?? formState(answerFormValues(own)),
    clinicianForm: part.clinicianForm ?? formState(clinicianValues),
    conflict: part.conflict,
    answerItems: ANSWER_ITEMS,
    isSpoc: user.spocForAgencyId === user.agencyId,
    atMeeting,
    clinicianItems: clinicianItems.map((i) => ({
      ...i,
      attendingName: `items[item-${i.id}][attending]`,
      nameName: `items[item-${i.id}][name]`,
    })),
  });
}

async function renderPanelPage(services: Services, req: Request, res: Response, panelId: number, part: PagePart = {}) {
  const page = await services.attendance.panelPage(currentUser(req), panelId);
  if (page.kind === 'every-agency') renderPanelTable(res, page, part);
  else await renderAgencyAnswer(services, req, res, page, part);
}

const TOKEN_PAGES: Record<Exclude<TokenState, 'valid'>, { status: number; heading: string; body: string }> = {
  unknown: {
    status: 404,
    heading: 'This link is not valid',
    body: 'Check that you copied the whole link from the e-mail. Nothing has been recorded.',
  },
  used: {
    status: 410,
    heading: 'This link has already been used',
    body: 'Each link in the invitation records one answer once. Nothing more has been recorded.',
  },
  expired: {
    status: 410,
    heading: 'This link has expired',
    body: 'Links stop working when the panel ends. Nothing has been recorded.',
  },
  closed: {
    status: 410,
    heading: 'Answers are closed for this panel',
    body: 'The panel has concluded or been cancelled, so attendance can no longer be answered. Nothing has been recorded.',
  },
};

async function renderTokenState(
  services: Services,
  req: Request,
  res: Response,
  state: Exclude<TokenState, 'valid'>,
  tokenId?: number,
) {
  await services.attendance.refuseLink(actorOf(req), state, tokenId ?? null);
  const page = TOKEN_PAGES[state];
  res
    .status(page.status)
    .render('attendance/link-refused', { title: page.heading, heading: page.heading, body: page.body });
}

function listPage(services: Services) {
  return async (req: Request, res: Response) => {
    const user = currentUser(req);
    const { overview, own } = await services.attendance.upcoming(user, actorOf(req));
    res.render('attendance/list', {
      title: overview ? 'Attendance at upcoming panels' : `${user.agencyShortName}: upcoming panels`,
      overview,
      panels: own.map((p) => ({
        ...p,
        summary: answerSummary({
          answer: p.answer,
          attendees: [],
          mode: p.mode,
          deputyName: null,
          deputyRole: null,
          informationInAdvance: null,
        }).split(':')[0],
        research: researchSummary(p),
      })),
      isSpoc: user.spocForAgencyId === user.agencyId,
    });
  };
}

function panelPage(services: Services) {
  return async (req: Request, res: Response) => {
    const panelId = idParam(req.params.id);
    await services.attendance.openPanel(currentUser(req), actorOf(req), panelId);
    await renderPanelPage(services, req, res, panelId);
  };
}

const ANSWER_FIELDS = [
  'answer',
  'attendees',
  'mode',
  'deputyName',
  'deputyRole',
  'deputyMode',
  'apologyReason',
  'informationInAdvance',
];

const typedAnswer = (body: Body) => ANSWER_FIELDS.some((f) => typeof body[f] === 'string' && body[f] !== '');

/**
 * Which parts of the page's one form a request carries. The answer goes with any request without
 * clinicians (as before), or when something of it was typed; the clinicians whenever they are present.
 */
function partsOf(body: Body, fromCliniciansRoute: boolean) {
  const clinicians = body.items !== undefined || (fromCliniciansRoute && !typedAnswer(body));
  const answer = typedAnswer(body) || (!clinicians && !fromCliniciansRoute);
  return { answer, clinicians };
}

function savedMessage(answer: PageSave['answer'], clinicians: boolean) {
  if (!answer) return 'Clinicians saved';
  return `Answer recorded: ${ANSWER_NAMES[answer.data.answer]}${clinicians ? '; clinicians saved' : ''}`;
}

/** Every button of the page submits the whole form: what is present is checked and saved together. */
function savePage(services: Services, fromCliniciansRoute: boolean) {
  return async (req: Request, res: Response) => {
    const panelId = idParam(req.params.id);
    const user = currentUser(req);
    const body = bodyOf(req);
    const parts = partsOf(body, fromCliniciansRoute);
    if (parts.answer) await services.attendance.checkMayAnswer(user, actorOf(req), panelId);
    if (parts.clinicians) await services.attendance.checkMayNameClinicians(user, actorOf(req), panelId);
    const answer = parts.answer ? readAnswer(body) : null;
    const clinicians = parts.clinicians ? readClinicians(body) : null;
    const errors = {
      ...(answer?.ok === false ? answer.errors : {}),
      ...(clinicians?.ok === false ? clinicians.errors : {}),
    };
    const again = (extra: PagePart) => {
      const form = formState(flattenValues(body), extra.conflict ? undefined : errors);
      return renderPanelPage(services, req, res, panelId, { answerForm: form, clinicianForm: form, ...extra });
    };
    if (answer?.ok === false || clinicians?.ok === false) return again({ status: 400 });
    const version = typeof body.version !== 'string' || body.version === '' ? null : parseVersion(body.version);
    const save: PageSave = {
      answer: answer?.ok ? { data: answer.data, expectedVersion: version } : undefined,
      clinicians: clinicians?.ok ? clinicians.data : undefined,
    };
    try {
      await services.attendance.savePage(user, actorOf(req), panelId, save);
    } catch (err) {
      if (err instanceof StaleVersionError) return again({ conflict: err.message, status: 409 });
      throw err;
    }
    flash(req, savedMessage(save.answer, !!save.clinicians));
    res.redirect(303, `/panels/${panelId}/attendance${save.answer ? '' : '#clinicians'}`);
  };
}

function remind(services: Services) {
  return async (req: Request, res: Response) => {
    const panelId = idParam(req.params.id);
    const raw = bodyOf(req).agencyId;
    const agencyId = raw === undefined || raw === '' ? null : idParam(raw);
    const sent = await services.attendance.remindNow(actorOf(req), panelId, agencyId);
    flash(
      req,
      sent.agencies === 0
        ? 'Every agency whose attendance is required has confirmed: no reminder sent'
        : `Reminder sent to ${sent.agencies} ${sent.agencies === 1 ? 'agency' : 'agencies'}`,
      sent.agencies === 0 ? 'important' : 'success',
    );
    res.redirect(303, `/panels/${panelId}/attendance`);
  };
}

function informationReceived(services: Services) {
  return async (req: Request, res: Response) => {
    const panelId = idParam(req.params.id);
    const body = bodyOf(req);
    const agencyId = idParam(body.agencyId);
    const name = `received-${agencyId}`;
    const checked = checkDate(dateParts(body[name]), 'the date the information was received', {
      earliest: '2000-01-01',
      latest: today(services.clock),
    });
    if ('error' in checked) {
      return renderPanelPage(services, req, res, panelId, {
        information: { agencyId, form: formState(flattenValues(body), { [name]: checked.error }) },
        status: 400,
      });
    }
    const receivedOn = 'value' in checked ? checked.value : null;
    await services.attendance.recordInformationReceived(actorOf(req), panelId, agencyId, receivedOn);
    flash(req, receivedOn ? 'Date information was received saved' : 'Date information was received cleared');
    res.redirect(303, `/panels/${panelId}/attendance#agency-${agencyId}`);
  };
}

function linkPage(services: Services) {
  return async (req: Request, res: Response) => {
    const raw = String(req.params.token);
    const found = await services.attendance.inspectToken(raw);
    if (found.state !== 'valid' || !found.token)
      return renderTokenState(services, req, res, found.state === 'valid' ? 'unknown' : found.state, found.token?.id);
    res.render('attendance/link', {
      title: 'Confirm your agency’s answer',
      token: found.token,
      answerName: ANSWER_NAMES[found.token.answer],
      action: `/attend/${raw}`,
      form: formState(),
    });
  };
}

function linkAnswer(services: Services) {
  return async (req: Request, res: Response) => {
    const raw = String(req.params.token);
    const found = await services.attendance.inspectToken(raw);
    if (found.state !== 'valid' || !found.token)
      return renderTokenState(services, req, res, found.state === 'valid' ? 'unknown' : found.state, found.token?.id);
    const token = found.token;
    const body = bodyOf(req);
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
    const used = await services.attendance.answerByToken(raw, parsed.data, actorOf(req));
    if (!used) return renderTokenState(services, req, res, 'used', token.id);
    res.render('attendance/link-done', {
      title: 'Answer recorded',
      token,
      summary: answerSummary(parsed.data),
      signedIn: !!req.user,
    });
  };
}

export function attendanceRoutes(services: Services): RouteDef[] {
  return [
    get('/attendance', 'signed-in', listPage(services)),
    get('/panels/:id/attendance', 'signed-in', panelPage(services)),
    post('/panels/:id/attendance', 'signed-in', savePage(services, false)),
    post('/panels/:id/clinicians', 'signed-in', savePage(services, true)),
    post('/panels/:id/attendance/remind', ADMIN_OR_CHAIR, remind(services)),
    post('/panels/:id/attendance/information', ADMIN_OR_CHAIR, informationReceived(services)),
    get('/attend/:token', 'public', linkPage(services)),
    post('/attend/:token', 'public', linkAnswer(services)),
  ];
}
