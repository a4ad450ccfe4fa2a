import { DateTime } from 'luxon';
import { isWorkingDay } from '../panels/working-days';

/** The working day `count` working days after `date` (count ≥ 1): when a youth check's answer is due. */
export function workingDaysAfter(date: string, count: number): string {
  let dt = DateTime.fromISO(date, { zone: 'UTC' });
  let left = count;
  while (left > 0) {
    dt = dt.plus({ days: 1 });
    if (isWorkingDay(dt.toISODate() as string)) left -= 1;
  }
  return dt.toISODate() as string;
}

/** A check's reference, as requesters and the first point of contact quote it: YC-00042. */
export function checkReference(id: number): string {
  return `YC-${String(id).padStart(5, '0')}`;
}

/** Agencies whose officers ask for checks: district ASB teams, the police and housing providers. */
export const REQUESTING_AGENCY_TYPES: readonly string[] = ['council', 'police', 'housing'];
