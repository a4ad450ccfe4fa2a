import { smtpTransport } from '../../src/mail/transport';
import { createTestContext, type TestContext } from '../support/context';
import { DEMO, postForm, signIn, textOf } from '../support/http';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { checkRequest, designateYouthContact, idFromLocation } from './youth-checks-builders';

// Christmas Eve 2026 is a Thursday; Christmas Day and the Boxing Day holiday (Monday 28th) are not
// working days, so an answer due in two working days is due on Wednesday 30 December.
const CHRISTMAS_EVE = '2026-12-24T10:00:00Z';

let ctx: TestContext;
let smtp: TestSmtpServer;
let admin: Awaited<ReturnType<typeof signIn>>;
let council: Awaited<ReturnType<typeof signIn>>;
let yot: Awaited<ReturnType<typeof signIn>>;
beforeAll(async () => {
  smtp = await startSmtpServer();
  ctx = await createTestContext({ mailTransport: smtpTransport(smtp.url), now: CHRISTMAS_EVE });
  admin = await signIn(ctx, DEMO.admin);
  council = await signIn(ctx, DEMO.council);
  yot = await signIn(ctx, 'yot@example.org');
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
});

const audits = (action: string, entityId?: number) => {
  let q = ctx.db.selectFrom('auditEvents').selectAll().where('action', '=', action);
  if (entityId !== undefined) q = q.where('entityId', '=', String(entityId));
  return q.execute();
};
/** Moves the clock; sessions end when it jumps, so everyone signs in again. */
async function moveTo(at: string) {
  ctx.clock.set(at);
  admin = await signIn(ctx, DEMO.admin);
  council = await signIn(ctx, DEMO.council);
  yot = await signIn(ctx, 'yot@example.org');
}
const checkRow = (id: number) =>
  ctx.db.selectFrom('youthChecks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

let checkId = 0;

test('when the administrator makes Future4Me’s youth justice officer the first point of contact, the agencies page names them', async () => {
  const res = await designateYouthContact(ctx, admin, 'Future4Me', 'yot@example.org');
  expect(res.status).toBe(303);
  const list = await admin.get('/admin/agencies');
  const row = list.text
    .split('<tr')
    .find((r) => r.includes('<th scope="row"') && r.includes('Future4Me (youth offending)'));
  expect(row).toContain('Youth checks: Drew Akers');
});

test('when the administrator picks someone from another agency as first point of contact, the field says why it is refused', async () => {
  const res = await designateYouthContact(ctx, admin, 'Police', 'yot@example.org');
  expect(res.status).toBe(400);
  expect(res.text).toContain('Select an active user of this agency as its first point of contact for youth checks');
});

test('a council ASB officer asks for a check on Christmas Eve: it is due on 30 December, and Future4Me is e-mailed without the young person’s details', async () => {
  const res = await postForm(council, '/youth-checks/new', await checkRequest(ctx));
  expect(res.status).toBe(303);
  checkId = idFromLocation(res.headers.location);
  const row = await checkRow(checkId);
  expect(row).toMatchObject({ status: 'requested', dueOn: '2026-12-30', youngPersonName: 'Kai Brennan' });
  const page = await council.get(`/youth-checks/${checkId}`);
  expect(textOf(page.text, 'due')).toBe('30 December 2026');

  await ctx.services.mailWorker.drain();
  const [mail] = await smtp.waitFor(1);
  expect(mail.to).toMatchObject({ text: 'yot@example.org' });
  expect(mail.subject).toMatch(/^OFFICIAL-SENSITIVE: Youth check YC-\d{5} asked for$/);
  for (const personal of ['Kai', 'Brennan', '2011', 'Sincil', 'LN5', 'stones', 'CoLC-ASB'])
    expect(`${mail.subject} ${mail.text}`).not.toContain(personal);
  expect(await audits('youth-check.request', checkId)).toHaveLength(1);
});

test.each([
  ['youngPersonName', { youngPersonName: '' }, 'Enter the young person’s name'],
  ['dateOfBirth', { dateOfBirth: { day: '', month: '', year: '' } }, 'Enter the young person’s date of birth'],
  ['dateOfBirth', { dateOfBirth: { day: '31', month: '2', year: '2011' } }, 'The date of birth must be a real date'],
  [
    'dateOfBirth',
    { dateOfBirth: { day: '1', month: '1', year: '1980' } },
    'The date of birth must show the young person is under 25',
  ],
  [
    'dateOfBirth',
    { dateOfBirth: { day: '1', month: '1', year: '2030' } },
    'The date of birth must be today or in the past',
  ],
  ['address', { address: '' }, 'Enter the young person’s address'],
  ['concern', { concern: 'Line one\r\nLine two' }, 'must be on one line'],
  ['concern', { concern: 'x'.repeat(301) }, 'must be 300 characters or fewer'],
  ['districtId', { districtId: 'nowhere' }, 'Select your district'],
  ['districtId', { districtId: '999999' }, 'Select a district from the list'],
])(
  'when an officer asks for a check with a bad %s, the form says so by the field and keeps what was typed',
  async (_field, change, message) => {
    const before = (await ctx.db.selectFrom('youthChecks').select('id').execute()).length;
    const res = await postForm(
      council,
      '/youth-checks/new',
      await checkRequest(ctx, {
        ...change,
        youngPersonName: (change as { youngPersonName?: string }).youngPersonName ?? 'Typed Name Kept',
      }),
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain(message);
    expect(res.text).toContain('govuk-error-summary');
    if (!('youngPersonName' in change)) expect(res.text).toContain('value="Typed Name Kept"');
    expect((await ctx.db.selectFrom('youthChecks').select('id').execute()).length).toBe(before);
  },
);

test('an officer of an agency that does not ask for checks (the mental health trust) is refused, and the attempt audited', async () => {
  const lpft = await signIn(ctx, DEMO.lpft);
  const res = await postForm(lpft, '/youth-checks/new', await checkRequest(ctx));
  expect(res.status).toBe(403);
  expect((await audits('youth-check.request')).some((a) => a.outcome === 'denied')).toBe(true);
});

test('Future4Me’s list shows open checks by due date and flags those past it', async () => {
  await moveTo('2026-12-31T09:00:00Z');
  const res = await yot.get('/youth-checks');
  expect(res.status).toBe(200);
  const open = res.text.slice(
    res.text.indexOf('id="open-checks"'),
    res.text.indexOf('</table>', res.text.indexOf('id="open-checks"')),
  );
  expect(open).toContain('30 December 2026');
  expect(open).toContain('Overdue');
  expect(textOf(res.text, 'overdue-count')).toBe('1 check is overdue.');
  await moveTo(CHRISTMAS_EVE);
});

test('another district’s officer, and children’s services, get 404 for the check exactly like an unknown id, audited as denied', async () => {
  for (const email of ['boston@example.org', 'children@example.org']) {
    const other = await signIn(ctx, email);
    const res = await other.get(`/youth-checks/${checkId}`);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('Kai Brennan');
    const list = await other.get('/youth-checks');
    expect(list.text).not.toContain('Kai Brennan');
  }
  expect((await audits('youth-check.view', checkId)).filter((a) => a.outcome === 'denied')).toHaveLength(2);
});

test('the requester cannot answer their own check', async () => {
  const { version } = await checkRow(checkId);
  const res = await postForm(council, `/youth-checks/${checkId}/answer`, {
    knownToYouthOffending: 'no',
    knownToChildrensServices: 'no',
    version: String(version),
  });
  expect(res.status).toBe(403);
  expect((await checkRow(checkId)).status).toBe('requested');
});

test.each([
  [
    'knownToYouthOffending',
    { knownToYouthOffending: undefined },
    'Select yes if the young person is known to youth offending',
  ],
  [
    'knownToChildrensServices',
    { knownToChildrensServices: 'maybe' },
    'Select yes if the young person is known to children’s services',
  ],
  ['leadProfessionalName', { leadProfessionalName: '' }, 'Enter the lead professional’s name'],
  ['leadProfessionalContact', { leadProfessionalContact: '' }, 'Enter how to contact the lead professional'],
  ['answerNote', { answerNote: 'x'.repeat(501) }, 'The note must be 500 characters or fewer'],
])(
  'when Future4Me answers with a bad %s, the message is by the field and nothing is saved',
  async (_field, change, message) => {
    const { version } = await checkRow(checkId);
    const body: Record<string, unknown> = {
      knownToYouthOffending: 'yes',
      knownToChildrensServices: 'no',
      leadProfessionalName: 'Morgan Tate',
      leadProfessionalAgency: 'Future4Me',
      leadProfessionalContact: '01522 550123',
      version: String(version),
      ...change,
    };
    for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
    const res = await postForm(yot, `/youth-checks/${checkId}/answer`, body);
    expect(res.status).toBe(400);
    expect(res.text).toContain(message);
    expect((await checkRow(checkId)).status).toBe('requested');
  },
);

test('Future4Me answers; the requester is e-mailed with no personal data and reads the answer', async () => {
  await moveTo('2026-12-29T11:00:00Z');
  const { version } = await checkRow(checkId);
  const res = await postForm(yot, `/youth-checks/${checkId}/answer`, {
    knownToYouthOffending: 'yes',
    knownToChildrensServices: 'no',
    leadProfessionalName: 'Morgan Tate',
    leadProfessionalAgency: 'Future4Me',
    leadProfessionalContact: '01522 550123',
    answerNote: 'Open to Future4Me on a referral order.',
    version: String(version),
  });
  expect(res.status).toBe(303);
  expect(await checkRow(checkId)).toMatchObject({
    status: 'answered',
    knownToYouthOffending: true,
    answeredAt: new Date('2026-12-29T11:00:00Z'),
  });
  await ctx.services.mailWorker.drain();
  const mails = await smtp.waitFor(2);
  const mail = mails[1];
  expect(mail.to).toMatchObject({ text: 'council@example.org' });
  expect(mail.subject).toMatch(/^OFFICIAL-SENSITIVE: Your youth check YC-\d{5} has been answered$/);
  for (const personal of ['Kai', 'Brennan', '2011', 'Sincil', 'Morgan', 'Tate', '550123', 'referral order'])
    expect(`${mail.subject} ${mail.text}`).not.toContain(personal);
  const page = await council.get(`/youth-checks/${checkId}`);
  expect(textOf(page.text, 'status')).toBe('Answered');
  expect(page.text).toContain('Morgan Tate, Future4Me');
  expect((await audits('youth-check.answer', checkId)).filter((a) => a.outcome === 'success')).toHaveLength(1);
  expect((await audits('youth-check.view', checkId)).filter((a) => a.outcome === 'success').length).toBeGreaterThan(0);
  const again = await postForm(yot, `/youth-checks/${checkId}/answer`, {
    knownToYouthOffending: 'no',
    knownToChildrensServices: 'no',
    version: String(version + 1),
  });
  expect(again.status).toBe(400);
  expect(again.text).toContain('This check has already been answered');
});

test('the officer makes an ASBRAC referral from the answered check, pre-filled, and only one', async () => {
  const res = await postForm(council, `/youth-checks/${checkId}/referral`);
  expect(res.status).toBe(303);
  const referralId = Number(/\/referrals\/(\d+)\/edit$/.exec(res.headers.location ?? '')?.[1]);
  const form = await council.get(`/referrals/${referralId}/edit`);
  expect(form.status).toBe(200);
  expect(form.text).toContain('value="Kai Brennan"');
  expect(form.text).toContain('4 Sincil Walk, Lincoln LN5 7QT');
  expect(form.text).toContain('value="LN5 7QT"');
  expect(form.text).toContain('known to youth offending: yes');
  const subject = await ctx.db
    .selectFrom('referralSubjects')
    .selectAll()
    .where('referralId', '=', referralId)
    .executeTakeFirstOrThrow();
  expect(subject).toMatchObject({ kind: 'perpetrator', fullName: 'Kai Brennan', vulnerabilities: ['age'] });
  const referral = await ctx.db
    .selectFrom('referrals')
    .selectAll()
    .where('id', '=', referralId)
    .executeTakeFirstOrThrow();
  expect(referral.status).toBe('draft');
  const twice = await postForm(council, `/youth-checks/${checkId}/referral`);
  expect(twice.headers.location).toBe(`/referrals/${referralId}/edit`);
  expect(
    await ctx.db
      .selectFrom('referrals')
      .select('id')
      .where('createdBy', '=', referral.createdBy)
      .where('status', '=', 'draft')
      .execute(),
  ).toHaveLength(1);
  expect(await audits('youth-check.referral', checkId)).toHaveLength(1);
  const page = await council.get(`/youth-checks/${checkId}`);
  expect(page.text).toContain(`href="/referrals/${referralId}"`);
});

test('the administrator changes the working days to answer; bad values are answered by the field', async () => {
  const page = await admin.get('/admin/youth-checks');
  const version = /name="version" value="(\d+)"/.exec(page.text)?.[1];
  const bad = await postForm(admin, '/admin/youth-checks', { dueWorkingDays: '0', retentionMonths: 'twelve', version });
  expect(bad.status).toBe(400);
  expect(bad.text).toContain('The working days to answer must be between 1 and 20 working days');
  expect(bad.text).toContain('Enter how long answered checks are kept as a whole number of months');
  const ok = await postForm(admin, '/admin/youth-checks', { dueWorkingDays: '3', retentionMonths: '12', version });
  expect(ok.status).toBe(303);
  await moveTo('2027-01-04T09:00:00Z');
  const res = await postForm(council, '/youth-checks/new', await checkRequest(ctx, { youngPersonName: 'Leah Norris' }));
  expect((await checkRow(idFromLocation(res.headers.location))).dueOn).toBe('2027-01-07');
  const stale = await postForm(admin, '/admin/youth-checks', { dueWorkingDays: '2', retentionMonths: '12', version });
  expect(stale.status).toBe(409);
});

test('a year after the answer the retention job removes the check’s personal data and keeps its counts', async () => {
  ctx.clock.set('2027-12-29T10:00:00Z');
  expect(await ctx.services.youthChecks.clearExpired()).toBe(0);
  await moveTo('2027-12-30T10:00:00Z');
  expect(await ctx.services.youthChecks.clearExpired()).toBe(1);
  const row = await checkRow(checkId);
  expect(row).toMatchObject({
    youngPersonName: null,
    dateOfBirth: null,
    address: null,
    concern: null,
    leadProfessionalName: null,
    answerNote: null,
    status: 'answered',
    knownToYouthOffending: true,
  });
  expect(row.clearedAt).toEqual(new Date('2027-12-30T10:00:00Z'));
  const page = await council.get(`/youth-checks/${checkId}`);
  expect(page.text).not.toContain('Kai Brennan');
  expect(page.text).toContain('The personal data of this check was removed');
  const [run] = await audits('youth-check.retention');
  expect(run.details).toEqual({ cleared: [checkId] });
});

test('lists, objects and control characters where text is expected get messages by the field, never a server error', async () => {
  await moveTo('2028-01-10T10:00:00Z');
  const res = await postForm(council, '/youth-checks/new', {
    youngPersonName: ['Kai', 'Brennan'],
    dateOfBirth: 'yesterday',
    address: { street: 'Sincil Walk' },
    concern: 'Bins\u0000 set alight',
    districtId: ['1', '2'],
  });
  expect(res.status).toBe(400);
  expect(res.text).toContain('Enter the young person’s date of birth');
  expect(res.text).toContain('Select your district');
  const answer = await postForm(yot, `/youth-checks/${checkId}/answer`, {
    knownToYouthOffending: ['yes', 'no'],
    version: { v: 1 },
  });
  expect(answer.status).toBe(400);
  expect(answer.text).toContain('Select yes if the young person is known to youth offending');
});

test('someone whose agency does not ask for checks is told so instead of being shown the form', async () => {
  const res = await admin.get('/youth-checks/new');
  expect(res.status).toBe(200);
  expect(textOf(res.text, 'cannot-request')).toContain(
    'District ASB officers, police officers and housing officers ask for youth checks',
  );
  expect(res.text).not.toContain('Ask for the check');
});
