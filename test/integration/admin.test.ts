import { createTestContext, type TestContext } from '../support/context';
import { DEMO, postForm, signIn } from '../support/http';

let ctx: TestContext;
let admin: Awaited<ReturnType<typeof signIn>>;
beforeAll(async () => {
  ctx = await createTestContext();
  admin = await signIn(ctx, DEMO.admin);
});
afterAll(() => ctx.close());

const agencyCount = async () => (await ctx.db.selectFrom('agencies').select('id').execute()).length;
const userCount = async () => (await ctx.db.selectFrom('users').select('id').execute()).length;
const agencyByShortName = (shortName: string) =>
  ctx.db.selectFrom('agencies').selectAll().where('shortName', '=', shortName).executeTakeFirstOrThrow();

const validAgency = {
  name: 'Trentside Housing Trust',
  shortName: 'Trentside',
  type: 'housing',
  districtId: '',
  coreMember: 'true',
  active: 'true',
};

describe('agencies', () => {
  test('the list shows LPFT with its single point of contact', async () => {
    const res = await admin.get('/admin/agencies');
    expect(res.status).toBe(200);
    const row = res.text.split('<tr').find((r) => r.includes('Lincolnshire Partnership NHS Foundation Trust'));
    expect(row).toContain('Priya Shah');
  });

  test('when the form is valid, then the agency is added and the change audited', async () => {
    const res = await postForm(admin, '/admin/agencies/new', validAgency);
    expect(res.status).toBe(303);
    const saved = await agencyByShortName('Trentside');
    expect(saved).toMatchObject({
      name: 'Trentside Housing Trust',
      type: 'housing',
      coreMember: true,
      attendanceRequired: false,
      active: true,
    });
    const audit = await ctx.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', 'agency.create')
      .where('entityId', '=', String(saved.id))
      .executeTakeFirst();
    expect(audit?.userId).toEqual(expect.any(Number));
    const list = await admin.get('/admin/agencies');
    expect(list.text).toContain('Agency Trentside Housing Trust added');
  });

  test.each([
    ['name', { name: '' }, 'Enter the agency name'],
    ['name', { name: 'x'.repeat(121) }, 'The agency name must be 120 characters or fewer'],
    ['name', { name: 'Lincolnshire Police' }, 'An agency with this name already exists'],
    ['name', { name: 'Line one\r\nBcc: someone@example.org' }, 'must be on one line'],
    ['shortName', { shortName: '' }, 'Enter a short name'],
    ['shortName', { shortName: 'lpft' }, 'An agency with this short name already exists'],
    ['type', { type: 'cartel' }, 'Select the type of agency'],
    ['type', { type: undefined }, 'Select the type of agency'],
    ['districtId', { districtId: '999999' }, 'Select a district from the list'],
    ['districtId', { districtId: 'abc' }, 'Select a district from the list'],
    ['active', { active: 'maybe' }, 'Select whether the agency is active'],
  ])(
    'when %s is wrong (%j), then the form says so by the field and nothing is saved',
    async (field, change, message) => {
      const before = await agencyCount();
      const typed = { ...validAgency, name: 'Distinct Agency Name', shortName: 'Distinct', ...change };
      const res = await postForm(admin, '/admin/agencies/new', typed);
      expect(res.status).toBe(400);
      expect(res.text).toContain('There is a problem');
      expect(res.text).toContain(`href="#${field}"`);
      expect(res.text).toContain(`id="${field}-error"`);
      expect(res.text).toContain(message.replace(/'/g, '&#x27;'));
      if (field !== 'shortName') expect(res.text).toContain('value="Distinct"');
      expect(await agencyCount()).toBe(before);
    },
  );

  test('designating a user of the agency as single point of contact works; a user of another agency is refused', async () => {
    const police = await agencyByShortName('Police');
    const policeRep = await ctx.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', DEMO.police)
      .executeTakeFirstOrThrow();
    const lpftUser = await ctx.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', DEMO.lpft)
      .executeTakeFirstOrThrow();
    const form = {
      name: police.name,
      shortName: police.shortName,
      type: police.type,
      districtId: '',
      coreMember: 'true',
      attendanceRequired: 'true',
      active: 'true',
      version: String(police.version),
    };
    const refused = await postForm(admin, `/admin/agencies/${police.id}/edit`, {
      ...form,
      spocUserId: String(lpftUser.id),
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Select an active user of this agency as its single point of contact');
    expect((await agencyByShortName('Police')).spocUserId).toBeNull();
    const ok = await postForm(admin, `/admin/agencies/${police.id}/edit`, {
      ...form,
      spocUserId: String(policeRep.id),
    });
    expect(ok.status).toBe(303);
    expect((await agencyByShortName('Police')).spocUserId).toBe(policeRep.id);
  });

  test('when someone else saved first, then the stale save is refused, their change kept, and what was typed shown', async () => {
    const agency = await agencyByShortName('Victim Support');
    const form = {
      name: agency.name,
      shortName: agency.shortName,
      type: agency.type,
      districtId: '',
      active: 'true',
      version: String(agency.version),
    };
    const first = await postForm(admin, `/admin/agencies/${agency.id}/edit`, {
      ...form,
      coreMember: 'true',
      attendanceRequired: 'true',
    });
    expect(first.status).toBe(303);
    const stale = await postForm(admin, `/admin/agencies/${agency.id}/edit`, {
      ...form,
      name: 'Victim Support (renamed)',
    });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Someone else changed this agency while you were editing it');
    expect(stale.text).toContain('value="Victim Support (renamed)"');
    const saved = await agencyByShortName('Victim Support');
    expect(saved).toMatchObject({ name: 'Victim Support', attendanceRequired: true, version: agency.version + 1 });
  });

  test('an unknown agency id is 404', async () => {
    expect((await admin.get('/admin/agencies/999999/edit')).status).toBe(404);
    expect((await admin.get('/admin/agencies/abc/edit')).status).toBe(404);
    expect((await postForm(admin, '/admin/agencies/999999/edit', validAgency)).status).toBe(404);
  });

  test('deactivating an agency stops its users signing in', async () => {
    const fire = await agencyByShortName('Fire and Rescue');
    const form = {
      name: fire.name,
      shortName: fire.shortName,
      type: fire.type,
      districtId: '',
      coreMember: 'true',
      active: 'false',
      version: String(fire.version),
    };
    expect((await postForm(admin, `/admin/agencies/${fire.id}/edit`, form)).status).toBe(303);
    await expect(signIn(ctx, 'fire@example.org')).rejects.toThrow(/failed with 401/);
  });
});

const validUser = {
  name: 'Robin Example',
  email: 'robin.example@example.org',
  jobTitle: 'ASB Caseworker',
  phone: '01522 000000',
  role: 'representative',
  active: 'true',
  password: 'a-temporary-password',
};

describe('users', () => {
  const agencyId = async () => String((await agencyByShortName('ELDC')).id);

  test('when the form is valid, then the user is added and can sign in', async () => {
    const res = await postForm(admin, '/admin/users/new', { ...validUser, agencyId: await agencyId() });
    expect(res.status).toBe(303);
    const agent = await signIn(ctx, 'robin.example@example.org', 'a-temporary-password');
    const home = await agent.get('/');
    expect(home.text).toContain('Robin Example');
    expect(home.text).toContain('East Lindsey District Council ASB team');
    expect((await agent.get('/admin/users')).status).toBe(403);
  });

  test.each([
    ['name', { name: '' }, 'Enter the full name'],
    ['email', { email: 'not-an-email' }, 'Enter an email address in the correct format'],
    ['email', { email: 'admin@example.org' }, 'A user with this email address already exists'],
    ['email', { email: 'a@example.org\r\nBcc: b@example.org' }, 'Enter an email address in the correct format'],
    ['phone', { phone: 'call me' }, 'Enter a phone number using digits'],
    ['role', { role: 'superuser' }, 'Select a role'],
    ['agencyId', { agencyId: '999999' }, 'Select an agency from the list'],
    ['agencyId', { agencyId: '' }, 'Select an agency'],
    ['password', { password: 'short' }, 'Password must be at least 12 characters'],
  ])(
    'when %s is wrong (%j), then the form says so by the field and nothing is saved',
    async (field, change, message) => {
      const before = await userCount();
      const res = await postForm(admin, '/admin/users/new', {
        ...validUser,
        email: 'another.person@example.org',
        agencyId: await agencyId(),
        ...change,
      });
      expect(res.status).toBe(400);
      expect(res.text).toContain(`href="#${field}"`);
      expect(res.text).toContain(message);
      expect(res.text).toContain('value="ASB Caseworker"');
      expect(res.text).not.toContain('a-temporary-password');
      expect(await userCount()).toBe(before);
    },
  );

  test('an administrator cannot deactivate themselves or drop their own role', async () => {
    const me = await ctx.db.selectFrom('users').selectAll().where('email', '=', DEMO.admin).executeTakeFirstOrThrow();
    const res = await postForm(admin, `/admin/users/${me.id}/edit`, {
      name: me.name,
      email: me.email,
      role: 'chair',
      agencyId: String(me.agencyId),
      active: 'false',
      version: String(me.version),
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('You cannot deactivate your own account');
    expect(res.text).toContain('You cannot remove your own administrator role');
  });

  test('resetting a password signs the user out everywhere and sets the new one', async () => {
    const target = await ctx.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', 'probation@example.org')
      .executeTakeFirstOrThrow();
    const theirs = await signIn(ctx, 'probation@example.org');
    const short = await postForm(admin, `/admin/users/${target.id}/password`, { password: 'short' });
    expect(short.status).toBe(400);
    const res = await postForm(admin, `/admin/users/${target.id}/password`, { password: 'brand-new-password' });
    expect(res.status).toBe(303);
    expect((await theirs.get('/')).headers.location).toBe('/login');
    await signIn(ctx, 'probation@example.org', 'brand-new-password');
    const audit = await ctx.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', 'user.reset-password')
      .where('entityId', '=', String(target.id))
      .execute();
    expect(audit).toHaveLength(1);
  });

  test('changing a user stale from another edit is refused with both versions kept', async () => {
    const target = await ctx.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', 'yot@example.org')
      .executeTakeFirstOrThrow();
    const form = {
      name: target.name,
      email: target.email,
      role: target.role,
      agencyId: String(target.agencyId),
      active: 'true',
      version: String(target.version),
    };
    expect(
      (await postForm(admin, `/admin/users/${target.id}/edit`, { ...form, jobTitle: 'Senior Youth Justice Officer' }))
        .status,
    ).toBe(303);
    const stale = await postForm(admin, `/admin/users/${target.id}/edit`, { ...form, name: 'Drew Akers-Smith' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('value="Drew Akers-Smith"');
    const saved = await ctx.db.selectFrom('users').selectAll().where('id', '=', target.id).executeTakeFirstOrThrow();
    expect(saved).toMatchObject({ name: 'Drew Akers', jobTitle: 'Senior Youth Justice Officer' });
  });

  test('a user moved to another agency stops being the old agency’s single point of contact', async () => {
    const lpft = await agencyByShortName('LPFT');
    const spoc = await ctx.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', lpft.spocUserId!)
      .executeTakeFirstOrThrow();
    const res = await postForm(admin, `/admin/users/${spoc.id}/edit`, {
      name: spoc.name,
      email: spoc.email,
      role: spoc.role,
      agencyId: String((await agencyByShortName('Adult Care')).id),
      active: 'true',
      version: String(spoc.version),
    });
    expect(res.status).toBe(303);
    expect((await agencyByShortName('LPFT')).spocUserId).toBeNull();
  });
});
