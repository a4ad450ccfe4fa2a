import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createTestContext, type TestContext } from '../support/context';
import { anonymous, DEMO, postForm, signIn } from '../support/http';
import { registerCompleteness } from '../../src/register/register.service';
import { agencyId, auditOf, makePanel, makeTokens, setStatus } from './attendance-builders';
import { encodeForm } from './referrals-builders';
import type { Agent } from '../support/http';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-06-10T09:30:00Z' });
});
afterAll(() => ctx.close());

const post = (agent: Agent & { csrf: string }, url: string, fields: Record<string, unknown>) =>
  agent
    .post(url)
    .type('form')
    .send(encodeForm({ _csrf: agent.csrf, ...fields }));
const entries = (panelId: number) =>
  ctx.db
    .selectFrom('registerEntries')
    .select([
      'id',
      'agencyId',
      'personName',
      'role',
      'status',
      'arrivedAt',
      'leftAt',
      'confidentialityAgreed',
      'confidentialityStatementId',
      'isObserver',
      'version',
    ])
    .where('panelId', '=', panelId)
    .orderBy('id')
    .execute();

async function panelWithAnswers() {
  const panelId = await makePanel(ctx, {
    startsAt: '2026-06-10T09:00:00Z',
    agencies: ['Police', 'LPFT', 'Adult Care'],
  });
  const police = await signIn(ctx, DEMO.police);
  await postForm(police, `/panels/${panelId}/attendance`, {
    version: '',
    answer: 'attending',
    attendees: 'PC Jordan Ellis\nPCSO Taylor Grant',
    mode: 'in-person',
  });
  const lpft = await signIn(ctx, DEMO.lpft);
  await postForm(lpft, `/panels/${panelId}/attendance`, {
    version: '',
    answer: 'apologies',
    apologyReason: 'Clinic',
    informationInAdvance: 'yes',
  });
  return panelId;
}

/** The register's lines as the page posts them back: hidden fields and the values shown. */
function linesOf(html: string): Record<string, string>[] {
  const rows: Record<string, string>[] = [];
  for (const m of html.matchAll(/name="rows\[(\d+)\]\[(\w+)\]"([^>]*)>/g)) {
    const [, i, field, rest] = m;
    if (rest.includes('type="checkbox"') && !rest.includes(' checked')) continue;
    const value = /value="([^"]*)"/.exec(rest)?.[1];
    rows[Number(i)] ??= {};
    rows[Number(i)][field] = (value ?? '').replace(/&#x27;/g, "'");
  }
  return rows;
}

/** The register's table row of the line whose hidden agency field is the agency's (the first, for a proposed line). */
function rowOfAgency(html: string, agency: number): string {
  const row = html
    .split('<tr ')
    .find((r) => new RegExp(`name="rows\\[\\d+\\]\\[agencyId\\]" value="${agency}"`).test(r));
  if (!row) throw new Error(`no register row for agency ${agency}`);
  return row.slice(0, row.indexOf('</tr>'));
}

