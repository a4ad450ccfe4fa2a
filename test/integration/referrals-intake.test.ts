import { createTestContext, type TestContext } from '../support/context';
import { DEMO, postForm, signIn, textOf } from '../support/http';
import {
  actorFor,
  answers,
  districtId,
  highAnswers,
  makeReferral,
  postReferral,
  referralBody,
  uniqueName,
  userNamed,
} from './referrals-builders';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-03-10T10:00:00Z' });
});
afterAll(() => ctx.close());

const countReferrals = async () =>
  Number(
    (
      await ctx.db
        .selectFrom('referrals')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const errorSummary = (html: string) =>
  [
    ...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '').matchAll(
      /<a href="([^"]+)">([^<]+)<\/a>/g,
    ),
  ].map((m) => [m[1], m[2]]);
const versionOf = (html: string) => /name="version" value="(\d+)"/.exec(html)?.[1];

async function continueToCheck(agent: Awaited<ReturnType<typeof signIn>>, body: Record<string, unknown>) {
  const res = await postReferral(agent, '/referrals/new', { ...body, action: 'continue' });
  expect(res.status).toBe(303);
  const id = Number(/\/referrals\/(\d+)\/submit/.exec(res.headers.location)?.[1]);
  const check = await agent.get(`/referrals/${id}/submit`);
  expect(check.status).toBe(200);
  return { id, check };
}

async function submitReferral(
  agent: Awaited<ReturnType<typeof signIn>>,
  body: Record<string, unknown>,
  linkTo: string[] = [],
) {
  const { id, check } = await continueToCheck(agent, body);
  const res = await postReferral(agent, `/referrals/${id}/submit`, { version: versionOf(check.text), linkTo });
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe(`/referrals/${id}`);
  return { id, check };
}

