import { sql } from 'kysely';
import { createTestContext, type TestContext } from '../support/context';
import { replaceChildren, type SubjectRow } from '../../src/referrals/referrals.repository';
import { referralsByMonth, screeningCounts, vulnerabilities } from '../../src/insight/insight.repository';
import { ids, referral, type Ids } from './insight-builders';

let ctx: TestContext;
let id: Ids;

beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-11-23T10:00:00Z' });
  id = await ids(ctx);
});

afterAll(async () => {
  await ctx.close();
});

const MONTH = (column: string) => sql.raw(`to_char(${column} at time zone 'Europe/London', 'YYYY-MM')`);

/** Each tally of the reports, and the same counted from the referrals themselves. */
const TALLIES = [
  {
    table: 'referral_tallies',
    columns: 'status, risk_verdict',
    counted: sql`select ${MONTH('submitted_at')} as month, district_id, status, risk_verdict, count(*)::int as n
      from referrals where submitted_at is not null group by 1, 2, 3, 4`,
  },
  {
    table: 'referral_agency_tallies',
    columns: 'referring_agency_id',
    counted: sql`select ${MONTH('submitted_at')} as month, district_id, referring_agency_id, count(*)::int as n
      from referrals where submitted_at is not null group by 1, 2, 3`,
  },
  {
    table: 'referral_kind_tallies',
    columns: 'subject_kind',
    counted: sql`select ${MONTH('submitted_at')} as month, district_id, k as subject_kind, count(*)::int as n
      from referrals cross join lateral unnest(subject_kinds) as k where submitted_at is not null group by 1, 2, 3`,
  },
  {
    table: 'vulnerability_tallies',
    columns: 'vulnerability',
    counted: sql`select ${MONTH('r.submitted_at')} as month, r.district_id, v as vulnerability, count(distinct r.id)::int as n
      from referrals r join referral_subjects s on s.referral_id = r.id cross join lateral unnest(s.vulnerabilities) as v
      where r.submitted_at is not null group by 1, 2, 3`,
  },
];

async function countedAndTallied() {
  const counted: Record<string, unknown[]> = {};
  const tallied: Record<string, unknown[]> = {};
  for (const t of TALLIES) {
    counted[t.table] = (await sql`select * from (${t.counted}) c order by 1, 2, 3, 4`.execute(ctx.db)).rows;
    tallied[t.table] = (
      await sql`select to_char(month, 'YYYY-MM') as month, district_id, ${sql.raw(t.columns)}, n
        from ${sql.table(t.table)} where n <> 0 order by 1, 2, 3, 4`.execute(ctx.db)
    ).rows;
  }
  return { counted, tallied };
}

async function expectTalliesToMatch() {
  const { counted, tallied } = await countedAndTallied();
  expect(tallied).toEqual(counted);
  return counted;
}

const october = {
  start: new Date('2026-09-30T23:00:00Z'),
  end: new Date('2026-11-01T00:00:00Z'),
  districtId: null,
};

const subject = (vulnerabilities: string[]): SubjectRow => ({
  kind: 'victim',
  fullName: 'Perpetua Lindqvist',
  nameKey: null,
  dateOfBirth: null,
  approximateAge: null,
  gender: null,
  address: null,
  addressKey: null,
  postcode: null,
  postcodeKey: null,
  description: null,
  vulnerabilities,
});

