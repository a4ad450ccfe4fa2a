import { londonDate, londonDateTime, londonTime, TIME_OF_DAY } from '../time';
import { checkDate, dateParts, datePartsOf, flattenValues, parseId, str, strList } from '../http/forms';
import { defaultResearchClosingDate } from './working-days';

/** What a panel form holds once checked; the service still checks the chair and agencies exist. */
export interface PanelInput {
  districtId: number;
  date: string;
  startsAt: Date;
  endsAt: Date;
  venue: string | null;
  onlineLink: string | null;
  chairUserId: number;
  researchClosesOn: string;
  agencyIds: number[];
}

export interface TimesInput {
  startTime: string;
  endTime: string;
  venue: string | null;
  onlineLink: string | null;
  chairUserId: number;
}

/** Time, place and chair: shared by a single panel and a series. */
export function checkTimesAndPlace(body: Record<string, unknown>, errors: Record<string, string>): TimesInput | null {
  const startTime = str(body.startTime).trim();
  const endTime = str(body.endTime).trim();
  if (!startTime) errors.startTime = 'Enter a start time';
  else if (!TIME_OF_DAY.test(startTime)) errors.startTime = 'Enter the start time as hours and minutes, like 10:00';
  if (!endTime) errors.endTime = 'Enter an end time';
  else if (!TIME_OF_DAY.test(endTime)) errors.endTime = 'Enter the end time as hours and minutes, like 12:30';
  if (!errors.startTime && !errors.endTime) {
    const minutes = (t: string) => {
      const m = TIME_OF_DAY.exec(t) as RegExpExecArray;
      return Number(m[1]) * 60 + Number(m[2]);
    };
    if (minutes(endTime) <= minutes(startTime)) errors.endTime = 'The end time must be after the start time';
  }
  const venue = str(body.venue).trim();
  const onlineLink = str(body.onlineLink).trim();
  if (venue.length > 300) errors.venue = 'The venue must be 300 characters or fewer';
  else if (/[\r\n]/.test(venue)) errors.venue = 'The venue must be on one line';
  // new URL() silently drops line breaks and tabs, so they are refused here, with spaces, before it.
  if (/\s/.test(onlineLink))
    errors.onlineLink = 'The online meeting link must be one web address, on one line, with no spaces';
  else if (onlineLink) {
    let ok = onlineLink.length <= 500;
    try {
      ok = ok && new URL(onlineLink).protocol === 'https:';
    } catch {
      ok = false;
    }
    if (!ok) errors.onlineLink = 'Enter the online meeting link as a full web address starting https://';
  }
  if (!venue && !onlineLink && !errors.venue) errors.venue = 'Enter a venue, an online meeting link, or both';
  const chairUserId = parseId(body.chairUserId);
  if (chairUserId === null) errors.chairUserId = 'Select the chair';
  if (errors.startTime || errors.endTime || errors.venue || errors.onlineLink || chairUserId === null) return null;
  return { startTime, endTime, venue: venue || null, onlineLink: onlineLink || null, chairUserId };
}

/** Checks a panel form. `today` is the London date; a new or moved panel cannot be in the past. */
export function checkPanelForm(
  body: Record<string, unknown>,
  today: string,
): { input: PanelInput | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const districtId = parseId(body.districtId);
  if (districtId === null) errors.districtId = 'Select the district';
  const date = checkDate(dateParts(body.date), 'the date of the panel', {
    earliest: '2000-01-01',
    latest: '2100-12-31',
  });
  let panelDate: string | null = null;
  if (date.empty) errors.date = 'Enter the date of the panel';
  else if ('error' in date) errors.date = date.error;
  else if (date.value < today) errors.date = 'The date of the panel must be today or in the future';
  else panelDate = date.value;
  const times = checkTimesAndPlace(body, errors);
  let researchClosesOn: string | null = null;
  const closes = checkDate(dateParts(body.researchClosesOn), 'the research closing date', {
    earliest: '2000-01-01',
    latest: '2100-12-31',
  });
  if (closes.empty) researchClosesOn = panelDate ? defaultResearchClosingDate(panelDate) : null;
  else if ('error' in closes) errors.researchClosesOn = closes.error;
  else if (panelDate && closes.value >= panelDate)
    errors.researchClosesOn = 'The research closing date must be before the date of the panel';
  else researchClosesOn = closes.value;
  const agencyIds = [
    ...new Set(
      strList(body.agencyIds)
        .map(parseId)
        .filter((id) => id !== null),
    ),
  ];
  if (agencyIds.length === 0) errors.agencyIds = 'Select at least one agency to invite';
  if (Object.keys(errors).length || !districtId || !panelDate || !times || !researchClosesOn)
    return { input: null, errors };
  return {
    input: {
      districtId,
      date: panelDate,
      startsAt: londonDateTime(panelDate, times.startTime),
      endsAt: londonDateTime(panelDate, times.endTime),
      venue: times.venue,
      onlineLink: times.onlineLink,
      chairUserId: times.chairUserId,
      researchClosesOn,
      agencyIds,
    },
    errors,
  };
}

/**
 * Everything typed in a panel form, by the names the browser sent (`date[day]`, …), to show the
 * form again; `addAgencyIds` are ticked as well as those already ticked.
 */
export function typedPanelValues(body: Record<string, unknown>, addAgencyIds: number[] = []): Record<string, unknown> {
  const agencyIds = [...new Set([...strList(body.agencyIds), ...addAgencyIds.map(String)])];
  return { ...flattenValues(body), agencyIds };
}

/** The form's values for an existing panel. */
export function panelFormValues(
  panel: {
    districtId: number;
    startsAt: Date;
    endsAt: Date;
    venue: string | null;
    onlineLink: string | null;
    chairUserId: number;
    researchClosesOn: string;
    version: number;
  },
  agencyIds: number[],
) {
  const date = datePartsOf(londonDate(panel.startsAt));
  const closes = datePartsOf(panel.researchClosesOn);
  return {
    districtId: String(panel.districtId),
    'date[day]': date.day,
    'date[month]': date.month,
    'date[year]': date.year,
    startTime: londonTime(panel.startsAt),
    endTime: londonTime(panel.endsAt),
    venue: panel.venue ?? '',
    onlineLink: panel.onlineLink ?? '',
    chairUserId: String(panel.chairUserId),
    'researchClosesOn[day]': closes.day,
    'researchClosesOn[month]': closes.month,
    'researchClosesOn[year]': closes.year,
    agencyIds: agencyIds.map(String),
    version: String(panel.version),
  };
}
