import type { Request, Response } from 'express';
import type { Services } from '../services';
import { actorOf, currentUser } from '../http/context';
import { formState } from '../http/forms';
import { today } from '../time';
import { casePlanView } from './case-plan';
import { SCREENING_OUTCOMES, SCREENING_OUTCOME_NAMES, STATUS_NAMES } from './referral-codes';
import { eventView, recordView } from './referral-view';

const SCREENING_ITEMS = SCREENING_OUTCOMES.map((value) => ({
  value,
  text: SCREENING_OUTCOME_NAMES[value],
  hint:
    value === 'accept'
      ? 'The case will wait for the next panel of its district.'
      : value === 'reject'
        ? 'Explain why, and what the referrer could do instead.'
        : 'Say what you need. The referrer can update the referral and submit it again.',
}));

/** The case record, with the screening forms for the coordinator while it waits for screening. */
export async function renderRecord(
  services: Services,
  req: Request,
  res: Response,
  id: number,
  extra: {
    screeningForm?: ReturnType<typeof formState>;
    mergeForm?: ReturnType<typeof formState>;
    moveForm?: ReturnType<typeof formState>;
    httpStatus?: number;
  } = {},
) {
  const user = currentUser(req);
  const {
    referral,
    matrix,
    caseLinks,
    possibleDuplicates,
    mergedInto,
    mergedReferrals,
    events,
    hearings,
    actions,
    editable,
  } = await services.referrals.view(user, actorOf(req), id);
  const canScreen = (user.role === 'administrator' || user.role === 'chair') && referral.status === 'submitted';
  // Screening shows approved case studies of the same kind of problem.
  if (canScreen) res.locals.similar = await services.caseStudies.similarFor(referral.id);
  const reviews = await services.actions.latestReviews(actions.map((a) => a.id));
  res.status(extra.httpStatus ?? 200).render('referrals/record', {
    title: referral.reference ? `Referral ${referral.reference}` : 'Draft referral',
    backLink: '/referrals',
    referral,
    view: recordView({ referral, matrix }, today(services.clock)),
    caseLinks,
    possibleDuplicates,
    mergedInto,
    mergedReferrals,
    districtItems: canScreen
      ? (await services.referrals.districts())
          .filter((d) => d.id !== referral.districtId)
          .map((d) => ({ value: d.id, text: d.name }))
      : [],
    mergeForm: extra.mergeForm ?? formState(),
    moveForm: extra.moveForm ?? formState(),
    statusNames: STATUS_NAMES,
    events: events.map(eventView),
    plan: casePlanView(hearings, actions, reviews, today(services.clock)),
    editable,
    canScreen,
    canDiscard: editable && referral.status === 'draft',
    screeningItems: SCREENING_ITEMS,
    form: extra.screeningForm ?? formState(),
    // The error summary at the top lists the problems of whichever screening form was sent.
    summaryForm: extra.screeningForm ?? extra.mergeForm ?? extra.moveForm ?? formState(),
  });
}
