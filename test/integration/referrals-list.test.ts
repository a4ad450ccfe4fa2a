import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn } from '../support/http';
import { districtId, highAnswers, makeReferral, uniqueName } from './referrals-builders';

let ctx: TestContext;
let admin: Awaited<ReturnType<typeof signIn>>;
const made: Record<string, { id: number; reference: string | null }> = {};
const names: Record<string, string> = {};

/** The references on a list page, in order. */
const referencesOn = (html: string) =>
  [...html.matchAll(/href="\/referrals\/\d+">(ASB-\d{4}-\d{4}|Draft \d+)<\/a>/g)].map((m) => m[1]);
const totalOn = (html: string) => Number(/(\d+) referrals?<\/caption>/.exec(html)?.[1]);
/** Links as the browser reads them: Handlebars escapes = and & in attributes. */
const decoded = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-01-05T10:00:00Z' });
  const matrix = await ctx.services.referrals.riskMatrix.current();
  const grantham = String(await districtId(ctx, 'South Kesteven'));
  names.kestevenVictim = uniqueName('Philippa');
  names.parkName = 'Wyndham Park';
  names.underscored = 'Jo_Percent%Smith';
  const incidents = [{ date: { day: '1', month: '12', year: '2025' }, type: 'noise', summary: 'Music at night.' }];

  ctx.clock.set('2026-01-05T10:00:00Z');
  made.kesteven = await makeReferral(ctx, DEMO.police, {
    districtId: grantham,
    subjects: [
      {
        kind: 'victim',
        fullName: names.kestevenVictim,
        approximateAge: '44',
        address: '7 Belton Lane\nGrantham',
        postcode: 'NG31 9DL',
      },
    ],
    links: [],
    incidents,
    risk: highAnswers(matrix),
  });
  ctx.clock.set('2026-01-20T23:30:00Z');
  made.location = await makeReferral(ctx, DEMO.housing, {
    subjects: [{ kind: 'location', fullName: names.parkName, address: 'Castlegate, Grantham', postcode: 'NG31 6BU' }],
    links: [],
    incidents,
    districtId: grantham,
  });
  ctx.clock.set('2026-02-03T09:00:00Z');
  made.underscored = await makeReferral(
    ctx,
    DEMO.police,
    { subjects: [{ kind: 'perpetrator', fullName: names.underscored, approximateAge: '30' }], links: [], incidents },
    { submit: true, screen: 'accept' },
  );
  ctx.clock.set('2026-02-10T09:00:00Z');
  made.rejected = await makeReferral(ctx, DEMO.council, { incidents }, { submit: true, screen: 'reject' });
  // Enough Boston referrals for three pages of 25.
  for (let i = 0; i < 52; i++) {
    ctx.clock.set(new Date(Date.UTC(2026, 1, 11, 9, i)));
    made[`bulk${i}`] = await makeReferral(ctx, DEMO.police, { incidents });
  }
  // 23:30 UTC on 30 March 2026 is already 31 March in London (summer time began on the 29th).
  ctx.clock.set('2026-03-30T23:30:00Z');
  made.summerTime = await makeReferral(ctx, DEMO.police, {
    districtId: String(await districtId(ctx, 'West Lindsey')),
    subjects: [{ kind: 'victim', fullName: uniqueName('Summer'), approximateAge: '50' }],
    links: [],
    incidents,
  });
  ctx.clock.set('2026-04-01T10:00:00Z');
  admin = await signIn(ctx, DEMO.admin);
});
afterAll(() => ctx.close());

