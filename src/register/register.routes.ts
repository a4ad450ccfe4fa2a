import type { Request, Response } from 'express';
import type { Services } from '../services';
import type { RegisterStatus } from '../db/schema';
import { actorOf, currentUser, flash } from '../http/context';
import { idParam, StaleVersionError } from '../http/errors';
import { checkbox, flattenValues, formState, optionalText, parseForm, requiredLongText, requiredText, versionField, type FormState } from '../http/forms';
import { ADMIN, ADMIN_OR_CHAIR, get, post, type RouteDef } from '../http/routes';
import { z } from 'zod';
import { requireVisiblePanel } from '../panels/panel-access';
import { recordAudit } from '../audit/audit';
import { PRESENT_STATUSES, REGISTER_STATUSES, REGISTER_STATUS_NAMES, type RegisterLine, type RegisterRowInput } from './register.service';

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const personName = requiredText('the name', 100);
const personRole = optionalText('the role', 100);

const STATUS_ITEMS = REGISTER_STATUSES.map((value) => ({ value, text: REGISTER_STATUS_NAMES[value] }));

type RawRow = Record<string, unknown>;
const s = (v: unknown) => (typeof v === 'string' ? v : '');

/** The rows as posted: qs gives an array for up to 20 rows and an object keyed by index beyond. */
function rawRows(body: unknown): RawRow[] {
  const rows = ((body ?? {}) as Record<string, unknown>).rows;
  if (!rows || typeof rows !== 'object') return [];
  const list = Array.isArray(rows) ? rows : Object.entries(rows as Record<string, unknown>).sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v);
  return list.filter((r): r is RawRow => r !== null && typeof r === 'object').slice(0, 300);
}

/** Validates each line; a line without a status is left unrecorded unless it was saved before. */
export function readRegister(body: unknown): { rows: RegisterRowInput[]; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const rows: RegisterRowInput[] = [];
  rawRows(body).forEach((raw, i) => {
    const name = (f: string) => `rows[${i}][${f}]`;
    const id = /^[1-9]\d{0,9}$/.test(s(raw.id)) ? Number(raw.id) : null;
    const version = /^\d{1,9}$/.test(s(raw.version)) ? Number(raw.version) : null;
    const agencyId = /^[1-9]\d{0,9}$/.test(s(raw.agencyId)) ? Number(raw.agencyId) : null;
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
    const n = unnamedAllowed && s(raw.personName).trim() === '' ? ({ success: true, data: '' } as const) : personName.safeParse(s(raw.personName));
    if (!n.success) errors[name('personName')] = n.error.issues[0].message;
    const role = personRole.safeParse(s(raw.role));
    if (!role.success) errors[name('role')] = role.error.issues[0].message;
    const arrivedAt = s(raw.arrivedAt).trim();
    const leftAt = s(raw.leftAt).trim();
    if (status === 'late' && !TIME.test(arrivedAt)) errors[name('arrivedAt')] = 'Enter the time they arrived, like 10:15';
    if (status === 'left-early' && !TIME.test(leftAt)) errors[name('leftAt')] = 'Enter the time they left, like 11:30';
    const agreed = checkbox.parse(raw.agreed);
    if (agreed && !PRESENT_STATUSES.includes(status as RegisterStatus)) errors[name('agreed')] = 'Only someone at the meeting can agree to the confidentiality statement';
    if (n.success && role.success) {
      rows.push({ id, version, agencyId, personName: n.data, role: role.data, status: status as RegisterStatus, arrivedAt: arrivedAt || null, leftAt: leftAt || null, agreed });
    }
  });
  return { rows, errors };
}

const observerSchema = z.object({ personName, role: personRole, agreed: checkbox });
const statementSchema = z.object({ text: requiredLongText('the statement', 5000), version: versionField });

