import type { ServiceDeps } from '../service-deps';
import type { Db } from '../db/database';
import { recordAudit } from '../audit/audit';
import type { Actor, CurrentUser } from '../http/context';
import { ForbiddenError, NotFoundError, RefusedError, StaleVersionError } from '../http/errors';
import { enqueueMail } from '../mail/outbox';
import { activeAgencies, districts } from '../directory/directory.repository';
import { referralsService } from '../referrals/referrals.service';
import { personalDataIn } from './personal-data';
import { TEXT_FIELDS, type Mode, type StudyLists } from './case-study-form';
import { sourceTerms, valuesFromCase } from './case-study-source';
import * as repo from './case-studies.repository';
import type { CaseStudyContent, LibraryFilters, StoredStudy } from './case-studies.repository';

const LIBRARY_LIMIT = 200;
const SIMILAR_LIMIT = 5;

/** The refusal's reason when the only problem is personal data the author may confirm is not there. */
export const PERSONAL_DATA = 'personal-data';

async function lists(db: Db): Promise<StudyLists> {
  return {
    districtIds: (await districts(db)).map((d) => d.id),
    agencyIds: (await activeAgencies(db)).map((a) => a.id),
    interventionIds: (await repo.interventions(db, true)).map((i) => i.id),
  };
}

/** Refuses to submit text holding a source case's personal data unless the author has confirmed it does not. */
async function warnOfPersonalData(
  db: Db,
  sourceReferralId: number | null,
  content: CaseStudyContent,
  confirmed: boolean,
) {
  if (sourceReferralId === null || confirmed) return;
  const texts = Object.fromEntries(TEXT_FIELDS.map((f) => [f, content[f] ?? null]));
  const found = personalDataIn(texts, await sourceTerms(db, sourceReferralId));
  if (Object.keys(found).length) throw new RefusedError(found, PERSONAL_DATA);
}

function canSee(user: CurrentUser, study: StoredStudy): boolean {
  return study.status === 'approved' || study.authorId === user.id || user.role === 'administrator';
}

async function visibleStudy(db: Db, user: CurrentUser, actor: Actor, id: number, action: string) {
  const study = await repo.findStudy(db, id);
  if (!study || !canSee(user, study)) {
    await recordAudit(db, actor, { action, outcome: 'denied', entityType: 'case-study', entityId: id });
    throw new NotFoundError();
  }
  return study;
}

async function create(
  deps: ServiceDeps,
  user: CurrentUser,
  actor: Actor,
  input: { content: CaseStudyContent; sourceReferralId: number | null; confirmed: boolean },
  mode: Mode,
) {
  const { db, clock } = deps;
  // The source must be a closed case this user can see; viewing it for this is audited.
  if (input.sourceReferralId !== null)
    await valuesFromCase(db, referralsService(deps), user, actor, input.sourceReferralId);
  if (mode === 'submit') await warnOfPersonalData(db, input.sourceReferralId, input.content, input.confirmed);
  return db.transaction().execute(async (trx) => {
    const id = await repo.insertStudy(
      trx,
      { ...input.content, authorId: user.id, authorAgencyId: user.agencyId, sourceReferralId: input.sourceReferralId },
      mode === 'submit' ? 'submitted' : 'draft',
      clock.now(),
    );
    await recordAudit(trx, actor, {
      action: mode === 'submit' ? 'case-study.submit' : 'case-study.create',
      entityType: 'case-study',
      entityId: id,
      details: { sourceReferralId: input.sourceReferralId, personalDataConfirmed: input.confirmed },
    });
    return id;
  });
}

async function update(
  { db, clock }: ServiceDeps,
  user: CurrentUser,
  actor: Actor,
  id: number,
  version: number,
  input: { content: CaseStudyContent; confirmed: boolean },
  mode: Mode,
) {
  const study = await visibleStudy(db, user, actor, id, 'case-study.update');
  if (study.authorId !== user.id) throw new ForbiddenError('Only the author changes a case study');
  if (study.status !== 'draft' && study.status !== 'returned')
    throw new RefusedError({ '': 'This case study has been submitted and can no longer be changed' });
  if (mode === 'submit') await warnOfPersonalData(db, study.sourceReferralId, input.content, input.confirmed);
  const status = mode === 'submit' ? 'submitted' : study.status;
  await db.transaction().execute(async (trx) => {
    if (!(await repo.updateStudy(trx, id, version, input.content, status, clock.now()))) throw new StaleVersionError();
    await recordAudit(trx, actor, {
      action: mode === 'submit' ? 'case-study.submit' : 'case-study.update',
      entityType: 'case-study',
      entityId: id,
      details: { personalDataConfirmed: input.confirmed },
    });
  });
}