describe('filters', () => {
  test('by status', async () => {
    const res = await admin.get('/referrals?status=rejected');
    expect(referencesOn(res.text)).toEqual([made.rejected.reference]);
    const accepted = await admin.get('/referrals?status=awaiting-panel');
    expect(referencesOn(accepted.text)).toEqual([made.underscored.reference]);
  });

  test('by district', async () => {
    const res = await admin.get(`/referrals?districtId=${await districtId(ctx, 'South Kesteven')}`);
    expect(referencesOn(res.text)).toEqual([made.location.reference, made.kesteven.reference]);
  });

  test('by subject type', async () => {
    const locations = await admin.get('/referrals?subjectKind=location');
    expect(referencesOn(locations.text)).toEqual([made.location.reference]);
    const perpetrators = await admin.get(
      '/referrals?subjectKind=perpetrator&districtId=' + (await districtId(ctx, 'Boston')),
    );
    expect(totalOn(perpetrators.text)).toBe(54);
  });

  test('by risk verdict', async () => {
    const res = await admin.get('/referrals?verdict=high');
    expect(referencesOn(res.text)).toEqual([made.kesteven.reference]);
    expect(totalOn((await admin.get('/referrals?verdict=standard')).text)).toBe(56);
  });

  test('by referring agency', async () => {
    const council = await ctx.db
      .selectFrom('agencies')
      .select('id')
      .where('shortName', '=', 'CoLC')
      .executeTakeFirstOrThrow();
    const res = await admin.get(`/referrals?agencyId=${council.id}`);
    expect(referencesOn(res.text)).toEqual([made.rejected.reference]);
  });

  test('by date of submission, both ends included, on the London calendar', async () => {
    const january = await admin.get(
      '/referrals?from[day]=5&from[month]=1&from[year]=2026&to[day]=19&to[month]=1&to[year]=2026',
    );
    expect(referencesOn(january.text)).toEqual([made.kesteven.reference]);
    const oneDay = await admin.get(
      '/referrals?from[day]=20&from[month]=1&from[year]=2026&to[day]=20&to[month]=1&to[year]=2026',
    );
    expect(referencesOn(oneDay.text)).toEqual([made.location.reference]);
    const march30 = await admin.get(
      '/referrals?from[day]=30&from[month]=3&from[year]=2026&to[day]=30&to[month]=3&to[year]=2026',
    );
    expect(totalOn(march30.text)).toBe(0);
    const march31 = await admin.get('/referrals?from[day]=31&from[month]=3&from[year]=2026');
    expect(referencesOn(march31.text)).toEqual([made.summerTime.reference]);
    expect(march31.text).toContain('value="31"');
  });

  test('filters combine', async () => {
    const res = await admin.get(
      `/referrals?districtId=${await districtId(ctx, 'South Kesteven')}&subjectKind=victim&verdict=high&status=submitted`,
    );
    expect(referencesOn(res.text)).toEqual([made.kesteven.reference]);
  });

  test('values that are not on the lists are ignored; a bad date is reported by the field', async () => {
    const res = await admin.get(
      "/referrals?status=bogus&districtId=1'--&subjectKind[]=x&sort=id;drop&verdict=&page=-3",
    );
    expect(res.status).toBe(200);
    expect(totalOn(res.text)).toBe(57);
    const bad = await admin.get('/referrals?from[day]=31&from[month]=2&from[year]=2026');
    expect(bad.status).toBe(200);
    expect(bad.text).toContain('The submitted from date must be a real date');
    expect(bad.text).toContain('href="#from"');
    expect(totalOn(bad.text)).toBe(57);
    const backwards = await admin.get(
      '/referrals?from[day]=3&from[month]=2&from[year]=2026&to[day]=1&to[month]=2&to[year]=2026',
    );
    expect(backwards.text).toContain('The submitted to date must be the same as or after the from date');
  });
});

