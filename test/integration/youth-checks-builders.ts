import type { TestContext } from '../support/context';
import { postForm, type Agent } from '../support/http';

/** The administrator makes a user of an agency its first point of contact for youth checks, through the agency form. */
export async function designateYouthContact(
  ctx: TestContext,
  admin: Agent & { csrf: string },
  shortName: string,
  email: string,
) {
  const agency = await ctx.db
    .selectFrom('agencies')
    .selectAll()
    .where('shortName', '=', shortName)
    .executeTakeFirstOrThrow();
  const user = await ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  return postForm(admin, `/admin/agencies/${agency.id}/edit`, {
    name: agency.name,
    shortName: agency.shortName,
    type: agency.type,
    districtId: agency.districtId === null ? '' : String(agency.districtId),
    ...(agency.coreMember ? { coreMember: 'true' } : {}),
    ...(agency.attendanceRequired ? { attendanceRequired: 'true' } : {}),
    active: agency.active ? 'true' : 'false',
    spocUserId: agency.spocUserId === null ? '' : String(agency.spocUserId),
    youthCheckContactUserId: String(user.id),
    version: String(agency.version),
  });
}

export async function districtIdOf(ctx: TestContext, name: string): Promise<number> {
  return (await ctx.db.selectFrom('districts').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
}

/** A complete request for a check, as the form sends it. */
export async function checkRequest(ctx: TestContext, overrides: Record<string, unknown> = {}) {
  return {
    youngPersonName: 'Kai Brennan',
    dateOfBirth: { day: '17', month: '4', year: '2011' },
    address: '4 Sincil Walk, Lincoln LN5 7QT',
    concern: 'Throwing stones at buses with a group of older boys.',
    districtId: String(await districtIdOf(ctx, 'City of Lincoln')),
    caseReference: 'CoLC-ASB-7781',
    ...overrides,
  };
}

export const idFromLocation = (location: string | undefined) => Number(/\/(\d+)$/.exec(location ?? '')?.[1]);