async function review(
  deps: ServiceDeps,
  actor: Actor,
  id: number,
  version: number,
  decision: { status: 'approved' | 'returned'; reviewComments: string | null },
) {
  const { db, clock } = deps;
  const study = await repo.findStudy(db, id);
  if (!study) throw new NotFoundError();
  if (study.status !== 'submitted') throw new RefusedError({ decision: 'This case study is not waiting for approval' });
  if (decision.status === 'returned' && !decision.reviewComments)
    throw new RefusedError({ reviewComments: 'Enter comments saying what the author should change' });
  await db.transaction().execute(async (trx) => {
    if (!(await repo.review(trx, id, version, decision, actor.userId ?? 0, clock.now()))) throw new StaleVersionError();
    if (study.authorActive)
      await enqueueMail(trx, {
        kind: `case-study-${decision.status}`,
        to: study.authorEmail,
        subject:
          decision.status === 'approved'
            ? 'Your case study has been approved'
            : 'Your case study has been returned with comments',
        text: `${decision.status === 'approved' ? 'Your case study is now in the partnership’s library.' : 'Your case study has been returned with comments.'}\n\nSign in to see it: ${deps.links.baseUrl}/case-studies/${id}\n`,
        entityType: 'case-study',
        entityId: id,
      });
    await recordAudit(trx, actor, {
      action: `case-study.${decision.status === 'approved' ? 'approve' : 'return'}`,
      entityType: 'case-study',
      entityId: id,
    });
  });
  deps.mail.poke();
}

async function similarFor(db: Db, referralId: number) {
  const categories = await repo.caseCategories(db, referralId);
  return { categories, studies: await repo.approvedInCategories(db, categories, SIMILAR_LIMIT) };
}

export function caseStudiesService(deps: ServiceDeps) {
  const { db } = deps;
  const referrals = referralsService(deps);
  return {
    lists: () => lists(db),
    interventions: (activeOnly = true) => repo.interventions(db, activeOnly),
    closedCases: async (user: CurrentUser, actor: Actor) =>
      (await referrals.list(user, actor, { status: 'closed', words: [] }, 'submitted-desc', 1)).rows,
    fromCase: (user: CurrentUser, actor: Actor, referralId: number) =>
      valuesFromCase(db, referrals, user, actor, referralId),
    create: (user: CurrentUser, actor: Actor, input: Parameters<typeof create>[3], mode: Mode) =>
      create(deps, user, actor, input, mode),
    update: (
      user: CurrentUser,
      actor: Actor,
      id: number,
      version: number,
      input: Parameters<typeof update>[5],
      mode: Mode,
    ) => update(deps, user, actor, id, version, input, mode),
    review: (actor: Actor, id: number, version: number, decision: Parameters<typeof review>[4]) =>
      review(deps, actor, id, version, decision),
    view: async (user: CurrentUser, actor: Actor, id: number) => {
      const study = await visibleStudy(db, user, actor, id, 'case-study.view');
      await recordAudit(db, actor, { action: 'case-study.view', entityType: 'case-study', entityId: id });
      return study;
    },
    library: async (actor: Actor, filters: LibraryFilters) => {
      const studies = await repo.library(db, filters, LIBRARY_LIMIT);
      await recordAudit(db, actor, {
        action: 'case-study.search',
        entityType: 'case-study',
        details: {
          filters: Object.keys(filters).filter((k) => filters[k as keyof LibraryFilters] !== undefined),
          results: studies.length,
        },
      });
      return studies;
    },
    mine: (user: CurrentUser) => repo.byAuthor(db, user.id),
    waiting: () => repo.waitingForApproval(db),
    similarFor: (referralId: number) => similarFor(db, referralId),
    addIntervention: async (actor: Actor, name: string) => {
      if (await repo.interventionNameTaken(db, name))
        throw new RefusedError({ name: 'This intervention is already on the list' });
      const id = await repo.insertIntervention(db, name);
      await recordAudit(db, actor, {
        action: 'case-study.intervention.add',
        entityType: 'case-study-intervention',
        entityId: id,
      });
    },
    setInterventionActive: async (actor: Actor, id: number, active: boolean) => {
      if (!(await repo.setInterventionActive(db, id, active))) throw new NotFoundError();
      await recordAudit(db, actor, {
        action: 'case-study.intervention.change',
        entityType: 'case-study-intervention',
        entityId: id,
        details: { active },
      });
    },
  };
}

export type CaseStudiesService = ReturnType<typeof caseStudiesService>;
