import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Services } from '../services';
import { ROLES } from '../db/schema';
import { actorOf, flash } from '../http/context';
import { idParam, RefusedError, StaleVersionError } from '../http/errors';
import {
  checkbox,
  choice,
  emailAddress,
  flattenValues,
  formState,
  idChoice,
  optionalText,
  parseForm,
  requiredText,
  versionField,
  type FormState,
} from '../http/forms';
import { ADMIN, get, post, type RouteDef } from '../http/routes';
import { newPasswordRule } from '../auth/passwords';
import { ROLE_NAMES } from './users.service';
import type { UserChanges } from './users.repository';

const userSchema = z.object({
  name: requiredText('the full name', 120),
  email: emailAddress(),
  jobTitle: optionalText('job title', 120),
  phone: optionalText('phone number', 40).refine(
    (v) => v === null || /^[0-9 +()-]{6,40}$/.test(v),
    'Enter a phone number using digits, spaces, brackets, + or -',
  ),
  role: choice(ROLES, 'Select a role'),
  agencyId: idChoice('Select an agency'),
  isDeputy: checkbox,
  active: choice(['true', 'false'] as const, 'Select whether the account is active').transform((v) => v === 'true'),
});

const newUserSchema = userSchema.extend({ password: newPasswordRule });
const editUserSchema = userSchema.extend({ version: versionField });
const resetSchema = z.object({ password: newPasswordRule });

const roleItems = ROLES.map((value) => ({ value, text: ROLE_NAMES[value] }));

function valuesOf(user: UserChanges): Record<string, unknown> {
  return {
    name: user.name,
    email: user.email,
    jobTitle: user.jobTitle ?? '',
    phone: user.phone ?? '',
    role: user.role,
    agencyId: user.agencyId,
    isDeputy: user.isDeputy ? 'true' : undefined,
    active: user.active ? 'true' : 'false',
  };
}

async function renderForm(
  services: Services,
  res: Response,
  opts: { userId?: number; version?: number; form: FormState; status?: number; conflict?: unknown },
) {
  const list = await services.agencies.list();
  const form = opts.form;
  delete form.values.password;
  res.status(opts.status ?? 200).render('admin/user-form', {
    title: opts.userId ? 'Edit user' : 'Add a user',
    backLink: '/admin/users',
    ...opts,
    form,
    roleItems,
    agencyItems: list
      .filter((a) => a.active || String(a.id) === String(form.values.agencyId))
      .map((a) => ({ value: a.id, text: a.name })),
    activeItems: [
      { value: 'true', text: 'Active' },
      { value: 'false', text: 'Deactivated', hint: 'The user can no longer sign in. Their records are kept.' },
    ],
  });
}

function createUser(services: Services) {
  return async (req: Request, res: Response) => {
    const parsed = parseForm(newUserSchema, req.body);
    if (!parsed.ok) return renderForm(services, res, { form: parsed.form, status: 400 });
    const { password, ...changes } = parsed.data;
    try {
      await services.users.create(changes, password, actorOf(req));
    } catch (err) {
      if (err instanceof RefusedError)
        return renderForm(services, res, { form: formState(flattenValues(req.body), err.fieldErrors), status: 400 });
      throw err;
    }
    flash(
      req,
      `User ${changes.name} added`,
      'success',
      'Give them their temporary password in person or by phone, and ask them to change it when they first sign in.',
    );
    res.redirect(303, '/admin/users');
  };
}

function updateUser(services: Services) {
  const { users } = services;
  return async (req: Request, res: Response) => {
    const id = idParam(req.params.id);
    const current = await users.get(id);
    const parsed = parseForm(editUserSchema, req.body);
    if (!parsed.ok)
      return renderForm(services, res, { userId: id, version: current.version, form: parsed.form, status: 400 });
    const { version, ...changes } = parsed.data;
    try {
      await users.update(id, version, changes, actorOf(req));
    } catch (err) {
      const typed = flattenValues(req.body);
      if (err instanceof RefusedError)
        return renderForm(services, res, { userId: id, version, form: formState(typed, err.fieldErrors), status: 400 });
      if (!(err instanceof StaleVersionError)) throw err;
      const latest = await users.get(id);
      return renderForm(services, res, {
        userId: id,
        version: latest.version,
        status: 409,
        form: formState(typed, {
          name: 'Someone else changed this user while you were editing. Check their changes below, then save yours again if they are still right.',
        }),
        conflict: { ...latest, roleName: ROLE_NAMES[latest.role] },
      });
    }
    flash(req, `User ${changes.name} updated`);
    res.redirect(303, '/admin/users');
  };
}

function resetPassword(services: Services) {
  const { users } = services;
  return async (req: Request, res: Response) => {
    const user = await users.get(idParam(req.params.id));
    const parsed = parseForm(resetSchema, req.body);
    if (!parsed.ok) {
      parsed.form.values = {};
      return res.status(400).render('admin/user-password', {
        title: 'Reset password',
        backLink: `/admin/users/${user.id}/edit`,
        user,
        form: parsed.form,
      });
    }
    await users.resetPassword(user.id, parsed.data.password, actorOf(req));
    flash(
      req,
      `Password reset for ${user.name}`,
      'success',
      'They have been signed out everywhere. Give them the new password in person or by phone.',
    );
    res.redirect(303, '/admin/users');
  };
}

export function userRoutes(services: Services): RouteDef[] {
  const { users } = services;
  return [
    get('/admin/users', ADMIN, async (_req, res) => {
      const list = await users.list({ includeInactive: true });
      res.render('admin/users', { title: 'Users', users: list.map((u) => ({ ...u, roleName: ROLE_NAMES[u.role] })) });
    }),
    get('/admin/users/new', ADMIN, (_req, res) =>
      renderForm(services, res, { form: formState({ active: 'true', role: 'representative' }) }),
    ),
    post('/admin/users/new', ADMIN, createUser(services)),
    get('/admin/users/:id/edit', ADMIN, async (req, res) => {
      const user = await users.get(idParam(req.params.id));
      await renderForm(services, res, { userId: user.id, version: user.version, form: formState(valuesOf(user)) });
    }),
    post('/admin/users/:id/edit', ADMIN, updateUser(services)),
    get('/admin/users/:id/password', ADMIN, async (req, res) => {
      const user = await users.get(idParam(req.params.id));
      res.render('admin/user-password', {
        title: 'Reset password',
        backLink: `/admin/users/${user.id}/edit`,
        user,
        form: formState(),
      });
    }),
    post('/admin/users/:id/password', ADMIN, resetPassword(services)),
  ];
}
