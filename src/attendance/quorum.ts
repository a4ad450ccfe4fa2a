import { londonDate } from '../time';
import type { AttendanceAnswer } from '../db/schema';
import { workingDaysBefore } from '../panels/working-days';

export interface InvitedAgencyAnswer {
  agencyId: number;
  attendanceRequired: boolean;
  answer: AttendanceAnswer | null;
}

/** The agencies whose attendance is required and who have not said they (or a deputy) will come. */
export function missingForQuorum<T extends InvitedAgencyAnswer>(agencies: readonly T[]): T[] {
  return agencies.filter((a) => a.attendanceRequired && a.answer !== 'attending' && a.answer !== 'deputy');
}

/** Whether reminders (working days skip weekends and bank holidays) for a panel starting at `startsAt` are due on `now`: from three working days before it, until it starts. */
export function reminderDue(startsAt: Date, now: Date, workingDays = 3): boolean {
  if (now >= startsAt) return false;
  return londonDate(now) >= workingDaysBefore(londonDate(startsAt), workingDays);
}