describe('the monthly tallies of the reports', () => {
  test('when a referral is drafted, submitted, edited, screened, moved and removed, then the tallies always equal counting the referrals', async () => {
    // A draft is not counted anywhere.
    const draft = await referral(ctx, id, { district: 'Boston', submittedAt: null, status: 'draft', subjects: [] });
    await expectTalliesToMatch();
    expect((await screeningCounts(ctx.db, october)).submitted).toBe(0);

    // Submitted at 00:30 on 1 October, London time (23:30 UTC the day before): an October referral.
    await ctx.db
      .updateTable('referrals')
      .set({ status: 'submitted', submittedAt: new Date('2026-09-30T23:30:00Z'), subjectKinds: ['victim'] })
      .where('id', '=', draft)
      .execute();
    await expectTalliesToMatch();
    expect(await referralsByMonth(ctx.db, october)).toEqual([{ month: '2026-10', n: 1 }]);

    // The referrer corrects the subjects: one has two vulnerabilities, a second shares one of them.
    await replaceChildren(ctx.db, draft, {
      subjects: [subject(['age', 'isolation']), subject(['age'])],
      links: [],
      incidents: [],
      answers: {},
    });
    await expectTalliesToMatch();
    expect(await vulnerabilities(ctx.db, october, 10)).toEqual([
      { key: 'age', n: 1 },
      { key: 'isolation', n: 1 },
    ]);

    // One statement changing both subjects at once.
    await ctx.db
      .updateTable('referralSubjects')
      .set({ vulnerabilities: ['mental-health'] })
      .where('referralId', '=', draft)
      .execute();
    await expectTalliesToMatch();
    expect(await vulnerabilities(ctx.db, october, 10)).toEqual([{ key: 'mental-health', n: 1 }]);

    // Screening accepts it as high risk; then it is found to belong to another district.
    await ctx.db
      .updateTable('referrals')
      .set({ status: 'awaiting-panel', riskVerdict: 'high' })
      .where('id', '=', draft)
      .execute();
    await expectTalliesToMatch();
    expect(await screeningCounts(ctx.db, october)).toMatchObject({
      submitted: 1,
      accepted: 1,
      waiting: 0,
      assessedHigh: 1,
    });
    await ctx.db
      .updateTable('referrals')
      .set({ districtId: id.district('City of Lincoln') })
      .where('id', '=', draft)
      .execute();
    const counted = await expectTalliesToMatch();
    expect(counted.referral_tallies).toEqual([
      expect.objectContaining({ districtId: id.district('City of Lincoln'), n: 1 }),
    ]);
    expect(await screeningCounts(ctx.db, { ...october, districtId: id.district('Boston') })).toMatchObject({
      submitted: 0,
    });

    // Another, submitted at 23:30 on 31 October (UTC and London alike after the clocks went back).
    const other = await referral(ctx, id, {
      district: 'Boston',
      submittedAt: '2026-10-31T23:30:00Z',
      status: 'rejected',
      subjects: [{ kind: 'perpetrator', vulnerabilities: ['mental-health'] }],
    });
    await expectTalliesToMatch();
    expect(await referralsByMonth(ctx.db, october)).toEqual([{ month: '2026-10', n: 2 }]);
    expect(await vulnerabilities(ctx.db, october, 10)).toEqual([{ key: 'mental-health', n: 2 }]);

    // Removed with its subjects, as a case entered in error is.
    await ctx.db.deleteFrom('referrals').where('id', '=', other).execute();
    await expectTalliesToMatch();
    expect(await vulnerabilities(ctx.db, october, 10)).toEqual([{ key: 'mental-health', n: 1 }]);
    expect(await referralsByMonth(ctx.db, october)).toEqual([{ month: '2026-10', n: 1 }]);
  });

  test('when a statement adds many referrals at once, then each is tallied once', async () => {
    await sql`
      insert into referrals (status, district_id, referring_agency_id, created_by, risk_matrix_version_id, submitted_at, subject_kinds, created_at, updated_at)
      select 'closed', ${id.district('Boston')}, ${id.agency('Police')}, ${id.user('police@example.org')}, ${id.matrixId},
             timestamptz '2026-06-01 09:00Z' + (g || ' days')::interval, array['victim', 'location'], timestamptz '2026-06-01 09:00Z', timestamptz '2026-06-01 09:00Z'
      from generate_series(1, 60) as g`.execute(ctx.db);
    const counted = await expectTalliesToMatch();
    expect(
      (counted.referral_tallies as { status: string; n: number }[])
        .filter((r) => r.status === 'closed')
        .reduce((sum, r) => sum + r.n, 0),
    ).toBe(60);
  });

  test('when a bulk load is made with the trigger off and the tallies are counted again, then they equal counting the referrals', async () => {
    await sql`alter table referrals disable trigger referrals_tally`.execute(ctx.db);
    await referral(ctx, id, {
      district: 'Boston',
      submittedAt: '2026-08-03T09:00:00Z',
      status: 'active',
      subjects: [{ kind: 'victim', vulnerabilities: ['disability'] }],
    });
    await sql`alter table referrals enable trigger referrals_tally`.execute(ctx.db);
    const before = await countedAndTallied();
    expect(before.tallied).not.toEqual(before.counted);
    await sql`select recount_report_tallies()`.execute(ctx.db);
    const counted = await expectTalliesToMatch();
    expect(counted.vulnerability_tallies).toContainEqual(
      expect.objectContaining({ month: '2026-08', vulnerability: 'disability', n: 1 }),
    );
  });
});
