import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Services } from '../services';
import { actorOf, flash } from '../http/context';
import { idParam, RefusedError, StaleVersionError } from '../http/errors';
import {
  checkbox,
  choice,
  flattenValues,
  formState,
  optionalIdChoice,
  parseForm,
  requiredText,
  versionField,
  type FormState,
} from '../http/forms';
import { ADMIN, get, post, type RouteDef } from '../http/routes';
import { AGENCY_TYPES, AGENCY_TYPE_VALUES } from './agency-types';
import type { AgencyChanges } from './agencies.repository';

const agencySchema = z.object({
  name: requiredText('the agency name', 120),
  shortName: requiredText('a short name', 30),
  type: choice(AGENCY_TYPE_VALUES, 'Select the type of agency'),
  districtId: optionalIdChoice('Select a district from the list'),
  coreMember: checkbox,
  attendanceRequired: checkbox,
  active: choice(['true', 'false'] as const, 'Select whether the agency is active').transform((v) => v === 'true'),
  spocUserId: optionalIdChoice('Select a user from the list'),
  youthCheckContactUserId: optionalIdChoice('Select a user from the list'),
});

const editSchema = agencySchema.extend({ version: versionField });

const typeItems = Object.entries(AGENCY_TYPES).map(([value, text]) => ({ value, text }));

function valuesOf(agency: AgencyChanges): Record<string, unknown> {
  return {
    name: agency.name,
    shortName: agency.shortName,
    type: agency.type,
    districtId: agency.districtId ?? '',
    coreMember: agency.coreMember ? 'true' : undefined,
    attendanceRequired: agency.attendanceRequired ? 'true' : undefined,
    active: agency.active ? 'true' : 'false',
    spocUserId: agency.spocUserId ?? '',
    youthCheckContactUserId: agency.youthCheckContactUserId ?? '',
  };
}

interface FormOptions {
  agencyId?: number;
  version?: number;
  form: FormState;
  status?: number;
  conflict?: Record<string, unknown>;
}

async function renderForm(services: Services, res: Response, opts: FormOptions) {
  const districts = await services.agencies.districts();
  const members = opts.agencyId ? await services.users.list({ agencyId: opts.agencyId }) : [];
  res.status(opts.status ?? 200).render('admin/agency-form', {
    title: opts.agencyId ? 'Edit agency' : 'Add an agency',
    backLink: '/admin/agencies',
    agencyId: opts.agencyId,
    version: opts.version,
    form: opts.form,
    conflict: opts.conflict,
    typeItems,
    districtItems: districts.map((d) => ({ value: d.id, text: d.name })),
    spocItems: members.map((u) => ({ value: u.id, text: `${u.name}${u.jobTitle ? `, ${u.jobTitle}` : ''}` })),
    activeItems: [
      { value: 'true', text: 'Active' },
      {
        value: 'false',
        text: 'Deactivated',
        hint: 'Its users can no longer sign in and it is no longer invited to panels.',
      },
    ],
  });
}

function listPage({ agencies }: Services) {
  return async (_req: Request, res: Response) => {
    const list = await agencies.list();
    res.render('admin/agencies', {
      title: 'Agencies',
      agencies: list.map((a) => ({ ...a, typeName: AGENCY_TYPES[a.type as keyof typeof AGENCY_TYPES] ?? a.type })),
    });
  };
}

function newPage(services: Services) {
  return async (_req: Request, res: Response) => {
    await renderForm(services, res, { form: formState({ active: 'true' }) });
  };
}

function create(services: Services) {
  return async (req: Request, res: Response) => {
    const parsed = parseForm(agencySchema, req.body);
    if (!parsed.ok) return renderForm(services, res, { form: parsed.form, status: 400 });
    try {
      await services.agencies.create(parsed.data, actorOf(req));
    } catch (err) {
      if (err instanceof RefusedError)
        return renderForm(services, res, { form: formState(flattenValues(req.body), err.fieldErrors), status: 400 });
      throw err;
    }
    flash(req, `Agency ${parsed.data.name} added`);
    res.redirect(303, '/admin/agencies');
  };
}

function editPage(services: Services) {
  return async (req: Request, res: Response) => {
    const agency = await services.agencies.get(idParam(req.params.id));
    await renderForm(services, res, {
      agencyId: agency.id,
      version: agency.version,
      form: formState(valuesOf(agency)),
    });
  };
}

function update(services: Services) {
  const { agencies } = services;
  return async (req: Request, res: Response) => {
    const id = idParam(req.params.id);
    const current = await agencies.get(id);
    const parsed = parseForm(editSchema, req.body);
    if (!parsed.ok)
      return renderForm(services, res, { agencyId: id, version: current.version, form: parsed.form, status: 400 });
    const { version, ...changes } = parsed.data;
    try {
      await agencies.update(id, version, changes, actorOf(req));
    } catch (err) {
      const typed = flattenValues(req.body);
      if (err instanceof RefusedError)
        return renderForm(services, res, {
          agencyId: id,
          version,
          form: formState(typed, err.fieldErrors),
          status: 400,
        });
      if (!(err instanceof StaleVersionError)) throw err;
      const latest = await agencies.get(id);
      return renderForm(services, res, {
        agencyId: id,
        version: latest.version,
        status: 409,
        form: formState(typed, {
          name: 'Someone else changed this agency while you were editing it. Check their changes below, then save yours again if they are still right.',
        }),
        conflict: { ...latest, typeName: AGENCY_TYPES[latest.type as keyof typeof AGENCY_TYPES] },
      });
    }
    flash(req, `Agency ${changes.name} updated`);
    res.redirect(303, '/admin/agencies');
  };
}

export function agencyRoutes(services: Services): RouteDef[] {
  return [
    get('/admin/agencies', ADMIN, listPage(services)),
    get('/admin/agencies/new', ADMIN, newPage(services)),
    post('/admin/agencies/new', ADMIN, create(services)),
    get('/admin/agencies/:id/edit', ADMIN, editPage(services)),
    post('/admin/agencies/:id/edit', ADMIN, update(services)),
  ];
}
