import type { Db } from '../db/database';
import type { Clock } from '../clock';
import { seedFoundation } from './demo-foundation';
import { seedReferrals } from './demo-referrals';
import { seedPanels } from './demo-panels';
import { seedAttendance } from './demo-attendance';
import { seedMeeting } from './demo-meeting';
import { seedMinutes } from './demo-minutes';
import { seedYouthChecksAndCaseStudies } from './demo-youth-and-case-studies';

/** All demo data, each feature's part in order. Returns false if the database was not empty. */
export async function seedDemoData(db: Db, clock: Clock, password: string, baseUrl: string): Promise<boolean> {
  if (!(await seedFoundation(db, password))) return false;
  await seedReferrals(db, clock, baseUrl);
  // After the referrals: past panels hear the active cases; the next one lists those awaiting.
  await seedPanels(db, clock, baseUrl);
  // After the panels: it answers and registers whatever panels exist.
  await seedAttendance(db);
  // After attendance: records the meetings of the past panels, with their actions.
  await seedMeeting(db, clock);
  // Last: approves the minutes of whatever panels have concluded, and circulates one.
  await seedMinutes(db);
  // Independent of the panels: Future4Me answers youth checks; the case study library.
  await seedYouthChecksAndCaseStudies(db, clock);
  return true;
}
