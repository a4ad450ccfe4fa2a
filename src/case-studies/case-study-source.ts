import type { Db } from '../db/database';
import type { Actor, CurrentUser } from '../http/context';
import { RefusedError } from '../http/errors';
import { activeAgencies } from '../directory/directory.repository';
import { caseSubjects, type ReferralsService } from '../referrals/referrals.service';
import { TRIED_AS_INTERVENTION, triedName } from './case-study-codes';
import type { SourceTerms } from './personal-data';
import * as repo from './case-studies.repository';

const POSTCODE = /\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b/gi;

/** The most frequent of a case's incident types: its ASB problem category. */
function mainCategory(types: (string | null)[]): string {
  const counts = new Map<string, number>();
  for (const t of types) if (t) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}

/**
 * A new study's form filled from a closed case the user can see, without its personal data: the
 * category, district, agencies involved and what was tried. The view of the case is audited.
 */
export async function valuesFromCase(
  db: Db,
  referrals: ReferralsService,
  user: CurrentUser,
  actor: Actor,
  referralId: number,
) {
  const { referral, actions } = await referrals.view(user, actor, referralId);
  if (referral.status !== 'closed') throw new RefusedError({ '': 'A case study starts from a closed case' });
  const agencies = await activeAgencies(db);
  const involved = new Set<number>([referral.referringAgencyId]);
  for (const a of actions) {
    const agency = agencies.find((x) => x.name === a.agencyName);
    if (agency) involved.add(agency.id);
  }
  const interventions = await repo.interventions(db, true);
  const interventionIds: string[] = [];
  const other: string[] = [];
  for (const code of referral.triedActions) {
    const known = interventions.find((i) => i.name === TRIED_AS_INTERVENTION[code]);
    if (known) interventionIds.push(String(known.id));
    else if (code !== 'other') other.push(triedName(code));
  }
  return {
    sourceReferralId: referral.id,
    sourceReference: referral.reference,
    values: {
      sourceReferralId: String(referral.id),
      title: '',
      category: mainCategory(referral.incidents.map((i) => i.type)),
      districtId: referral.districtId === null ? '' : String(referral.districtId),
      agencyIds: [...involved].map(String),
      interventionIds,
      interventionsOther: other.join('; '),
    },
  };
}

/** The names, dates of birth and postcodes of a case's subjects, to warn if a study repeats them. */
export async function sourceTerms(db: Db, referralId: number): Promise<SourceTerms> {
  const subjects = await caseSubjects(db, referralId);
  return {
    names: subjects.filter((s) => s.kind !== 'location').flatMap((s) => (s.fullName ? [s.fullName] : [])),
    datesOfBirth: subjects.flatMap((s) => (s.dateOfBirth ? [s.dateOfBirth] : [])),
    postcodes: subjects.flatMap((s) => [
      ...(s.postcode ? [s.postcode] : []),
      ...((s.address ?? '').match(POSTCODE) ?? []),
    ]),
  };
}
