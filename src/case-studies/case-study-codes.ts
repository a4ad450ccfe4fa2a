import { INCIDENT_TYPE_NAMES, TRIED_ACTION_NAMES } from '../referrals/referral-codes';
import type { CaseStudyStatus } from '../db/schema';

/** The ASB problem categories are the referral's incident types, so a case finds studies of its own kind. */
export const CATEGORY_NAMES: Record<string, string> = INCIDENT_TYPE_NAMES;
export const CATEGORIES = Object.keys(CATEGORY_NAMES);

export const PLACE_TYPE_NAMES: Record<string, string> = {
  'residential-street': 'Residential street or estate',
  'block-of-flats': 'Block of flats',
  'park-or-open-space': 'Park or open space',
  'town-centre': 'Town or city centre',
  'shop-or-business': 'Shop or business premises',
  'school-area': 'Around a school or college',
  'public-transport': 'Bus or railway station, public transport',
  rural: 'Rural area or village',
  other: 'Another kind of place',
};
export const PLACE_TYPES = Object.keys(PLACE_TYPE_NAMES);

export const OUTCOME_NAMES: Record<string, string> = {
  worked: 'Worked',
  promising: 'Promising',
  'did-not-work': 'Did not work',
};
export const OUTCOMES = Object.keys(OUTCOME_NAMES);
export const OUTCOME_TAGS: Record<string, string> = {
  worked: 'govuk-tag--green',
  promising: 'govuk-tag--yellow',
  'did-not-work': 'govuk-tag--red',
};

export const STATUS_NAMES: Record<CaseStudyStatus, string> = {
  draft: 'Draft',
  submitted: 'Waiting for approval',
  returned: 'Returned with comments',
  approved: 'Approved: in the library',
};

/** What a referral's "what has been tried" becomes in a case study: an intervention of the list, by name, or free text. */
export const TRIED_AS_INTERVENTION: Record<string, string> = {
  warning: 'Warning letter',
  abc: 'Acceptable behaviour contract',
  injunction: 'Injunction',
};

export const triedName = (code: string) => (TRIED_ACTION_NAMES as Record<string, string>)[code] ?? code;