describe('search', () => {
  test('finds a subject by part of their name, whatever the case', async () => {
    const part = names.kestevenVictim.split(' ')[1].slice(4).toLowerCase();
    const res = await admin.get(`/referrals?q=${encodeURIComponent(part)}`);
    expect(referencesOn(res.text)).toEqual([made.kesteven.reference]);
    expect(res.text).toContain(`value="${part}"`);
  });

  test('finds a place by its name, address or postcode, with or without the space', async () => {
    for (const q of ['wyndham', 'castlegate', 'NG31 6BU', 'ng316bu']) {
      const res = await admin.get(`/referrals?q=${encodeURIComponent(q)}`);
      expect(referencesOn(res.text)).toEqual([made.location.reference]);
    }
  });

  test('finds a referral by its reference', async () => {
    const res = await admin.get(`/referrals?q=${made.rejected.reference!.toLowerCase()}`);
    expect(referencesOn(res.text)).toEqual([made.rejected.reference]);
  });

  test('every word must match', async () => {
    expect(referencesOn((await admin.get('/referrals?q=belton+grantham')).text)).toEqual([made.kesteven.reference]);
    expect(totalOn((await admin.get('/referrals?q=belton+castlegate')).text)).toBe(0);
  });

  test('% and _ are searched for literally', async () => {
    expect(referencesOn((await admin.get(`/referrals?q=${encodeURIComponent('o_percent%s')}`)).text)).toEqual([
      made.underscored.reference,
    ]);
    expect(totalOn((await admin.get(`/referrals?q=${encodeURIComponent('%')}`)).text)).toBe(1);
    expect(totalOn((await admin.get(`/referrals?q=${encodeURIComponent('_')}`)).text)).toBe(1);
  });

  test('the search is audited with the filters used and the count, never the words', async () => {
    await admin.get(`/referrals?q=${encodeURIComponent(names.kestevenVictim)}&verdict=high`);
    const row = await ctx.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', 'referral.search')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(row.details).toEqual({
      filters: ['verdict'],
      text: true,
      sort: 'submitted-desc',
      page: 1,
      results: 1,
      shown: [made.kesteven.id],
    });
    expect(JSON.stringify(row)).not.toContain(names.kestevenVictim.split(' ')[1]);
  });
});

describe('sorting', () => {
  test('newest first by default; oldest first on request', async () => {
    const newest = referencesOn((await admin.get('/referrals')).text);
    expect(newest.slice(0, 2)).toEqual([made.summerTime.reference, made.bulk51.reference]);
    const oldest = referencesOn((await admin.get('/referrals?sort=submitted-asc')).text);
    expect(oldest.slice(0, 3)).toEqual([made.kesteven.reference, made.location.reference, made.underscored.reference]);
  });

  test('by reference and by score', async () => {
    const byReference = referencesOn((await admin.get('/referrals?sort=reference')).text);
    expect(byReference).toEqual([...byReference].sort());
    const byScore = referencesOn((await admin.get('/referrals?sort=score')).text);
    expect(byScore[0]).toBe(made.kesteven.reference);
  });
});

describe('pagination', () => {
  test('25 to a page, with GOV.UK pagination that keeps the filters', async () => {
    const boston = await districtId(ctx, 'Boston');
    const first = await admin.get(`/referrals?districtId=${boston}`);
    expect(totalOn(first.text)).toBe(54);
    expect(referencesOn(first.text)).toHaveLength(25);
    expect(first.text).toContain('class="govuk-pagination"');
    expect(decoded(first.text)).toContain(`href="/referrals?districtId=${boston}&page=2" rel="next"`);
    expect(first.text).toMatch(/govuk-pagination__item--current">\s*<a[^>]*aria-current="page">1<\/a>/);
    const second = await admin.get(`/referrals?districtId=${boston}&page=2`);
    expect(referencesOn(second.text)).toHaveLength(25);
    expect(second.text).toContain('rel="prev"');
    const third = await admin.get(`/referrals?districtId=${boston}&page=3`);
    expect(referencesOn(third.text)).toHaveLength(4);
    expect(third.text).not.toContain('rel="next"');
    const all = [...referencesOn(first.text), ...referencesOn(second.text), ...referencesOn(third.text)];
    expect(new Set(all).size).toBe(54);
  });

  test('a page past the end shows the last page', async () => {
    const res = await admin.get('/referrals?page=999');
    expect(res.status).toBe(200);
    expect(referencesOn(res.text)).toHaveLength(7);
  });

  test('one page needs no pagination', async () => {
    const res = await admin.get('/referrals?status=rejected');
    expect(res.text).not.toContain('govuk-pagination');
  });
});

describe('the search box', () => {
  test('what was searched for comes back escaped', async () => {
    const res = await admin.get(`/referrals?q=${encodeURIComponent('"><script>alert(1)</script>')}`);
    expect(res.text).not.toContain('<script>alert(1)');
    expect(res.text).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });
});
