import type { Request, Response } from 'express';
import type { Services } from '../services';
import type { RegisterStatus } from '../db/schema';
import { actorOf, currentUser, flash } from '../http/context';
import { idParam, StaleVersionError } from '../http/errors';
import {
  checkbox,
  flattenValues,
  formState,
  optionalText,
  parseForm,
  parseId,
  parseVersion,
  requiredLongText,
  requiredText,
  versionField,
  type FormState,
} from '../http/forms';
import { ADMIN, ADMIN_OR_CHAIR, get, post, type RouteDef } from '../http/routes';
import { z } from 'zod';
import { ANSWER_NAMES, MODE_NAMES } from '../attendance/attendance-form';
import {
  PRESENT_STATUSES,
  REGISTER_STATUSES,
  REGISTER_STATUS_NAMES,
  type AgencyAnswer,
  type RegisterLine,
  type RegisterRowInput,
} from './register.service';

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const personName = requiredText('the name', 100);
const personRole = optionalText('the role', 100);

const STATUS_ITEMS = REGISTER_STATUSES.map((value) => ({ value, text: REGISTER_STATUS_NAMES[value] }));

/** The tag of a proposed line: what its agency answered ("Apologies sent, information sent in advance"), or "No answer". */
function answerTag(l: Pick<RegisterLine, 'source' | 'agencyAnswer'>): string | null {
  if (l.source === 'saved') return null;
  if (!l.agencyAnswer) return l.source === 'not-recorded' ? 'No answer' : null;
  return answerName(l.agencyAnswer);
}

function answerName(a: AgencyAnswer): string {
  const how = a.mode ? MODE_NAMES[a.mode].toLowerCase() : '';
  switch (a.answer) {
    case 'attending':
      return `${ANSWER_NAMES.attending}${how ? ` ${how}` : ''}`;
    case 'deputy':
      return `${ANSWER_NAMES.deputy}${how ? `, ${how}` : ''}`;
    case 'apologies':
      if (a.informationInAdvance === true) return 'Apologies sent, information sent in advance';
      return a.informationInAdvance === false ? 'Apologies sent, no information in advance' : 'Apologies sent';
  }
}

type RawRow = Record<string, unknown>;
const s = (v: unknown) => (typeof v === 'string' ? v : '');
/** A line's version as posted, or null when it has none that could be one. */
const versionOf = (v: unknown) => (parseVersion(v) === -1 ? null : parseVersion(v));

/** The rows as posted: qs gives an array for up to 20 rows and an object keyed by index beyond. */
function rawRows(body: unknown): RawRow[] {
  const rows = ((body ?? {}) as Record<string, unknown>).rows;
  if (!rows || typeof rows !== 'object') return [];
  const list = Array.isArray(rows)
    ? rows
    : Object.entries(rows as Record<string, unknown>)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([, v]) => v);
  return list.filter((r): r is RawRow => r !== null && typeof r === 'object').slice(0, 300);
}

/** Validates each line; a line without a status is left unrecorded unless it was saved before. */
export function readRegister(body: unknown): { rows: RegisterRowInput[]; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const rows: RegisterRowInput[] = [];
  rawRows(body).forEach((raw, i) => {
    const name = (f: string) => `rows[${i}][${f}]`;
    const id = parseId(raw.id);
    const version = versionOf(raw.version);
    const agencyId = parseId(raw.agencyId);
    const status = s(raw.status);
    if (status === '') {
      if (id !== null) errors[name('status')] = 'Select how this person attended';
      return;
    }
    if (!(REGISTER_STATUSES as readonly string[]).includes(status)) {
      errors[name('status')] = 'Select how this person attended';
      return;
    }
    // Someone absent or sending apologies may be unknown by name: the agency's line is enough.
    const unnamedAllowed = status === 'absent' || status === 'apologies';
    const n =
      unnamedAllowed && s(raw.personName).trim() === ''
        ? ({ success: true, data: '' } as const)
        : personName.safeParse(s(raw.personName));
    if (!n.success) errors[name('personName')] = n.error.issues[0].message;
    const role = personRole.safeParse(s(raw.role));
    if (!role.success) errors[name('role')] = role.error.issues[0].message;
    const arrivedAt = s(raw.arrivedAt).trim();
    const leftAt = s(raw.leftAt).trim();
    if (status === 'late' && !TIME.test(arrivedAt))
      errors[name('arrivedAt')] = 'Enter the time they arrived, like 10:15';
    if (status === 'left-early' && !TIME.test(leftAt)) errors[name('leftAt')] = 'Enter the time they left, like 11:30';
    const agreed = checkbox.parse(raw.agreed);
    if (agreed && !PRESENT_STATUSES.includes(status as RegisterStatus))
      errors[name('agreed')] = 'Only someone at the meeting can agree to the confidentiality statement';
    if (n.success && role.success) {
      rows.push({
        id,
        version,
        agencyId,
        personName: n.data,
        role: role.data,
        status: status as RegisterStatus,
        arrivedAt: arrivedAt || null,
        leftAt: leftAt || null,
        agreed,
      });
    }
  });
  return { rows, errors };
}

