import type { TestContext } from '../support/context';

/** Builders for minutes tests: a concluded panel with its whole meeting record, written directly. */

let counter = 0;

async function idOf(ctx: TestContext, table: 'agencies', shortName: string): Promise<number> {
  return (await ctx.db.selectFrom(table).select('id').where('shortName', '=', shortName).executeTakeFirstOrThrow()).id;
}

async function userId(ctx: TestContext, email: string): Promise<number> {
  return (await ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
}

export interface RecordedPanel {
  panelId: number;
  itemIds: number[];
  referralIds: number[];
  references: string[];
}

export interface PanelOptions {
  status?: 'concluded' | 'in-progress' | 'scheduled';
  startsAt?: string;
  discussion?: string;
  /** Extra actions on the first case, to make the document run over several pages. */
  extraActions?: number;
  agencies?: string[];
}

async function referral(ctx: TestContext, subjects: string[], createdBy: number, agencyId: number) {
  counter += 1;
  const matrix = await ctx.db
    .selectFrom('riskMatrixVersions')
    .select('id')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  const district = await ctx.db
    .selectFrom('districts')
    .select('id')
    .where('name', '=', 'Boston')
    .executeTakeFirstOrThrow();
  const reference = `ASB-M${Date.now().toString(36).slice(-4).toUpperCase()}-${counter}`;
  const row = await ctx.db
    .insertInto('referrals')
    .values({
      reference,
      status: 'active',
      districtId: district.id,
      referringAgencyId: agencyId,
      createdBy,
      riskMatrixVersionId: matrix.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await ctx.db
    .insertInto('referralSubjects')
    .values(
      subjects.map((fullName, i) => ({
        referralId: row.id,
        position: i + 1,
        kind: i === 0 ? ('victim' as const) : ('perpetrator' as const),
        fullName,
      })),
    )
    .execute();
  return { id: row.id, reference };
}

/** A Boston panel, concluded, with attendance, apologies, an observer, two cases, actions and a previous action. */
export async function recordedPanel(ctx: TestContext, options: PanelOptions = {}): Promise<RecordedPanel> {
  const district = await ctx.db
    .selectFrom('districts')
    .select('id')
    .where('name', '=', 'Boston')
    .executeTakeFirstOrThrow();
  const chair = await userId(ctx, 'chair@example.org');
  const admin = await userId(ctx, 'admin@example.org');
  const police = await idOf(ctx, 'agencies', 'Police');
  const lpft = await idOf(ctx, 'agencies', 'LPFT');
  const housing = await idOf(ctx, 'agencies', 'Fenland Vale');
  const statement = await ctx.db
    .selectFrom('confidentialityStatements')
    .select(['id'])
    .orderBy('version', 'desc')
    .executeTakeFirstOrThrow();
  const startsAt = options.startsAt ?? '2026-12-08T10:00:00Z';
  const ends = new Date(new Date(startsAt).getTime() + 150 * 60000).toISOString();
  const panel = await ctx.db
    .insertInto('panels')
    .values({
      districtId: district.id,
      startsAt,
      endsAt: ends,
      venue: 'Municipal Buildings, Boston',
      chairUserId: chair,
      researchClosesOn: '2026-12-04',
      status: options.status ?? 'concluded',
      confidentialityStatementId: statement.id,
      concludedAt: options.status && options.status !== 'concluded' ? null : ends,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const panelId = panel.id;
  const invited = await ctx.db
    .selectFrom('agencies')
    .select('id')
    .where('shortName', 'in', options.agencies ?? ['Police', 'LPFT', 'Fenland Vale'])
    .execute();
  await ctx.db
    .insertInto('panelInvitations')
    .values(invited.map((a) => ({ panelId, agencyId: a.id, reason: 'core' as const })))
    .execute();

  await ctx.db
    .insertInto('registerEntries')
    .values([
      {
        panelId,
        agencyId: police,
        personName: 'PC Jordan Ellis',
        role: 'ASB Officer',
        status: 'present',
        confidentialityAgreed: true,
        confidentialityStatementId: statement.id,
        agreedAt: startsAt,
      },
      {
        panelId,
        agencyId: lpft,
        personName: 'Dr Robin Marsh',
        role: 'Clinical Lead (deputy)',
        status: 'late',
        arrivedAt: '10:25',
        confidentialityAgreed: true,
        confidentialityStatementId: statement.id,
        agreedAt: startsAt,
      },
      {
        panelId,
        agencyId: police,
        personName: 'PCSO Taylor Grant',
        role: 'PCSO',
        status: 'left-early',
        leftAt: '11:40',
        confidentialityAgreed: true,
        confidentialityStatementId: statement.id,
        agreedAt: startsAt,
      },
      {
        panelId,
        agencyId: null,
        personName: 'Lee Observer',
        role: 'Student social worker',
        isObserver: true,
        status: 'present',
        confidentialityAgreed: true,
        confidentialityStatementId: statement.id,
        agreedAt: startsAt,
      },
    ])
    .execute();
  await ctx.db
    .insertInto('attendanceResponses')
    .values({
      panelId,
      agencyId: housing,
      answer: 'apologies',
      apologyReason: 'Leave',
      informationInAdvance: true,
      informationReceivedOn: '2026-12-07',
      answeredVia: 'signed-in',
      answeredAt: '2026-12-01T09:00:00Z',
    })
    .execute();

  const first = await referral(ctx, ['Morgan Testvictim', 'Riley Testperp'], admin, police);
  const second = await referral(ctx, ['Avery Testsubject'], admin, lpft);
  const items = await ctx.db
    .insertInto('agendaItems')
    .values([
      { panelId, position: 1, kind: 'review', referralId: first.id, minutesAllotted: 20 },
      { panelId, position: 2, kind: 'new', referralId: second.id, minutesAllotted: 20 },
      { panelId, position: 3, kind: 'other-business', title: 'Summer outreach plan', minutesAllotted: 10 },
    ])
    .returning('id')
    .execute();
  const [i1, i2] = items.map((i) => i.id);
  await ctx.db
    .insertInto('meetingRecords')
    .values([
      {
        agendaItemId: i1,
        discussion: options.discussion ?? 'Incidents have reduced since the last panel.\nThe victim feels safer.',
        riskLevel: 'medium',
        decision: 'review',
        nextReviewOn: '2027-01-12',
        discussed: true,
      },
      {
        agendaItemId: i2,
        discussion: 'New case: repeated noise and threats.',
        riskLevel: 'high',
        decision: 'escalate',
        escalateTo: 'marac',
        discussed: true,
      },
    ])
    .execute();
  await ctx.db
    .insertInto('sharedInformation')
    .values([
      { agendaItemId: i1, agencyId: police, text: 'Three calls in October.' },
      { agendaItemId: i1, agencyId: lpft, text: 'Known to services; engaging.' },
      { agendaItemId: i2, agencyId: lpft, text: 'Not known.' },
    ])
    .execute();

  // A previous panel's action on the review case, with its outcome.
  const earlier = await ctx.db
    .insertInto('panels')
    .values({
      districtId: district.id,
      startsAt: '2026-11-10T10:00:00Z',
      endsAt: '2026-11-10T12:00:00Z',
      chairUserId: chair,
      researchClosesOn: '2026-11-06',
      status: 'minutes-circulated',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const prev = await ctx.db
    .insertInto('actions')
    .values({
      referralId: first.id,
      panelId: earlier.id,
      description: 'Fit a video doorbell',
      ownerAgencyId: police,
      ownerName: 'PC Jordan Ellis',
      dueOn: '2026-11-30',
      status: 'completed',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await ctx.db
    .insertInto('actionUpdates')
    .values({
      actionId: prev.id,
      at: '2026-11-20T10:00:00Z',
      fromStatus: 'open',
      toStatus: 'completed',
      note: 'Fitted on 18 November',
    })
    .execute();

  const actions = [
    {
      referralId: first.id,
      panelId,
      agendaItemId: i1,
      description: 'Joint visit to the victim',
      ownerAgencyId: police,
      ownerName: 'PC Jordan Ellis',
      dueOn: '2026-12-20',
    },
    {
      referralId: first.id,
      panelId,
      agendaItemId: i1,
      description: 'Mental health check-in',
      ownerAgencyId: lpft,
      ownerName: 'Dr Robin Marsh',
      dueOn: '2026-12-22',
    },
    {
      referralId: second.id,
      panelId,
      agendaItemId: i2,
      description: 'Refer to MARAC',
      ownerAgencyId: lpft,
      ownerName: null,
      dueOn: '2026-12-15',
    },
  ];
  for (let n = 1; n <= (options.extraActions ?? 0); n++) {
    actions.push({
      referralId: first.id,
      panelId,
      agendaItemId: i1,
      description: `Follow-up action number ${n} with a description long enough to wrap onto a second line in the table`,
      ownerAgencyId: police,
      ownerName: 'PC Jordan Ellis',
      dueOn: '2027-01-05',
    });
  }
  await ctx.db.insertInto('actions').values(actions).execute();
  return {
    panelId,
    itemIds: [i1, i2],
    referralIds: [first.id, second.id],
    references: [first.reference, second.reference],
  };
}

export interface DayEntry {
  /** The agency's short name. */
  agency: string;
  personName: string;
  role?: string;
  status: 'present' | 'online' | 'late' | 'left-early' | 'absent' | 'apologies';
}

/** Invites more agencies to a panel and records them on its register as the chair did on the day. */
export async function addToRegister(ctx: TestContext, panelId: number, entries: DayEntry[]): Promise<void> {
  for (const e of entries) {
    const agencyId = await idOf(ctx, 'agencies', e.agency);
    await ctx.db
      .insertInto('panelInvitations')
      .values({ panelId, agencyId, reason: 'core' })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await ctx.db
      .insertInto('registerEntries')
      .values({ panelId, agencyId, personName: e.personName, role: e.role ?? null, status: e.status })
      .execute();
  }
}

/** An agency's answer beforehand that it is sending a deputy. */
export async function answeredDeputy(
  ctx: TestContext,
  panelId: number,
  agency: string,
  deputy: { name: string; role: string; mode: 'in-person' | 'online' },
): Promise<void> {
  await ctx.db
    .insertInto('attendanceResponses')
    .values({
      panelId,
      agencyId: await idOf(ctx, 'agencies', agency),
      answer: 'deputy',
      deputyName: deputy.name,
      deputyRole: deputy.role,
      mode: deputy.mode,
      answeredVia: 'link',
      answeredAt: '2026-11-12T09:00:00Z',
    })
    .execute();
}