describe('the referral form', () => {
  test("when a practitioner opens it, then it starts with one subject, one incident, their own details and their agency's district", async () => {
    const agent = await signIn(ctx, DEMO.council);
    const page = await agent.get('/referrals/new');
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="subjects-0-kind"');
    expect(page.text).not.toContain('id="subjects-1-kind"');
    expect(page.text).toContain('id="incidents-0-date-day"');
    expect(page.text).toContain('value="Jamie Fox"');
    expect(page.text).toContain('value="council@example.org"');
    const lincoln = await districtId(ctx, 'City of Lincoln');
    expect(page.text).toContain(`<option value="${lincoln}" selected>City of Lincoln</option>`);
    expect(page.text).toContain('City of Lincoln Council ASB team');
    const matrix = await ctx.services.referrals.riskMatrix.current();
    expect(matrix.questions).toHaveLength(15);
    for (const q of matrix.questions) expect(page.text).toContain(`name="risk[q${q.id}]"`);
    expect(page.text).toContain('src="/public/risk-preview.js"');
  });

  test('when "Add another subject" is pressed, then the form comes back with a blank subject, everything typed kept and nothing saved', async () => {
    const agent = await signIn(ctx, DEMO.police);
    const before = await countReferrals();
    const body = await referralBody(ctx, {
      subjects: [{ kind: 'victim', fullName: 'Kept Name', postcode: 'not a postcode' }],
    });
    const res = await postReferral(agent, '/referrals/new', { ...body, action: 'add-subject' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('id="subjects-1-kind"');
    expect(res.text).not.toContain('id="subjects-2-kind"');
    expect(res.text).toContain('value="Kept Name"');
    expect(res.text).toContain('value="not a postcode"');
    expect(res.text).toContain('Shouting and swearing at the door.');
    expect(res.text).not.toContain('govuk-error-summary');
    expect(await countReferrals()).toBe(before);
  });

  test('when "Remove subject 1" is pressed, then it goes with its links and the other subjects move up', async () => {
    const agent = await signIn(ctx, DEMO.police);
    const body = await referralBody(ctx, {
      subjects: [
        { kind: 'victim', fullName: 'First Person' },
        { kind: 'perpetrator', fullName: 'Second Person' },
        { kind: 'victim', fullName: 'Third Person' },
      ],
      links: [
        { from: '1', relation: 'perpetrator-of', to: '0' },
        { from: '1', relation: 'perpetrator-of', to: '2' },
      ],
    });
    const res = await postReferral(agent, '/referrals/new', { ...body, action: 'remove-subject:0' });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('First Person');
    expect(res.text).toMatch(
      /id="subjects-0-fullName" name="subjects\[0\]\[fullName\]" type="text" value="Second Person"/,
    );
    expect(res.text).toContain('id="links-0-from"');
    expect(res.text).not.toContain('id="links-1-from"');
    expect(res.text).toMatch(/<option value="0" selected>Perpetrator 1: Second Person<\/option>/);
  });

  test('when incidents and links are added and removed, then the rows follow and typed text is kept', async () => {
    const agent = await signIn(ctx, DEMO.police);
    const body = await referralBody(ctx);
    const added = await postReferral(agent, '/referrals/new', { ...body, action: 'add-incident' });
    expect(added.text).toContain('id="incidents-1-date-day"');
    const removed = await postReferral(agent, '/referrals/new', {
      ...body,
      incidents: [
        ...body.incidents,
        { date: { day: '2', month: '2', year: '2026' }, type: 'threats', summary: 'Second incident kept' },
      ],
      action: 'remove-incident:0',
    });
    expect(removed.text).toContain('Second incident kept');
    expect(removed.text).not.toContain('Shouting and swearing at the door.');
    const link = await postReferral(agent, '/referrals/new', { ...body, links: [], action: 'add-link' });
    expect(link.text).toContain('id="links-0-relation"');
  });
});

describe('saving a draft', () => {
  test('when required fields are missing, then the draft is still saved, with no reference, and can be continued', async () => {
    const agent = await signIn(ctx, DEMO.police);
    const name = uniqueName('Draft');
    const res = await postReferral(agent, '/referrals/new', { subjects: [{ fullName: name }], action: 'save' });
    expect(res.status).toBe(303);
    const id = Number(/\/referrals\/(\d+)\/edit/.exec(res.headers.location)?.[1]);
    const row = await ctx.db.selectFrom('referrals').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'draft', reference: null, submittedAt: null });
    const edit = await agent.get(`/referrals/${id}/edit`);
    expect(edit.text).toContain('Your draft has been saved');
    expect(edit.text).toContain(`value="${name}"`);
    expect(edit.text).toContain('Delete this draft');
  });

  test('when a field is in a wrong format, then nothing is saved and the message is by the field', async () => {
    const agent = await signIn(ctx, DEMO.police);
    const before = await countReferrals();
    const res = await postReferral(agent, '/referrals/new', {
      subjects: [{ fullName: 'Someone', postcode: 'ZZ' }],
      action: 'save',
    });
    expect(res.status).toBe(400);
    expect(errorSummary(res.text)).toEqual([
      ['#subjects-0-postcode', 'Enter a real postcode for subject 1, like LN1 1AA'],
    ]);
    expect(res.text).toContain('value="Someone"');
    expect(await countReferrals()).toBe(before);
  });

  test('when the draft was saved by someone else meanwhile, then the older form is refused and what was typed is kept', async () => {
    const agent = await signIn(ctx, DEMO.police);
    const { id } = await makeReferral(ctx, DEMO.police, {}, {});
    const form = await agent.get(`/referrals/${id}/edit`);
    const version = versionOf(form.text);
    const body = await referralBody(ctx);
    const first = await postReferral(agent, `/referrals/${id}/edit`, {
      ...body,
      version,
      reason: 'First save',
      action: 'save',
    });
    expect(first.status).toBe(303);
    const second = await postReferral(agent, `/referrals/${id}/edit`, {
      ...body,
      version,
      reason: 'Second save from an old tab',
      action: 'save',
    });
    expect(second.status).toBe(409);
    expect(second.text).toContain('Someone else saved this referral while you were editing it');
    expect(second.text).toContain('Second save from an old tab');
    const row = await ctx.db.selectFrom('referrals').select('reason').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.reason).toBe('First save');
  });

  test('when a draft is deleted, then it is gone and the deletion is audited', async () => {
    const agent = await signIn(ctx, DEMO.police);
    const { id } = await makeReferral(ctx, DEMO.police, {}, {});
    expect((await agent.get(`/referrals/${id}/discard`)).text).toContain('Delete this draft?');
    const res = await postForm(agent, `/referrals/${id}/discard`);
    expect(res.status).toBe(303);
    expect(await ctx.db.selectFrom('referrals').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
    const audit = await ctx.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', 'referral.discard')
      .where('entityId', '=', String(id))
      .execute();
    expect(audit).toHaveLength(1);
  });
});