describe('the register on the day', () => {
  test('when the panel is not in progress, then the register is shown read-only and saving is refused', async () => {
    const panelId = await panelWithAnswers();
    const chair = await signIn(ctx, DEMO.chair);
    const page = await chair.get(`/panels/${panelId}/register`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('The register can be taken only while the panel is in progress');
    expect(page.text).not.toContain('Save the register');
    const res = await post(chair, `/panels/${panelId}/register`, {
      rows: [{ agencyId: String(await agencyId(ctx, 'Police')), personName: 'X', status: 'present' }],
    });
    expect(res.status).toBe(409);
    expect((await post(chair, `/panels/${panelId}/register/observers`, { personName: 'Obs' })).status).toBe(409);
    expect(await entries(panelId)).toHaveLength(0);
  });

  test('when the panel is in progress, then the register starts from the answers: each expected person, apologies, and agencies with no answer', async () => {
    const panelId = await panelWithAnswers();
    await setStatus(ctx, panelId, 'in-progress');
    const chair = await signIn(ctx, DEMO.chair);
    const page = await chair.get(`/panels/${panelId}/register`);
    const lines = linesOf(page.text);
    const police = String(await agencyId(ctx, 'Police'));
    const lpft = String(await agencyId(ctx, 'LPFT'));
    const adult = String(await agencyId(ctx, 'Adult Care'));
    expect(lines.map((l) => [l.agencyId, l.personName])).toEqual([
      [adult, ''],
      [lpft, ''],
      [police, 'PC Jordan Ellis'],
      [police, 'PCSO Taylor Grant'],
    ]);
    expect(page.text).toContain('Not yet recorded: Adult Care, LPFT, Police');
    expect(page.text).toContain('Confidentiality statement (version 1)');
    expect(await registerCompleteness(ctx.db, panelId)).toHaveLength(3);
    // Saved as offered, with the agency that sent apologies left unnamed: only lines with a status are recorded.
    const res = await post(chair, `/panels/${panelId}/register`, {
      rows: lines.map((l) => ({ ...l, status: l.agencyId === lpft ? 'apologies' : l.status })),
    });
    expect(res.status).toBe(303);
    expect((await entries(panelId)).map((e) => [e.agencyId, e.personName, e.status])).toEqual([
      [Number(lpft), '', 'apologies'],
    ]);
    expect(
      (
        await post(chair, `/panels/${panelId}/register`, {
          rows: [{ agencyId: adult, personName: '', status: 'present' }],
        })
      ).text,
    ).toContain('Enter the name');
    await setStatus(ctx, panelId, 'concluded');
    expect((await chair.get(`/panels/${panelId}/register`)).text).toContain('Not named');
  });

  test('when an agency sends apologies by the e-mailed link and the chair then opens the register, then its row says apologies were sent, not "No answer"', async () => {
    const panelId = await makePanel(ctx, { startsAt: '2026-06-10T09:00:00Z', agencies: ['Adult Care', 'CoLC'] });
    const tokens = await makeTokens(ctx, panelId, 'Adult Care');
    const visitor = await anonymous(ctx);
    await visitor.get(`/attend/${tokens.apologies}`);
    const answered = await postForm(visitor, `/attend/${tokens.apologies}`, {
      apologyReason: 'Sickness',
      informationInAdvance: 'yes',
    });
    expect(answered.status).toBe(200);
    await setStatus(ctx, panelId, 'in-progress');
    const chair = await signIn(ctx, DEMO.chair);
    const page = await chair.get(`/panels/${panelId}/register`);
    expect(page.status).toBe(200);
    mkdirSync(path.join(process.cwd(), 'test-artifacts'), { recursive: true });
    writeFileSync(path.join(process.cwd(), 'test-artifacts', 'register-apologies.html'), page.text);
    const adult = rowOfAgency(page.text, await agencyId(ctx, 'Adult Care'));
    expect(adult).toContain('Apologies sent, information sent in advance');
    expect(adult).not.toContain('No answer');
    expect(adult).toMatch(/<option value="apologies" selected>Apologies<\/option>/);
    // The answer is shown in words: no status code appears as text in the row.
    const texts = [...adult.matchAll(/>([^<]*)</g)].map((m) => m[1].trim()).filter(Boolean);
    expect(texts).toContain('Apologies');
    const codes = [
      'attending',
      'deputy',
      'apologies',
      'in-person',
      'online',
      'present',
      'late',
      'left-early',
      'absent',
    ];
    expect(texts.filter((t) => codes.includes(t) || t.includes('in-person'))).toEqual([]);
    expect(rowOfAgency(page.text, await agencyId(ctx, 'CoLC'))).toContain('No answer');
  });

  test('when the chair records attendance with confidentiality ticked, then entries keep the statement version; late and left early need a time', async () => {
    const panelId = await panelWithAnswers();
    await setStatus(ctx, panelId, 'in-progress');
    const chair = await signIn(ctx, DEMO.chair);
    const police = String(await agencyId(ctx, 'Police'));
    const lpft = String(await agencyId(ctx, 'LPFT'));
    const adult = String(await agencyId(ctx, 'Adult Care'));
    const rows = [
      {
        agencyId: adult,
        personName: 'Casey Lund',
        role: 'Practitioner',
        status: 'late',
        arrivedAt: '',
        agreed: 'true',
      },
      { agencyId: lpft, personName: 'Priya Shah', status: 'apologies', agreed: 'true' },
      { agencyId: police, personName: 'PC Jordan Ellis', status: 'present', agreed: 'true' },
      { agencyId: police, personName: 'PCSO Taylor Grant', status: 'left-early', leftAt: '25:00', agreed: 'true' },
    ];
    const bad = await post(chair, `/panels/${panelId}/register`, { rows });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Enter the time they arrived, like 10:15');
    expect(bad.text).toContain('Enter the time they left, like 11:30');
    expect(bad.text).toContain('Only someone at the meeting can agree to the confidentiality statement');
    expect(bad.text).toContain('value="Casey Lund"');
    expect(await entries(panelId)).toHaveLength(0);
    rows[0].arrivedAt = '10:20';
    rows[1].agreed = '';
    rows[3].leftAt = '11:05';
    const ok = await post(chair, `/panels/${panelId}/register`, { rows });
    expect(ok.status).toBe(303);
    const saved = await entries(panelId);
    expect(saved.map((e) => [e.personName, e.status, e.arrivedAt, e.leftAt, e.confidentialityAgreed])).toEqual([
      ['Casey Lund', 'late', '10:20', null, true],
      ['Priya Shah', 'apologies', null, null, false],
      ['PC Jordan Ellis', 'present', null, null, true],
      ['PCSO Taylor Grant', 'left-early', null, '11:05', true],
    ]);
    const v1 = await ctx.db
      .selectFrom('confidentialityStatements')
      .select('id')
      .where('version', '=', 1)
      .executeTakeFirstOrThrow();
    expect(saved.filter((e) => e.confidentialityAgreed).every((e) => e.confidentialityStatementId === v1.id)).toBe(
      true,
    );
    expect(await registerCompleteness(ctx.db, panelId)).toEqual([]);
    const page = await chair.get(`/panels/${panelId}/register`);
    expect(page.text).toContain('id="register-complete"');
    expect((await auditOf(ctx, 'register.save', panelId))[0].details).toMatchObject({
      created: 4,
      updated: 0,
      statementVersion: 1,
    });
  });

  test('when the statement changes, then earlier agreements keep their version and new ones record the new version; a stale register save is refused and the typing kept', async () => {
    const panelId = await makePanel(ctx, { startsAt: '2026-06-10T09:00:00Z', agencies: ['Police', 'CoLC'] });
    await setStatus(ctx, panelId, 'in-progress');
    const chair = await signIn(ctx, DEMO.chair);
    const police = String(await agencyId(ctx, 'Police'));
    const colc = String(await agencyId(ctx, 'CoLC'));
    await post(chair, `/panels/${panelId}/register`, {
      rows: [{ agencyId: police, personName: 'PC Jordan Ellis', status: 'present', agreed: 'true' }],
    });
    const admin = await signIn(ctx, DEMO.admin);
    const form = await admin.get('/admin/confidentiality');
    expect(form.text).toContain('id="current-version">1<');
    expect((await postForm(admin, '/admin/confidentiality', { version: '1', text: '' })).status).toBe(400);
    expect(
      (await postForm(admin, '/admin/confidentiality', { version: '1', text: 'Version two of the statement.' })).status,
    ).toBe(303);
    const stale = await postForm(admin, '/admin/confidentiality', { version: '1', text: 'A rival edit.' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('A rival edit.');
    const v2 = await ctx.db
      .selectFrom('confidentialityStatements')
      .select(['id', 'version'])
      .orderBy('version', 'desc')
      .executeTakeFirstOrThrow();
    expect(v2.version).toBe(2);
    const page = await chair.get(`/panels/${panelId}/register`);
    expect(page.text).toContain('Version two of the statement.');
    const lines = linesOf(page.text);
    const saved = lines.find((l) => l.personName === 'PC Jordan Ellis')!;
    const unrecorded = lines.find((l) => l.agencyId === colc && !l.id)!;
    const rows = [
      {
        id: saved.id,
        version: saved.version,
        agencyId: police,
        personName: 'PC Jordan Ellis',
        status: 'present',
        agreed: 'true',
      },
      { agencyId: unrecorded.agencyId, personName: 'Jamie Fox', status: 'online', agreed: 'true' },
    ];
    expect((await post(chair, `/panels/${panelId}/register`, { rows })).status).toBe(303);
    const after = await entries(panelId);
    const v1 = await ctx.db
      .selectFrom('confidentialityStatements')
      .select('id')
      .where('version', '=', 1)
      .executeTakeFirstOrThrow();
    expect(after.find((e) => e.personName === 'PC Jordan Ellis')).toMatchObject({
      confidentialityStatementId: v1.id,
      version: 2,
    });
    expect(after.find((e) => e.personName === 'Jamie Fox')).toMatchObject({
      confidentialityStatementId: v2.id,
      status: 'online',
    });
    // The same form again carries version 1 of the entry: refused, nothing changed.
    const again = await post(chair, `/panels/${panelId}/register`, {
      rows: [{ ...rows[0], personName: 'Changed Name' }],
    });
    expect(again.status).toBe(409);
    expect(again.text).toContain('Someone else changed the register');
    expect(again.text).toContain('value="Changed Name"');
    expect((await entries(panelId)).find((e) => e.id === Number(saved.id))?.personName).toBe('PC Jordan Ellis');
  });

  test('when an observer is added, then they are on the register with their agreement; an agency not invited or an unknown entry is refused', async () => {
    const panelId = await makePanel(ctx, { startsAt: '2026-06-10T09:00:00Z', agencies: ['Police'] });
    await setStatus(ctx, panelId, 'in-progress');
    const admin = await signIn(ctx, DEMO.admin);
    expect((await post(admin, `/panels/${panelId}/register/observers`, { personName: '' })).text).toContain(
      'Enter the name',
    );
    expect(
      (
        await post(admin, `/panels/${panelId}/register/observers`, {
          personName: 'Student Social Worker',
          role: 'University placement',
          agreed: 'true',
        })
      ).status,
    ).toBe(303);
    expect(await entries(panelId)).toEqual([
      expect.objectContaining({
        personName: 'Student Social Worker',
        isObserver: true,
        status: 'present',
        confidentialityAgreed: true,
        agencyId: null,
      }),
    ]);
    // An observer is not an agency: the register is still incomplete.
    expect(await registerCompleteness(ctx.db, panelId)).toEqual([
      { agencyId: await agencyId(ctx, 'Police'), shortName: 'Police' },
    ]);
    const probation = String(await agencyId(ctx, 'Probation'));
    expect(
      (
        await post(admin, `/panels/${panelId}/register`, {
          rows: [{ agencyId: probation, personName: 'Kit Mallory', status: 'present' }],
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await post(admin, `/panels/${panelId}/register`, {
          rows: [{ id: '999999', version: '1', personName: 'X', status: 'present' }],
        })
      ).status,
    ).toBe(404);
    expect(await entries(panelId)).toHaveLength(1);
  });

  test('when a representative asks for the register or the confidentiality statement, then it is refused', async () => {
    const panelId = await makePanel(ctx, { startsAt: '2026-06-10T09:00:00Z', agencies: ['Police'] });
    const rep = await signIn(ctx, DEMO.police);
    expect((await rep.get(`/panels/${panelId}/register`)).status).toBe(403);
    expect((await rep.get('/admin/confidentiality')).status).toBe(403);
    const chair = await signIn(ctx, DEMO.chair);
    expect((await chair.get('/admin/confidentiality')).status).toBe(403);
    expect((await chair.get('/panels/999999/register')).status).toBe(404);
  });
});

describe('attendees agreeing for themselves', () => {
  test('when a signed-in attendee signs in to an in-progress panel, then they are on the register having agreed to the current version; before the panel starts they cannot', async () => {
    const panelId = await makePanel(ctx, { startsAt: '2026-06-10T09:00:00Z', agencies: ['Police', 'LPFT'] });
    const police = await signIn(ctx, DEMO.police);
    expect((await police.get(`/panels/${panelId}/attendance`)).text).not.toContain('I am here in person and agree');
    expect((await postForm(police, `/panels/${panelId}/register/self`, { mode: 'present' })).status).toBe(409);
    await setStatus(ctx, panelId, 'in-progress');
    // The chair had already put them down as absent.
    const chair = await signIn(ctx, DEMO.chair);
    await post(chair, `/panels/${panelId}/register`, {
      rows: [{ agencyId: String(await agencyId(ctx, 'Police')), personName: 'pc jordan ellis', status: 'absent' }],
    });
    const page = await police.get(`/panels/${panelId}/attendance`);
    expect(page.text).toContain('I am here in person and agree');
    expect((await postForm(police, `/panels/${panelId}/register/self`, { mode: 'online' })).status).toBe(303);
    const saved = await entries(panelId);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ status: 'online', confidentialityAgreed: true });
    expect((await police.get(`/panels/${panelId}/attendance`)).text).toMatch(
      /You agreed to version \d+ of the confidentiality statement/,
    );
    const lpft = await signIn(ctx, DEMO.lpft);
    expect((await postForm(lpft, `/panels/${panelId}/register/self`, { mode: 'present' })).status).toBe(303);
    expect((await entries(panelId)).map((e) => [e.personName, e.status, e.agencyId])).toEqual([
      ['pc jordan ellis', 'online', await agencyId(ctx, 'Police')],
      ['Priya Shah', 'present', await agencyId(ctx, 'LPFT')],
    ]);
    const housing = await signIn(ctx, DEMO.housing);
    expect((await postForm(housing, `/panels/${panelId}/register/self`, { mode: 'present' })).status).toBe(404);
    expect((await auditOf(ctx, 'register.self', panelId)).map((a) => a.outcome)).toEqual([
      'success',
      'success',
      'denied',
    ]);
  });
});
