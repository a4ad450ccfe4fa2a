import type { ServiceDeps } from '../service-deps';
import { recordAudit } from '../audit/audit';
import type { Actor, CurrentUser } from '../http/context';
import { datePartsOf } from '../http/forms';
import { ForbiddenError, RefusedError } from '../http/errors';
import { referralsService } from '../referrals/referrals.service';
import { checkReference } from './due-date';
import * as repo from './youth-checks.repository';
import type { StoredCheck } from './youth-checks.repository';

const UK_POSTCODE = /\b([A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})\b/i;
const yesNo = (v: boolean | null) => (v ? 'yes' : 'no');

/** The answer in one paragraph, to carry into the referral. */
export function answerSummary(check: StoredCheck): string {
  const lead = [check.leadProfessionalName, check.leadProfessionalAgency, check.leadProfessionalContact]
    .filter(Boolean)
    .join(', ');
  return [
    `Youth check ${checkReference(check.id)}: known to youth offending: ${yesNo(check.knownToYouthOffending)}; known to children's services: ${yesNo(check.knownToChildrensServices)}.`,
    lead ? `Lead professional: ${lead}.` : 'No lead professional.',
    check.answerNote ?? '',
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * Makes a draft ASBRAC referral from an answered check, pre-filled with the young person, the
 * concern and the answer, for the requester to complete; a check makes one referral only.
 */
export async function makeReferral(deps: ServiceDeps, user: CurrentUser, actor: Actor, check: StoredCheck) {
  if (check.requestedBy !== user.id) throw new ForbiddenError('Only the officer who asked for the check can refer it');
  if (check.referralId !== null) return check.referralId;
  if (check.status !== 'answered') throw new RefusedError({ '': 'The check has not been answered yet' });
  if (check.clearedAt !== null) throw new RefusedError({ '': 'The check’s personal data has been removed' });
  const referrals = referralsService(deps);
  const { raw, matrix } = await referrals.newForm(user);
  const address = check.address ?? '';
  raw.districtId = String(check.districtId);
  raw.reason = `${check.concern ?? ''}\n\n${answerSummary(check)}`.trim();
  raw.subjects = [
    {
      kind: 'perpetrator',
      fullName: check.youngPersonName ?? '',
      dateOfBirth: datePartsOf(check.dateOfBirth),
      approximateAge: '',
      gender: '',
      address,
      postcode: UK_POSTCODE.exec(address)?.[1].toUpperCase() ?? '',
      description: check.caseReference ? `Agency reference: ${check.caseReference}` : '',
      vulnerabilities: ['age'],
    },
  ];
  const { input, errors } = await referrals.validate(raw, 'draft', matrix.id);
  if (Object.keys(errors).length) throw new RefusedError(errors);
  const referralId = await referrals.createDraft(user, actor, input, matrix);
  await repo.linkReferral(deps.db, check.id, referralId);
  await recordAudit(deps.db, actor, {
    action: 'youth-check.referral',
    entityType: 'youth-check',
    entityId: check.id,
    details: { referralId },
  });
  return referralId;
}
