import type { TestContext } from '../support/context';
import type { SubjectKind, ReferralStatus } from '../../src/db/schema';

/** Rows made directly in the tables the reports read, so each test knows every figure's answer. */

export async function ids(ctx: TestContext) {
  const districts = await ctx.db.selectFrom('districts').select(['id', 'name']).execute();
  const agencies = await ctx.db.selectFrom('agencies').select(['id', 'shortName']).execute();
  const users = await ctx.db.selectFrom('users').select(['id', 'email']).execute();
  const matrix = await ctx.db
    .selectFrom('riskMatrixVersions')
    .select('id')
    .orderBy('number', 'desc')
    .executeTakeFirstOrThrow();
  const find = <T extends { id: number }>(list: T[], pick: (t: T) => boolean, what: string) => {
    const found = list.find(pick);
    if (!found) throw new Error(`no ${what} in the test database`);
    return found.id;
  };
  return {
    district: (name: string) => find(districts, (d) => d.name === name, name),
    agency: (shortName: string) => find(agencies, (a) => a.shortName === shortName, shortName),
    user: (email: string) => find(users, (u) => u.email === email, email),
    matrixId: matrix.id,
  };
}

export type Ids = Awaited<ReturnType<typeof ids>>;

export interface SubjectSpec {
  kind: SubjectKind;
  name?: string;
  vulnerabilities?: string[];
}

export async function referral(
  ctx: TestContext,
  id: Ids,
  spec: {
    district: string;
    agency?: string;
    submittedAt: string | null;
    status?: ReferralStatus;
    verdict?: 'high' | 'standard';
    subjects: SubjectSpec[];
    closedAt?: string;
    reason?: string;
  },
): Promise<number> {
  const row = await ctx.db
    .insertInto('referrals')
    .values({
      status: spec.status ?? 'submitted',
      districtId: id.district(spec.district),
      referringAgencyId: id.agency(spec.agency ?? 'Police'),
      createdBy: id.user('police@example.org'),
      riskMatrixVersionId: id.matrixId,
      submittedAt: spec.submittedAt === null ? null : new Date(spec.submittedAt),
      riskVerdict: spec.verdict ?? 'standard',
      subjectKinds: [...new Set(spec.subjects.map((s) => s.kind))],
      closedAt: spec.closedAt ? new Date(spec.closedAt) : null,
      reason: spec.reason ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (spec.subjects.length) {
    await ctx.db
      .insertInto('referralSubjects')
      .values(
        spec.subjects.map((s, i) => ({
          referralId: row.id,
          position: i + 1,
          kind: s.kind,
          fullName: s.name ?? null,
          vulnerabilities: s.vulnerabilities ?? [],
        })),
      )
      .execute();
  }
  return row.id;
}

/** Several referrals alike, one a day from the given date. */
export async function referrals(
  ctx: TestContext,
  id: Ids,
  count: number,
  from: string,
  spec: { district: string; kind?: SubjectKind },
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const at = new Date(Date.parse(from) + i * 86_400_000).toISOString();
    await referral(ctx, id, { district: spec.district, submittedAt: at, subjects: [{ kind: spec.kind ?? 'victim' }] });
  }
}

export async function panel(
  ctx: TestContext,
  id: Ids,
  spec: { district: string; startsAt: string; status?: 'scheduled' | 'concluded' | 'cancelled'; invited?: string[] },
): Promise<number> {
  const starts = new Date(spec.startsAt);
  const row = await ctx.db
    .insertInto('panels')
    .values({
      districtId: id.district(spec.district),
      startsAt: starts,
      endsAt: new Date(starts.getTime() + 2 * 3_600_000),
      chairUserId: id.user('chair@example.org'),
      researchClosesOn: spec.startsAt.slice(0, 10),
      status: spec.status ?? 'concluded',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const agency of spec.invited ?? []) {
    await ctx.db
      .insertInto('panelInvitations')
      .values({ panelId: row.id, agencyId: id.agency(agency), reason: 'core' })
      .execute();
  }
  return row.id;
}

export async function heard(
  ctx: TestContext,
  panelId: number,
  referralId: number,
  record: {
    decision?: 'review' | 'close' | 'escalate' | 'deferred';
    closeReason?: 'risk-reduced' | 'moved-away' | 'other-process' | 'other';
    escalateTo?: 'marac' | 'mappa';
    discussion?: string;
  } = {},
): Promise<number> {
  const position =
    Number(
      (
        await ctx.db
          .selectFrom('agendaItems')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('panelId', '=', panelId)
          .executeTakeFirstOrThrow()
      ).n,
    ) + 1;
  const item = await ctx.db
    .insertInto('agendaItems')
    .values({ panelId, position, kind: 'new', referralId, minutesAllotted: 15 })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (record.decision) {
    await ctx.db
      .insertInto('meetingRecords')
      .values({
        agendaItemId: item.id,
        decision: record.decision,
        closeReason: record.closeReason ?? null,
        escalateTo: record.escalateTo ?? null,
        discussion: record.discussion ?? null,
        discussed: true,
      })
      .execute();
  }
  return item.id;
}

export async function register(
  ctx: TestContext,
  id: Ids,
  panelId: number,
  agency: string,
  status: 'present' | 'online' | 'absent' | 'apologies',
): Promise<void> {
  await ctx.db
    .insertInto('registerEntries')
    .values({ panelId, agencyId: id.agency(agency), personName: 'Attendee', status })
    .execute();
}

export async function action(
  ctx: TestContext,
  id: Ids,
  spec: {
    referralId: number;
    panelId: number;
    agency: string;
    dueOn: string;
    status: 'open' | 'in-progress' | 'completed' | 'not-possible' | 'not-done';
    createdAt: string;
    closedAt?: string;
    description?: string;
  },
): Promise<number> {
  const row = await ctx.db
    .insertInto('actions')
    .values({
      referralId: spec.referralId,
      panelId: spec.panelId,
      description: spec.description ?? 'Visit the household.',
      ownerAgencyId: id.agency(spec.agency),
      dueOn: spec.dueOn,
      status: spec.status,
      createdAt: spec.createdAt,
      closedAt: spec.closedAt ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