const observerSchema = z.object({ personName, role: personRole, agreed: checkbox });
const statementSchema = z.object({ text: requiredLongText('the statement', 5000), version: versionField });

interface RegisterPage {
  lines?: RegisterLine[];
  form?: FormState;
  observerForm?: FormState;
  conflict?: string;
  status?: number;
}

/** The form's values for the lines as they stand. */
function lineValues(lines: RegisterLine[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  lines.forEach((l, i) => {
    Object.assign(values, {
      [`rows[${i}][personName]`]: l.personName,
      [`rows[${i}][role]`]: l.role ?? '',
      [`rows[${i}][status]`]: l.status ?? '',
      [`rows[${i}][arrivedAt]`]: l.arrivedAt ?? '',
      [`rows[${i}][leftAt]`]: l.leftAt ?? '',
      [`rows[${i}][agreed]`]: l.confidentialityAgreed ? 'true' : '',
    });
  });
  return values;
}

async function renderRegister(services: Services, res: Response, panelId: number, opts: RegisterPage = {}) {
  const shown = await services.register.page(panelId, opts.lines === undefined);
  const { panel, statement, missing } = shown;
  const lines = opts.lines ?? shown.lines;
  res.status(opts.status ?? 200).render('register/register', {
    title: `Register: ${panel.districtName} panel`,
    backLink: `/panels/${panelId}/attendance`,
    panel,
    editable: panel.status === 'in-progress',
    statement,
    missing,
    conflict: opts.conflict,
    form: opts.form ?? formState(lineValues(lines)),
    observerForm: opts.observerForm ?? formState(),
    statusItems: STATUS_ITEMS,
    lines: lines.map((l, i) => ({
      ...l,
      index: i,
      statusName: l.status ? REGISTER_STATUS_NAMES[l.status] : 'Not yet recorded',
      answerTag: answerTag(l),
      names: Object.fromEntries(
        ['id', 'version', 'agencyId', 'personName', 'role', 'status', 'arrivedAt', 'leftAt', 'agreed'].map((f) => [
          f,
          `rows[${i}][${f}]`,
        ]),
      ),
    })),
  });
}

/** The lines as posted, so that the page drawn again keeps what was typed where it was typed. */
function postedLines(body: unknown, current: RegisterLine[]): RegisterLine[] {
  return rawRows(body).map((raw, i) => {
    const id = parseId(raw.id);
    const known = current.find((l) =>
      id !== null ? l.id === id : l.id === null && String(l.agencyId) === s(raw.agencyId),
    );
    return {
      ...(known ??
        current[i] ?? {
          id: null,
          version: null,
          agencyId: null,
          agencyName: '',
          isObserver: false,
          confidentialityAgreed: false,
          statementVersion: null,
          source: 'expected' as const,
          agencyAnswer: null,
        }),
      id,
      version: versionOf(raw.version),
      personName: s(raw.personName),
      role: s(raw.role),
      status: (REGISTER_STATUSES as readonly string[]).includes(s(raw.status))
        ? (s(raw.status) as RegisterStatus)
        : null,
      arrivedAt: s(raw.arrivedAt),
      leftAt: s(raw.leftAt),
      confidentialityAgreed: checkbox.parse(raw.agreed),
    };
  });
}

function registerPage(services: Services) {
  return async (req: Request, res: Response) => {
    const panelId = idParam(req.params.id);
    await services.register.view(actorOf(req), panelId);
    await renderRegister(services, res, panelId);
  };
}

function saveRegister(services: Services) {
  return async (req: Request, res: Response) => {
    const panelId = idParam(req.params.id);
    const { rows, errors } = readRegister(req.body);
    const posted = postedLines(req.body, await services.register.lines(panelId));
    if (Object.keys(errors).length)
      return renderRegister(services, res, panelId, {
        lines: posted,
        form: formState(flattenValues(req.body), errors),
        status: 400,
      });
    try {
      await services.register.save(currentUser(req), actorOf(req), panelId, rows);
    } catch (err) {
      if (err instanceof StaleVersionError)
        return renderRegister(services, res, panelId, {
          lines: posted,
          form: formState(flattenValues(req.body)),
          conflict: err.message,
          status: 409,
        });
      throw err;
    }
    flash(req, 'Register saved');
    res.redirect(303, `/panels/${panelId}/register`);
  };
}

function addObserver(services: Services) {
  return async (req: Request, res: Response) => {
    const panelId = idParam(req.params.id);
    const parsed = parseForm(observerSchema, req.body);
    if (!parsed.ok) return renderRegister(services, res, panelId, { observerForm: parsed.form, status: 400 });
    await services.register.addObserver(currentUser(req), actorOf(req), panelId, parsed.data);
    flash(req, 'Observer added');
    res.redirect(303, `/panels/${panelId}/register`);
  };
}

function selfAgree(services: Services) {
  return async (req: Request, res: Response) => {
    const panelId = idParam(req.params.id);
    const mode = (req.body as Record<string, unknown> | undefined)?.mode === 'online' ? 'online' : 'present';
    await services.register.selfAgree(currentUser(req), actorOf(req), panelId, mode);
    flash(req, 'You are on the register and have agreed to the confidentiality statement');
    res.redirect(303, `/panels/${panelId}/attendance#confidentiality`);
  };
}

function statementPage(services: Services) {
  return async (_req: Request, res: Response) => {
    const statement = await services.register.statement();
    res.render('register/confidentiality', {
      title: 'Confidentiality statement',
      statement,
      form: formState({ text: statement.text, version: String(statement.version) }),
    });
  };
}

function saveStatement(services: Services) {
  return async (req: Request, res: Response) => {
    const parsed = parseForm(statementSchema, req.body);
    const statement = await services.register.statement();
    if (!parsed.ok)
      return res
        .status(400)
        .render('register/confidentiality', { title: 'Confidentiality statement', statement, form: parsed.form });
    try {
      const saved = await services.register.newStatement(
        currentUser(req),
        actorOf(req),
        parsed.data.text,
        parsed.data.version,
      );
      flash(
        req,
        `Confidentiality statement version ${saved.version} saved`,
        'success',
        'Registers taken from now on record agreement to this version.',
      );
    } catch (err) {
      if (err instanceof StaleVersionError) {
        return res.status(409).render('register/confidentiality', {
          title: 'Confidentiality statement',
          statement,
          conflict: err.message,
          form: formState({ text: parsed.data.text, version: String(statement.version) }),
        });
      }
      throw err;
    }
    res.redirect(303, '/admin/confidentiality');
  };
}

export function registerRoutes(services: Services): RouteDef[] {
  return [
    get('/panels/:id/register', ADMIN_OR_CHAIR, registerPage(services)),
    post('/panels/:id/register', ADMIN_OR_CHAIR, saveRegister(services)),
    post('/panels/:id/register/observers', ADMIN_OR_CHAIR, addObserver(services)),
    post('/panels/:id/register/self', 'signed-in', selfAgree(services)),
    get('/admin/confidentiality', ADMIN, statementPage(services)),
    post('/admin/confidentiality', ADMIN, saveStatement(services)),
  ];
}