export function registerRoutes(services: Services): RouteDef[] {
  const { register } = services;

  async function renderRegister(req: Request, res: Response, panelId: number, opts: { lines?: RegisterLine[]; form?: FormState; observerForm?: FormState; conflict?: string; status?: number } = {}) {
    const panel = await register.panelOrThrow(panelId);
    const lines = opts.lines ?? (await register.lines(panelId));
    const statement = await register.statement();
    const missing = await register.completeness(panelId);
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
    res.status(opts.status ?? 200).render('register/register', {
      title: `Register: ${panel.districtName} panel`,
      backLink: `/panels/${panelId}/attendance`,
      panel,
      editable: panel.status === 'in-progress',
      statement,
      missing,
      conflict: opts.conflict,
      form: opts.form ?? formState(values),
      observerForm: opts.observerForm ?? formState(),
      statusItems: STATUS_ITEMS,
      lines: lines.map((l, i) => ({
        ...l,
        index: i,
        statusName: l.status ? REGISTER_STATUS_NAMES[l.status] : 'Not yet recorded',
        names: Object.fromEntries(['id', 'version', 'agencyId', 'personName', 'role', 'status', 'arrivedAt', 'leftAt', 'agreed'].map((f) => [f, `rows[${i}][${f}]`])),
      })),
    });
  }

  return [
    get('/panels/:id/register', ADMIN_OR_CHAIR, async (req, res) => {
      const panelId = idParam(req.params.id);
      await register.panelOrThrow(panelId);
      await recordAudit(services.db, actorOf(req), { action: 'register.view', entityType: 'panel', entityId: panelId });
      await renderRegister(req, res, panelId);
    }),

    post('/panels/:id/register', ADMIN_OR_CHAIR, async (req, res) => {
      const panelId = idParam(req.params.id);
      await register.panelOrThrow(panelId);
      const { rows, errors } = readRegister(req.body);
      const current = await register.lines(panelId);
      // The page is drawn again from the posted lines, so what was typed stays where it was typed.
      const posted: RegisterLine[] = rawRows(req.body).map((raw, i) => {
        const id = /^[1-9]\d{0,9}$/.test(s(raw.id)) ? Number(raw.id) : null;
        const known = current.find((l) => (id !== null ? l.id === id : l.id === null && String(l.agencyId) === s(raw.agencyId)));
        return {
          ...(known ?? current[i] ?? { id: null, version: null, agencyId: null, agencyName: '', isObserver: false, confidentialityAgreed: false, statementVersion: null, source: 'expected' as const }),
          id,
          version: /^\d{1,9}$/.test(s(raw.version)) ? Number(raw.version) : null,
          personName: s(raw.personName),
          role: s(raw.role),
          status: (REGISTER_STATUSES as readonly string[]).includes(s(raw.status)) ? (s(raw.status) as RegisterStatus) : null,
          arrivedAt: s(raw.arrivedAt),
          leftAt: s(raw.leftAt),
          confidentialityAgreed: checkbox.parse(raw.agreed),
        };
      });
      if (Object.keys(errors).length) return renderRegister(req, res, panelId, { lines: posted, form: formState(flattenValues(req.body), errors), status: 400 });
      try {
        await register.save(currentUser(req), actorOf(req), panelId, rows);
      } catch (err) {
        if (err instanceof StaleVersionError) return renderRegister(req, res, panelId, { lines: posted, form: formState(flattenValues(req.body)), conflict: err.message, status: 409 });
        throw err;
      }
      flash(req, 'Register saved');
      res.redirect(303, `/panels/${panelId}/register`);
    }),

    post('/panels/:id/register/observers', ADMIN_OR_CHAIR, async (req, res) => {
      const panelId = idParam(req.params.id);
      await register.panelOrThrow(panelId);
      const parsed = parseForm(observerSchema, req.body);
      if (!parsed.ok) return renderRegister(req, res, panelId, { observerForm: parsed.form, status: 400 });
      await register.addObserver(currentUser(req), actorOf(req), panelId, parsed.data);
      flash(req, 'Observer added');
      res.redirect(303, `/panels/${panelId}/register`);
    }),

    post('/panels/:id/register/self', 'signed-in', async (req, res) => {
      const panelId = idParam(req.params.id);
      await requireVisiblePanel(services.db, currentUser(req), actorOf(req), panelId, 'register.self');
      const mode = (req.body as Record<string, unknown> | undefined)?.mode === 'online' ? 'online' : 'present';
      await register.selfAgree(currentUser(req), actorOf(req), panelId, mode);
      flash(req, 'You are on the register and have agreed to the confidentiality statement');
      res.redirect(303, `/panels/${panelId}/attendance#confidentiality`);
    }),

    get('/admin/confidentiality', ADMIN, async (req, res) => {
      const statement = await register.statement();
      res.render('register/confidentiality', { title: 'Confidentiality statement', statement, form: formState({ text: statement.text, version: String(statement.version) }) });
    }),

    post('/admin/confidentiality', ADMIN, async (req, res) => {
      const parsed = parseForm(statementSchema, req.body);
      const statement = await register.statement();
      if (!parsed.ok) return res.status(400).render('register/confidentiality', { title: 'Confidentiality statement', statement, form: parsed.form });
      try {
        const saved = await register.newStatement(currentUser(req), actorOf(req), parsed.data.text, parsed.data.version);
        flash(req, `Confidentiality statement version ${saved.version} saved`, 'success', 'Registers taken from now on record agreement to this version.');
      } catch (err) {
        if (err instanceof StaleVersionError) {
          return res.status(409).render('register/confidentiality', { title: 'Confidentiality statement', statement, conflict: err.message, form: formState({ text: parsed.data.text, version: String(statement.version) }) });
        }
        throw err;
      }
      res.redirect(303, '/admin/confidentiality');
    }),
  ];
}