describe('submitting', () => {
  test('when "Save and continue" finds missing fields, then nothing is saved and each field has its message', async () => {
    const agent = await signIn(ctx, DEMO.police);
    const before = await countReferrals();
    const res = await postReferral(agent, '/referrals/new', { reason: 'Typed reason', action: 'continue' });
    expect(res.status).toBe(400);
    const summary = errorSummary(res.text);
    expect(summary).toEqual(
      expect.arrayContaining([
        ['#districtId', 'Select the district the case is in'],
        ['#subjects', 'Add at least one subject: a victim, a perpetrator or a location'],
        ['#incidents', 'Add at least one incident'],
        ['#judgement', 'Select your professional judgement of the risk'],
        ['#lawfulBasis', 'Select the lawful basis for sharing this information'],
        ['#consent', 'Select whether the subject consented to the referral'],
      ]),
    );
    expect(summary.filter(([href]) => href.startsWith('#risk-q'))).toHaveLength(15);
    expect(res.text).toContain('Typed reason');
    expect(res.text).toMatch(/<title>Error: /);
    expect(await countReferrals()).toBe(before);
  });

  test('when a complete referral is submitted, then it gets a reference, is scored, and is read-only to the referrer', async () => {
    const agent = await signIn(ctx, DEMO.police);
    const matrix = await ctx.services.referrals.riskMatrix.current();
    const body = await referralBody(ctx, { risk: highAnswers(matrix) });
    const { id, check } = await continueToCheck(agent, body);
    expect(textOf(check.text, 'assessment')).toContain('High risk');
    expect(check.text).toContain('Submit the referral');
    const res = await postReferral(agent, `/referrals/${id}/submit`, { version: versionOf(check.text) });
    expect(res.status).toBe(303);
    const row = await ctx.db.selectFrom('referrals').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.reference).toMatch(/^ASB-2026-\d{4}$/);
    expect(row).toMatchObject({ status: 'submitted', riskVerdict: 'high', riskMatrixVersionId: matrix.id });
    expect(row.riskScore).toBeGreaterThanOrEqual(matrix.threshold);
    expect(row.criteria).toContain('score');
    const record = await agent.get(`/referrals/${id}`);
    expect(record.text).toContain(`Referral ${row.reference} submitted`);
    expect(textOf(record.text, 'status')).toBe('Submitted');
    expect(record.text).not.toContain(`/referrals/${id}/edit"`);
    const edit = await agent.get(`/referrals/${id}/edit`);
    expect(edit.status).toBe(303);
    expect(edit.headers.location).toBe(`/referrals/${id}`);
    const tampered = await postReferral(agent, `/referrals/${id}/edit`, {
      ...body,
      reason: 'Changed after submission',
      version: String(row.version),
      action: 'save',
    });
    expect(tampered.status).toBe(303);
    const after = await ctx.db
      .selectFrom('referrals')
      .select(['reason', 'version'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ reason: row.reason, version: row.version });
    const again = await postReferral(agent, `/referrals/${id}/submit`, { version: String(row.version) });
    expect(again.status).toBe(303);
    expect(
      (await ctx.db.selectFrom('referralEvents').select('kind').where('referralId', '=', id).execute()).map(
        (e) => e.kind,
      ),
    ).toEqual(['created', 'submitted']);
  });

  test('when an incomplete draft is submitted directly, then the form shows what is missing and it stays a draft', async () => {
    const agent = await signIn(ctx, DEMO.police);
    const { id } = await makeReferral(ctx, DEMO.police, { consent: '', lawfulBasis: '' }, {});
    const check = await agent.get(`/referrals/${id}/submit`);
    expect(textOf(check.text, 'problems')).toContain('Select the lawful basis for sharing this information');
    expect(check.text).not.toContain('Submit the referral');
    const res = await postReferral(agent, `/referrals/${id}/submit`, { version: '2' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Select whether the subject consented to the referral');
    expect(
      (await ctx.db.selectFrom('referrals').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status,
    ).toBe('draft');
  });

  test('when the referrer judges the risk lower than a high score, then the verdict stays high and the record says so', async () => {
    const agent = await signIn(ctx, DEMO.police);
    const matrix = await ctx.services.referrals.riskMatrix.current();
    const body = await referralBody(ctx, {
      risk: highAnswers(matrix),
      judgement: 'lower',
      judgementReasons: 'The family has since moved.',
    });
    const { id } = await submitReferral(agent, body);
    const record = await agent.get(`/referrals/${id}`);
    expect(textOf(record.text, 'risk-verdict')).toBe('High risk');
    expect(record.text).toContain('Judgement cannot lower the verdict');
  });

  test('when the referrer judges the risk high on a low score, then the case meets the criteria on judgement', async () => {
    const agent = await signIn(ctx, DEMO.police);
    const body = await referralBody(ctx, { judgement: 'high', judgementReasons: 'Known to carry a knife.' });
    const { id } = await submitReferral(agent, body);
    const row = await ctx.db
      .selectFrom('referrals')
      .select(['riskVerdict', 'criteria', 'riskScore'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ riskVerdict: 'high', criteria: ['judgement'], riskScore: 0 });
  });

  test('when the score is low and nothing else applies, then the referrer is warned before submitting', async () => {
    const agent = await signIn(ctx, DEMO.police);
    const { check } = await continueToCheck(agent, await referralBody(ctx));
    expect(textOf(check.text, 'assessment')).toContain('Below the high-risk criteria');
    expect(check.text).toContain('does not meet the high-risk criteria');
  });

  test('when three incidents fall within twelve months, then escalation is met', async () => {
    const agent = await signIn(ctx, DEMO.police);
    const body = await referralBody(ctx, {
      incidents: [
        { date: { day: '1', month: '3', year: '2026' }, type: 'noise', summary: 'One' },
        { date: { day: '1', month: '9', year: '2025' }, type: 'noise', summary: 'Two' },
        { date: { day: '10', month: '3', year: '2025' }, type: 'noise', summary: 'Three' },
      ],
    });
    const { id } = await submitReferral(agent, body);
    const row = await ctx.db
      .selectFrom('referrals')
      .select(['criteria', 'escalationCount'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ criteria: ['escalation'], escalationCount: 3 });
  });
});

describe('repeats and possible duplicates', () => {
  test('when a person whose case was closed within twelve months is referred again, then the new referral is a repeat, linked to the earlier one', async () => {
    const name = uniqueName('Repeat');
    const dob = { day: '9', month: '9', year: '1960' };
    const first = await makeReferral(
      ctx,
      DEMO.housing,
      { subjects: [{ kind: 'victim', fullName: name, dateOfBirth: dob }], links: [] },
      { submit: true, screen: 'accept' },
    );
    const chair = await userNamed(ctx, DEMO.chair);
    await ctx.services.referrals.close(actorFor(chair), first.id, 'Risk reduced');
    ctx.clock.advance(60 * 24 * 3600 * 1000);
    try {
      const agent = await signIn(ctx, DEMO.police);
      const body = await referralBody(ctx, {
        subjects: [{ kind: 'victim', fullName: name.toUpperCase(), dateOfBirth: dob }],
        links: [],
      });
      const { id, check } = await continueToCheck(agent, body);
      expect(textOf(check.text, 'repeats')).toBe('Repeat referral');
      // The earlier referral is another agency's: the referrer learns only that there is one.
      expect(textOf(check.text, 'other-repeat')).toContain('may have been referred by another agency');
      expect(check.text).not.toContain(first.reference!);
      await postReferral(agent, `/referrals/${id}/submit`, { version: versionOf(check.text) });
      const row = await ctx.db
        .selectFrom('referrals')
        .select(['criteria', 'riskVerdict'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ criteria: ['repeat'], riskVerdict: 'high' });
      const links = await ctx.db.selectFrom('referralLinks').selectAll().where('referralId', '=', id).execute();
      expect(links).toMatchObject([{ linkedReferralId: first.id, kind: 'repeat' }]);
      const admin = await signIn(ctx, DEMO.admin);
      const record = await admin.get(`/referrals/${first.id}`);
      expect(record.text).toContain('later referral of the same subject (repeat)');
    } finally {
      ctx.clock.set('2026-03-10T10:00:00Z');
    }
  });

  test('when the earlier referral is more than twelve months old, then it is not a repeat', async () => {
    const name = uniqueName('Old');
    const dob = { day: '1', month: '1', year: '1970' };
    ctx.clock.set('2025-02-01T10:00:00Z');
    try {
      await makeReferral(ctx, DEMO.police, {
        subjects: [{ kind: 'victim', fullName: name, dateOfBirth: dob }],
        links: [],
        incidents: [{ date: { day: '1', month: '1', year: '2025' }, type: 'noise', summary: 'x' }],
      });
    } finally {
      ctx.clock.set('2026-03-10T10:00:00Z');
    }
    const { id } = await makeReferral(ctx, DEMO.police, {
      subjects: [{ kind: 'victim', fullName: name, dateOfBirth: dob }],
      links: [],
    });
    const row = await ctx.db.selectFrom('referrals').select('criteria').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.criteria).not.toContain('repeat');
  });

  test('when a person matches an open case by name and date of birth, then it is offered for linking, and only such cases can be linked', async () => {
    const name = uniqueName('Dup');
    const dob = { day: '5', month: '5', year: '1955' };
    const open = await makeReferral(
      ctx,
      DEMO.police,
      { subjects: [{ kind: 'victim', fullName: name, dateOfBirth: dob }], links: [] },
      { submit: true, screen: 'accept' },
    );
    const unrelated = await makeReferral(ctx, DEMO.police, {}, { submit: true });
    const agent = await signIn(ctx, DEMO.police);
    const body = await referralBody(ctx, {
      subjects: [{ kind: 'victim', fullName: name, dateOfBirth: dob }],
      links: [],
    });
    const { id, check } = await continueToCheck(agent, body);
    expect(textOf(check.text, 'duplicates')).toBe('Possible duplicates');
    expect(check.text).toContain(`id="linkTo-${open.id}"`);
    expect(check.text).toContain('on name and date of birth');
    expect(check.text).toContain(`href="/referrals/${open.id}"`);
    expect(check.text).not.toContain(`id="linkTo-${unrelated.id}"`);
    await postReferral(agent, `/referrals/${id}/submit`, {
      version: versionOf(check.text),
      linkTo: [String(open.id), String(unrelated.id), 'x'],
    });
    const links = await ctx.db
      .selectFrom('referralLinks')
      .select(['linkedReferralId', 'kind'])
      .where('referralId', '=', id)
      .orderBy('kind')
      .execute();
    // A case still waiting for its first panel makes the new referral a possible duplicate, not a repeat.
    expect(links).toEqual([{ linkedReferralId: open.id, kind: 'duplicate' }]);
    const record = await agent.get(`/referrals/${id}`);
    expect(textOf(record.text, 'linked-cases')).toBe('Linked cases');
    expect(record.text).toContain('possible duplicate, linked by the referrer');
    const events = await ctx.db
      .selectFrom('referralEvents')
      .select(['referralId', 'kind', 'note'])
      .where('kind', '=', 'linked')
      .where('referralId', 'in', [id, open.id])
      .orderBy('id')
      .execute();
    expect(events).toEqual([
      { referralId: id, kind: 'linked', note: `Linked by the referrer as a possible duplicate of ${open.reference}` },
      { referralId: open.id, kind: 'linked', note: 'A later referral was linked to this case as a possible duplicate' },
    ]);
  });

  test("when a location matches another agency's open case by address and postcode, then the referrer is told only that a match may exist", async () => {
    const street = `${Math.floor(Math.random() * 900) + 100} ${uniqueName('Park').split(' ')[1]} Road`;
    const place = { kind: 'location', fullName: 'Rec ground', address: `${street}, Boston`, postcode: 'PE21 9LB' };
    const open = await makeReferral(ctx, DEMO.police, { subjects: [place], links: [] }, { submit: true });
    const agent = await signIn(ctx, DEMO.housing);
    const body = await referralBody(ctx, {
      subjects: [{ ...place, address: `${street.toUpperCase()}\nBoston`, postcode: 'pe219lb' }],
      links: [],
    });
    const { check } = await continueToCheck(agent, body);
    expect(textOf(check.text, 'other-duplicate')).toContain('There may be an open case about the same people or place');
    expect(check.text).not.toContain(`id="linkTo-${open.id}"`);
    expect(check.text).not.toContain(open.reference!);
    expect(check.text).not.toContain(`href="/referrals/${open.id}"`);
  });
});

describe('what users type comes back as text', () => {
  const XSS = `<script>alert("x")</script><img src=x onerror=alert(1)>'"&`;

  test('when every text field holds markup, then every page shows it escaped', async () => {
    const agent = await signIn(ctx, DEMO.police);
    const single = `${XSS}`.slice(0, 60);
    const body = await referralBody(ctx, {
      officerName: single,
      officerRole: single,
      reason: XSS,
      subjects: [
        {
          kind: 'victim',
          fullName: single,
          dateOfBirth: { day: '1', month: '1', year: '1950' },
          address: XSS,
          postcode: 'PE21 8QR',
          description: XSS,
        },
        { kind: 'location', fullName: single, address: XSS, description: XSS },
      ],
      links: [{ from: '0', relation: 'victim-at', to: '1' }],
      incidents: [
        {
          date: { day: '1', month: '2', year: '2026' },
          type: 'other',
          summary: XSS,
          agencyReference: single.slice(0, 40),
        },
      ],
      triedActions: ['other'],
      triedOther: single,
      triedDetails: XSS,
      judgement: 'high',
      judgementReasons: XSS,
      consent: 'no',
      consentReason: XSS,
    });
    const invalid = await postReferral(agent, '/referrals/new', { ...body, officerEmail: XSS, action: 'continue' });
    expect(invalid.status).toBe(400);
    const { id, check } = await submitReferral(agent, body);
    const admin = await signIn(ctx, DEMO.admin);
    const screened = await postForm(admin, `/referrals/${id}/screen`, { outcome: 'request-information', note: XSS });
    expect(screened.status).toBe(303);
    const pages = [
      invalid.text,
      check.text,
      (await agent.get(`/referrals/${id}`)).text,
      (await agent.get(`/referrals/${id}/edit`)).text,
      (await admin.get(`/referrals?q=${encodeURIComponent('<script>')}`)).text,
    ];
    for (const html of pages) {
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain('<img src=x');
      expect(html).toContain('&lt;script&gt;alert(');
    }
    expect(pages[2]).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;&#x27;&quot;&amp;');
  });
});

describe('bad input over the web', () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['an unknown district', { districtId: '999999' }, '#districtId', 'Select a district from the list'],
    [
      'a malformed email address',
      { officerEmail: 'nobody' },
      '#officerEmail',
      'Enter an email address in the correct format, like name@example.org',
    ],
    [
      'a line break in the officer name',
      { officerName: 'PC Ellis\r\nBcc: x@example.org' },
      '#officerName',
      'The name of the referring officer must be on one line',
    ],
    [
      'an oversized reason',
      { reason: 'x'.repeat(5001) },
      '#reason',
      'Why you are referring this case must be 5000 characters or fewer',
    ],
    [
      'a date of birth in the future',
      {
        subjects: [{ kind: 'victim', fullName: 'A B', dateOfBirth: { day: '1', month: '1', year: '2027' } }],
        links: [],
      },
      '#subjects-0-dateOfBirth',
      'The date of birth of subject 1 must be today or in the past',
    ],
    [
      'an absurd date of birth',
      {
        subjects: [{ kind: 'victim', fullName: 'A B', dateOfBirth: { day: '1', month: '1', year: '1850' } }],
        links: [],
      },
      '#subjects-0-dateOfBirth',
      'The date of birth of subject 1 must be on or after 1 January 1900',
    ],
    [
      'an impossible date',
      {
        subjects: [{ kind: 'victim', fullName: 'A B', dateOfBirth: { day: '30', month: '2', year: '1980' } }],
        links: [],
      },
      '#subjects-0-dateOfBirth',
      'The date of birth of subject 1 must be a real date',
    ],
    [
      'an age over 120',
      { subjects: [{ kind: 'victim', fullName: 'A B', approximateAge: '130' }], links: [] },
      '#subjects-0-approximateAge',
      'The approximate age of subject 1 must be a whole number from 0 to 120',
    ],
    [
      'a bad postcode',
      { subjects: [{ kind: 'victim', fullName: 'A B', approximateAge: '30', postcode: 'LN99 ZZZ' }], links: [] },
      '#subjects-0-postcode',
      'Enter a real postcode for subject 1, like LN1 1AA',
    ],
    [
      'an unknown incident type',
      { incidents: [{ date: { day: '1', month: '2', year: '2026' }, type: 'jaywalking', summary: 'x' }] },
      '#incidents-0-type',
      'Select the type of incident 1 from the list',
    ],
    [
      'a link to a subject that does not exist',
      { links: [{ from: '7', relation: 'perpetrator-of', to: '0' }] },
      '#links-0-from',
      'Select the first subject of link 1 from the list',
    ],
    ['a missing risk answer', { risk: {} }, '#risk-q1', 'Answer question 1 of the risk assessment'],
    [
      'sharing without consent and no reason',
      { consent: 'no', consentReason: '' },
      '#consentReason',
      'Enter why the information is shared without consent',
    ],
  ];

  test.each(cases)(
    'when the form has %s, then it is refused with a message by the field and nothing is saved',
    async (_what, override, href, message) => {
      const agent = await signIn(ctx, DEMO.police);
      const before = await countReferrals();
      const body = await referralBody(ctx, override);
      if (href === '#risk-q1') {
        const matrix = await ctx.services.referrals.riskMatrix.current();
        body.risk = Object.fromEntries(Object.entries(answers(matrix)).slice(1));
        href = `#risk-q${matrix.questions[0].id}`;
      }
      const res = await postReferral(agent, '/referrals/new', { ...body, action: 'continue' });
      expect(res.status).toBe(400);
      expect(errorSummary(res.text)).toContainEqual([href, message]);
      expect(res.text).toContain(
        `<span class="govuk-visually-hidden">Error:</span> ${message.replace(/'/g, '&#x27;')}`,
      );
      expect(await countReferrals()).toBe(before);
    },
  );

  test("when the referring agency is sent in the form, then it is ignored: the referral is the user's agency's", async () => {
    const agent = await signIn(ctx, DEMO.housing);
    const police = await ctx.db
      .selectFrom('agencies')
      .select('id')
      .where('shortName', '=', 'Police')
      .executeTakeFirstOrThrow();
    const body = await referralBody(ctx, { referringAgencyId: String(police.id), status: 'active', createdBy: '1' });
    const res = await postReferral(agent, '/referrals/new', { ...body, action: 'save' });
    const id = Number(/\/referrals\/(\d+)\/edit/.exec(res.headers.location)?.[1]);
    const row = await ctx.db
      .selectFrom('referrals')
      .innerJoin('agencies', 'agencies.id', 'referrals.referringAgencyId')
      .select(['agencies.shortName', 'referrals.status'])
      .where('referrals.id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ shortName: 'Fenland Vale', status: 'draft' });
  });

  test('when the id in the address is not a referral, then the answer is 404', async () => {
    const agent = await signIn(ctx, DEMO.police);
    for (const path of [
      '/referrals/99999999',
      '/referrals/abc',
      '/referrals/0/edit',
      '/referrals/99999999/submit',
      '/referrals/1e3',
    ]) {
      expect((await agent.get(path)).status).toBe(404);
    }
  });
});

describe('reference numbers', () => {
  test('when referrals are submitted at the same time, then each gets its own number; a new year starts again at 0001', async () => {
    const drafts = await Promise.all([1, 2, 3, 4, 5].map(() => makeReferral(ctx, DEMO.police, {}, {})));
    const user = await userNamed(ctx, DEMO.police);
    const results = await Promise.all(
      drafts.map(async ({ id }) => {
        const { version } = await ctx.db
          .selectFrom('referrals')
          .select('version')
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        return ctx.services.referrals.submit(user, actorFor(user), id, version, []);
      }),
    );
    const references = results.map((r) => (r.ok ? r.reference : 'failed'));
    expect(new Set(references).size).toBe(5);
    for (const ref of references) expect(ref).toMatch(/^ASB-2026-\d{4}$/);
    ctx.clock.set('2027-01-01T00:30:00Z');
    try {
      const next = await makeReferral(ctx, DEMO.police, {
        incidents: [{ date: { day: '31', month: '12', year: '2026' }, type: 'noise', summary: 'x' }],
      });
      expect(next.reference).toBe('ASB-2027-0001');
    } finally {
      ctx.clock.set('2026-03-10T10:00:00Z');
    }
  });
});
