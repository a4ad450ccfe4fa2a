import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn } from '../support/http';
import { agencyId, districtId, makeCase } from './panels-builders';
import { publishedPanel, researchRequestOf } from './research-builders';
import { eraseResearchTextOf } from '../../src/research/research.service';
import { postFields } from '../security/payloads';

/*
 * Research as the SafeLives research form asks: each agency answers for each subject of a case,
 * keeping the facts it holds apart from its professional opinion, late answers are marked, the
 * research is read-only once the panel starts, and the chair reads every agency's answers for a
 * case on one page.
 */

let ctx: TestContext;
let panelId: number;
let cases: Awaited<ReturnType<typeof makeCase>>[];
let police: number;
let lpft: number;
let perpetratorId: number;
let victimId: number;

const NOW = '2026-11-23T10:00:00Z';

beforeAll(async () => {
  ctx = await createTestContext({ now: NOW });
  const boston = await districtId(ctx, 'Boston');
  police = await agencyId(ctx, 'Police');
  lpft = await agencyId(ctx, 'LPFT');
  cases = [];
  for (let n = 0; n < 3; n += 1)
    cases.push(await makeCase(ctx, { districtId: boston, referringAgencyId: police, riskScore: 40 - n }));
  // The first case's perpetrator has no known date of birth, only an approximate age, and a victim.
  perpetratorId = (
    await ctx.db
      .updateTable('referralSubjects')
      .set({ dateOfBirth: null, approximateAge: 34 })
      .where('referralId', '=', cases[0].id)
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  victimId = (
    await ctx.db
      .insertInto('referralSubjects')
      .values({
        referralId: cases[0].id,
        position: 2,
        kind: 'victim',
        fullName: 'Alex Researchvictim',
        dateOfBirth: '1951-03-02',
        address: '4 Witham Place, Boston',
        postcode: 'PE21 6PQ',
        vulnerabilities: [],
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  panelId = await publishedPanel(ctx, {
    districtId: boston,
    startsAt: '2026-12-08T10:00:00Z',
    agencyIds: [police, lpft, await agencyId(ctx, 'BBC')],
    researchClosesOn: '2026-12-04',
  });
});

afterAll(async () => {
  await ctx.close();
});

const requestFor = (agency: number, referralId: number) => researchRequestOf(ctx, agency, referralId);

const field = (subjectId: number, name: string) => `subjects[s-${subjectId}][${name}]`;

function lpftAnswer(version: number): Record<string, string | string[]> {
  return {
    status: 'information-held',
    summary: 'Known to the community mental health team.',
    version: String(version),
    [field(perpetratorId, 'known')]: 'known',
    [field(perpetratorId, 'facts')]: 'Open to the community team since March 2025; two missed appointments.',
    [field(perpetratorId, 'opinion')]: 'Likely to escalate when not taking medication.\nBest seen at home.',
    [field(perpetratorId, 'keyRisks')]: 'Verbal threats to neighbours.',
    [field(perpetratorId, 'children')]: 'no',
    [field(perpetratorId, 'flags')]: ['mental-health', 'risk-to-staff'],
    [field(victimId, 'known')]: 'not-known',
  };
}

describe('an agency researching a case', () => {
  test("when a representative opens a request, then each subject is shown with a name, a date of birth or a perpetrator's approximate age, and an address", async () => {
    const spoc = await signIn(ctx, DEMO.lpft);
    const request = await requestFor(lpft, cases[0].id);
    const page = await spoc.get(`/research/${request.id}`);
    expect(page.status).toBe(200);
    const subjects = /id="subjects"[\s\S]*?<\/dl>/.exec(page.text)?.[0] ?? '';
    expect(subjects).toContain(cases[0].name);
    expect(subjects).toContain('About 34 years old');
    expect(subjects).toContain('Agenda Street, Boston, PE21 1AA');
    expect(subjects).toContain('Alex Researchvictim');
    expect(subjects).toContain('Born 2 March 1951');
    expect(page.text).toContain(`name="${field(perpetratorId, 'facts')}"`);
    expect(page.text).toContain(`name="${field(victimId, 'known')}"`);
  });

  test('when a representative answers for each subject, then facts and opinion are stored apart and shown again', async () => {
    const spoc = await signIn(ctx, DEMO.lpft);
    const request = await requestFor(lpft, cases[0].id);
    const noFacts = { ...lpftAnswer(request.version), [field(perpetratorId, 'facts')]: '' };
    const refused = await postFields(spoc, `/research/${request.id}`, noFacts);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Enter the facts your agency holds about this subject');
    // Nothing typed is lost: the opinion and the flags are still there.
    expect(refused.text).toContain('Likely to escalate when not taking medication.');
    expect(refused.text).toMatch(/value="risk-to-staff" checked/);
    expect((await requestFor(lpft, cases[0].id)).status).toBe('requested');

    const saved = await postFields(spoc, `/research/${request.id}`, lpftAnswer(request.version));
    expect(saved.status).toBe(303);
    const stored = await ctx.db
      .selectFrom('researchSubjectAnswers')
      .select([
        'subjectId',
        'known',
        'factsHeld',
        'professionalOpinion',
        'keyRisks',
        'childrenInHousehold',
        'safeguardingFlags',
      ])
      .where('researchRequestId', '=', request.id)
      .orderBy('subjectId')
      .execute();
    expect(stored).toEqual([
      {
        subjectId: perpetratorId,
        known: 'known',
        factsHeld: 'Open to the community team since March 2025; two missed appointments.',
        professionalOpinion: 'Likely to escalate when not taking medication.\nBest seen at home.',
        keyRisks: 'Verbal threats to neighbours.',
        childrenInHousehold: 'no',
        safeguardingFlags: ['mental-health', 'risk-to-staff'],
      },
      {
        subjectId: victimId,
        known: 'not-known',
        factsHeld: null,
        professionalOpinion: null,
        keyRisks: null,
        childrenInHousehold: null,
        safeguardingFlags: [],
      },
    ]);
    const again = await spoc.get(`/research/${request.id}`);
    expect(again.text).toContain('Open to the community team since March 2025; two missed appointments.</textarea>');
    expect(again.text).toMatch(/value="mental-health" checked/);
    // A text of several lines comes back exactly as typed, with no indentation added.
    expect(again.text).toContain('>Likely to escalate when not taking medication.\nBest seen at home.</textarea>');
    const audit = await ctx.db
      .selectFrom('auditEvents')
      .select('details')
      .where('action', '=', 'research.answer')
      .where('entityId', '=', String(panelId))
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0].details)).not.toContain('community team');
  });

  test('when a representative says nothing is held, then every subject is recorded as not known', async () => {
    const police_ = await signIn(ctx, DEMO.police);
    const request = await requestFor(police, cases[1].id);
    expect(
      (
        await postFields(police_, `/research/${request.id}`, {
          status: 'nothing-held',
          version: String(request.version),
        })
      ).status,
    ).toBe(303);
    const stored = await ctx.db
      .selectFrom('researchSubjectAnswers')
      .select('known')
      .where('researchRequestId', '=', request.id)
      .execute();
    expect(stored).toEqual([{ known: 'not-known' }]);
  });

  test('when another subject id is posted, then the answer is refused and nothing is saved', async () => {
    const spoc = await signIn(ctx, DEMO.lpft);
    const request = await requestFor(lpft, cases[2].id);
    const res = await postFields(spoc, `/research/${request.id}`, {
      status: 'information-held',
      summary: 'Known.',
      version: String(request.version),
      [field(victimId, 'known')]: 'not-known',
    });
    expect(res.status).toBe(400);
    expect((await requestFor(lpft, cases[2].id)).status).toBe('requested');
  });
});

describe('a tampered research form', () => {
  test('when subjects are posted in shapes the form never sends, then the answer is refused by the field and nothing is saved', async () => {
    const spoc = await signIn(ctx, DEMO.lpft);
    const request = await requestFor(lpft, cases[2].id);
    const base = { status: 'information-held', summary: 'Known.', version: String(request.version) };
    const subject = (
      await ctx.db
        .selectFrom('referralSubjects')
        .select('id')
        .where('referralId', '=', cases[2].id)
        .executeTakeFirstOrThrow()
    ).id;
    const cases_: [Record<string, string | string[]>, string][] = [
      [{ ...base, subjects: 'x' }, 'Reload the page and try again'],
      [{ ...base, [field(subject, 'known')]: 'perhaps' }, 'Select whether your agency knows this subject'],
      [{ ...base, [field(subject, 'known')]: 'known', [field(subject, 'facts')]: ['a', 'b'] }, 'Enter the facts'],
      [
        {
          ...base,
          [field(subject, 'known')]: 'known',
          [field(subject, 'facts')]: 'F',
          [field(subject, 'flags')]: 'bribery',
        },
        'Select safeguarding flags from the list',
      ],
      [
        { ...base, [field(subject, 'known')]: 'known', [field(subject, 'facts')]: 'x'.repeat(2001) },
        'must be 2000 characters or fewer',
      ],
    ];
    for (const [fields, message] of cases_) {
      const res = await postFields(spoc, `/research/${request.id}`, fields);
      expect({ status: res.status, message: res.text.includes(message) }).toEqual({ status: 400, message: true });
    }
    expect((await requestFor(lpft, cases[2].id)).status).toBe('requested');
  });
});

describe('the chair', () => {
  test("The chair reads every agency's research for a case on one page", async () => {
    const policeRep = await signIn(ctx, DEMO.police);
    const request = await requestFor(police, cases[0].id);
    expect(
      (
        await postFields(policeRep, `/research/${request.id}`, {
          status: 'information-held',
          summary: 'Three calls to the address in October.',
          version: String(request.version),
          [field(perpetratorId, 'known')]: 'known',
          [field(perpetratorId, 'facts')]: 'Arrested 12 October 2026 for a public order offence.',
          [field(perpetratorId, 'opinion')]: 'Officers think the threats are getting worse.',
          [field(victimId, 'known')]: 'known',
          [field(victimId, 'facts')]: 'Reported five incidents since August.',
          [field(victimId, 'children')]: 'yes',
          [field(victimId, 'flags')]: 'adult-safeguarding',
        })
      ).status,
    ).toBe(303);

    const chair = await signIn(ctx, DEMO.chair);
    const page = await chair.get(`/panels/${panelId}/research`);
    expect(page.status).toBe(200);
    const item = (await requestFor(police, cases[0].id)).agendaItemId;
    const section = new RegExp(`<section[^>]*id="case-${item}"[\\s\\S]*?</section>`).exec(page.text)?.[0] ?? '';
    expect(section).toContain(cases[0].reference);
    // Every agency that answered has its card in the case's section, with its answers in full; the
    // agencies still to answer are named on one line.
    expect(section.match(/class="govuk-summary-card" data-status=/g)).toHaveLength(2);
    expect(section).toContain('Lincolnshire Police');
    expect(section).toContain('Lincolnshire Partnership NHS Foundation Trust');
    const waiting = new RegExp(`id="case-${item}-waiting">([\\s\\S]*?)</p>`).exec(section)?.[1] ?? '';
    expect(waiting.replace(/<[^>]+>/g, '').trim()).toBe('Not answered BBC');
    for (const text of [
      'Three calls to the address in October.',
      'Arrested 12 October 2026 for a public order offence.',
      'Officers think the threats are getting worse.',
      'Reported five incidents since August.',
      'Adult safeguarding',
      'Known to the community mental health team.',
      'Open to the community team since March 2025; two missed appointments.',
      'Likely to escalate when not taking medication.',
      'Risk to visiting staff',
    ])
      expect(section).toContain(text);
    expect(section).toContain('Facts held');
    expect(section).toContain('Professional opinion');
    // The compact overview names each agency once with its progress; no ten-column matrix.
    expect(page.text).not.toContain('<table');
    expect(page.text).toMatch(/<strong>Police<\/strong>: 2 of 3 answered/);
  });
});

describe('late and closed research', () => {
  test('when a representative answers after the closing date, then the answer is saved and marked late', async () => {
    ctx.clock.set('2026-12-05T09:00:00Z');
    try {
      const bbc = await agencyId(ctx, 'BBC');
      const boston = await signIn(ctx, 'boston@example.org');
      const request = await requestFor(bbc, cases[0].id);
      const page = await boston.get(`/research/${request.id}`);
      expect(page.text).toContain('your answer will be marked late');
      const res = await postFields(boston, `/research/${request.id}`, {
        status: 'nothing-held',
        version: String(request.version),
      });
      expect(res.status).toBe(303);
      expect(await requestFor(bbc, cases[0].id)).toMatchObject({ status: 'nothing-held', answeredLate: true });
      expect((await boston.get(`/research/${request.id}`)).text).toContain('Answered late');
      const list = await boston.get('/research');
      expect(list.text).toContain('answers given now are marked late');
      expect(list.text).toContain('govuk-tag--orange">Late</strong>');
      const chair = await signIn(ctx, DEMO.chair);
      const overview = await chair.get(`/panels/${panelId}/research`);
      expect(overview.text).toMatch(
        /<strong>BBC<\/strong>: 1 of 3 answered, <strong class="govuk-tag govuk-tag--orange">1 late/,
      );
    } finally {
      ctx.clock.set(NOW);
    }
  });

  test.each(['in-progress', 'concluded'] as const)(
    'when the panel is %s, then research is read-only and a change is refused',
    async (status) => {
      await ctx.db.updateTable('panels').set({ status }).where('id', '=', panelId).execute();
      try {
        const spoc = await signIn(ctx, DEMO.lpft);
        const request = await requestFor(lpft, cases[0].id);
        const page = await spoc.get(`/research/${request.id}`);
        expect(page.status).toBe(200);
        expect(page.text).toContain('its research is read-only');
        // The list shows a panel in progress as read-only; a concluded panel is no longer listed.
        const list = (await spoc.get('/research')).text;
        expect(list.includes('the panel has started, so research is read-only')).toBe(status === 'in-progress');
        expect(page.text).not.toContain(`action="/research/${request.id}"`);
        expect(page.text).toContain('Open to the community team since March 2025; two missed appointments.');
        const res = await postFields(spoc, `/research/${request.id}`, {
          ...lpftAnswer(request.version),
          summary: 'Changed after the panel.',
        });
        expect(res.status).toBe(400);
        expect(res.text).toContain('its research can no longer be changed');
        const stored = await ctx.db
          .selectFrom('researchRequests')
          .select(['summary', 'version'])
          .where('id', '=', request.id)
          .executeTakeFirstOrThrow();
        expect(stored).toEqual({ summary: 'Known to the community mental health team.', version: request.version });
      } finally {
        await ctx.db.updateTable('panels').set({ status: 'agenda-published' }).where('id', '=', panelId).execute();
      }
    },
  );
});

describe('retention', () => {
  test("when a destroyed case's research is erased, then no text an agency wrote about its subjects is left, and the statuses stay", async () => {
    const request = await requestFor(lpft, cases[0].id);
    await ctx.db.transaction().execute((trx) => eraseResearchTextOf(trx, [request.agendaItemId]));
    const left = await ctx.db
      .selectFrom('researchSubjectAnswers')
      .innerJoin('researchRequests', 'researchRequests.id', 'researchSubjectAnswers.researchRequestId')
      .select([
        'researchRequests.status',
        'researchRequests.summary',
        'researchSubjectAnswers.known',
        'researchSubjectAnswers.factsHeld',
        'researchSubjectAnswers.professionalOpinion',
        'researchSubjectAnswers.keyRisks',
      ])
      .where('researchRequests.agendaItemId', '=', request.agendaItemId)
      .where('researchSubjectAnswers.known', '=', 'known')
      .execute();
    expect(left.length).toBeGreaterThan(0);
    for (const row of left)
      expect(row).toEqual({
        status: 'information-held',
        summary: null,
        known: 'known',
        factsHeld: null,
        professionalOpinion: null,
        keyRisks: null,
      });
  });
});
