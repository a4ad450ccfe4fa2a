import type { Clock } from '../clock';
import type { Db } from '../db/database';

/** What each kind of agency typically holds, fact apart from opinion, for the demo's research answers. */
const BY_TYPE: Record<string, { facts: string; opinion: string; risks: string; flags: string[] }> = {
  police: {
    facts: 'Six calls to the address since August; a community protection warning was served on 14 October.',
    opinion: 'Officers attending believe the behaviour is escalating and is aimed at the neighbours.',
    risks: 'Threats of violence; late-night disturbances.',
    flags: ['weapons', 'risk-to-staff'],
  },
  council: {
    facts: 'Three noise complaints logged; a noise abatement notice was served in September.',
    opinion: 'The ASB officer thinks mediation has not worked and enforcement is the next step.',
    risks: 'Continued noise nuisance.',
    flags: [],
  },
  'mental-health': {
    facts: 'Open to the community mental health team since March; two missed appointments in October.',
    opinion: 'The care coordinator thinks the behaviour worsens when medication is not taken.',
    risks: 'Self-neglect; distress when challenged.',
    flags: ['mental-health'],
  },
  housing: {
    facts: 'Tenant since 2019; two tenancy warnings for noise; rent account up to date.',
    opinion: 'The housing officer thinks a tenancy support referral may help.',
    risks: 'Tenancy at risk.',
    flags: [],
  },
};

/**
 * Each demo research answer that holds information gets its research on each subject, as the
 * SafeLives form asks; and the mental-health trust and the housing providers answer one case each
 * on each published agenda, so the chair's research page has several agencies to read. Run after
 * the panels.
 */
export async function seedResearch(db: Db, clock: Clock): Promise<void> {
  const requests = await db
    .selectFrom('researchRequests')
    .innerJoin('agencies', 'agencies.id', 'researchRequests.agencyId')
    .innerJoin('agendaItems', 'agendaItems.id', 'researchRequests.agendaItemId')
    .innerJoin('panels', 'panels.id', 'researchRequests.panelId')
    .select([
      'researchRequests.id',
      'researchRequests.status',
      'researchRequests.panelId',
      'agencies.type',
      'agendaItems.referralId',
      'agendaItems.position',
      (eb) =>
        eb
          .selectFrom('users')
          .select('users.id')
          .whereRef('users.agencyId', '=', 'agencies.id')
          .orderBy('users.id')
          .limit(1)
          .as('answeredBy'),
    ])
    .where('panels.status', '=', 'agenda-published')
    .where('researchRequests.withdrawnAt', 'is', null)
    .orderBy('researchRequests.id')
    .execute();
  const answeredFirst = new Set<string>();
  for (const r of requests) {
    const held = BY_TYPE[r.type];
    if (!held || r.referralId === null) continue;
    const firstOfType = `${r.panelId}:${r.type}`;
    const extra =
      r.status === 'requested' &&
      (r.type === 'mental-health' || r.type === 'housing') &&
      !answeredFirst.has(firstOfType);
    if (r.status !== 'information-held' && !extra) continue;
    answeredFirst.add(firstOfType);
    if (extra) {
      await db
        .updateTable('researchRequests')
        .set({
          status: 'information-held',
          summary: held.facts,
          answeredBy: r.answeredBy,
          answeredAt: clock.now(),
          version: 2,
        })
        .where('id', '=', r.id)
        .execute();
    }
    const subjects = await db
      .selectFrom('referralSubjects')
      .select(['id', 'kind'])
      .where('referralId', '=', r.referralId)
      .orderBy('position')
      .execute();
    if (subjects.length === 0) continue;
    await db
      .insertInto('researchSubjectAnswers')
      .values(
        subjects.map((s) =>
          s.kind === 'perpetrator'
            ? {
                researchRequestId: r.id,
                subjectId: s.id,
                known: 'known' as const,
                factsHeld: held.facts,
                professionalOpinion: held.opinion,
                keyRisks: held.risks,
                childrenInHousehold: 'not-known' as const,
                safeguardingFlags: held.flags,
              }
            : { researchRequestId: r.id, subjectId: s.id, known: 'not-known' as const, safeguardingFlags: [] },
        ),
      )
      .execute();
  }
}
