import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Journey, SCREENSHOTS } from './support/browser';
import { startRealApp, type RunningApp } from './support/server';

/**
 * The young-person check and the case study toolkit in a real browser against the real server with
 * its demo data, by the labels a person reads; every page is checked with axe-core.
 */
let running: RunningApp;
let journey: Journey;
beforeAll(async () => {
  running = await startRealApp();
  journey = new Journey(running.baseUrl);
  await journey.start();
}, 180000);
afterAll(async () => {
  if (running) writeFileSync(path.join(SCREENSHOTS, 'youth-and-case-studies-server.log'), running.app.output());
  await journey?.close();
  await running?.stop();
});

test('a council officer asks for a youth check, Future4Me answers it, and the officer turns it into a referral', async () => {
  const council = await journey.signIn('council@example.org');
  await journey.follow(council, 'Youth checks');
  await journey.click(council, 'Ask for a youth check');
  await journey.fill(council, "Young person's full name", 'Riley Stanton');
  await journey.fillDate(council, 'Date of birth', { day: '5', month: '6', year: '2012' });
  await journey.fill(council, 'Address', '9 Carholme Road, Lincoln LN1 1RT');
  await journey.fill(council, 'The ASB concern, in one sentence', 'Climbing on garage roofs and throwing tiles.');
  await journey.click(council, 'Ask for the check');
  const asked = await journey.text(council);
  const reference = /YC-\d{5}/.exec(asked)?.[0] ?? '';
  expect(reference).not.toBe('');
  expect(asked).toContain('Waiting for an answer');
  await journey.check(council, 'yc-youth-check-asked');

  const yot = await journey.signIn('yot@example.org');
  await journey.goto(yot, '/youth-checks');
  await journey.check(yot, 'yc-youth-check-list');
  await journey.follow(yot, reference);
  await journey.chooseIn(yot, 'Known to youth offending?', 'No');
  await journey.chooseIn(yot, "Known to children's services?", 'Yes');
  await journey.click(yot, 'Send the answer');
  expect(await journey.text(yot)).toContain('Enter the lead professional’s name');
  await journey.check(yot, 'yc-youth-check-answer-refused');
  await journey.fill(yot, "Lead professional's name", 'Rowan Pike');
  await journey.fill(yot, "Lead professional's agency", "Children's Services");
  await journey.fill(yot, "Lead professional's contact details", 'rowan.pike@example.org');
  await journey.click(yot, 'Send the answer');
  expect(await journey.text(yot)).toContain(`Youth check ${reference} answered`);

  await journey.goto(council, '/youth-checks');
  await journey.follow(council, reference);
  expect(await journey.text(council)).toContain('Rowan Pike');
  await journey.check(council, 'yc-youth-check-answered');
  await journey.click(council, 'Make an ASBRAC referral from this check');
  expect(await council.$eval('input[name="subjects[0][fullName]"]', (el) => el.value)).toBe('Riley Stanton');
  await journey.check(council, 'yc-referral-from-check');
  await council.browserContext().close();
  await yot.browserContext().close();
});

test('a housing officer writes a case study, the co-ordinator approves it, and the police find it in the library', async () => {
  const housing = await journey.signIn('housing@example.org');
  await journey.goto(housing, '/case-studies');
  await journey.click(housing, 'Write a case study');
  await journey.check(housing, 'yc-case-study-start');
  await journey.follow(housing, 'Start from a blank template');
  await journey.fill(housing, 'Title', 'Drug dealing from a flat in a tower block');
  await journey.select(housing, 'ASB problem category', 'Drug dealing or use');
  await journey.select(housing, 'Type of place', 'Block of flats');
  await journey.select(housing, 'District', 'City of Lincoln');
  await journey.chooseIn(housing, 'Agencies involved', 'Fenland Vale Housing Association');
  await journey.chooseIn(housing, 'Agencies involved', 'Lincolnshire Police');
  await journey.chooseIn(housing, 'Interventions', 'Closure order');
  await journey.fill(housing, 'What worked', 'A partial closure order with support for the tenant.');
  await journey.fill(housing, 'What did not work', 'Warnings to visitors.');
  await journey.fill(housing, 'Barriers', 'Gathering evidence that would stand in court.');
  await journey.chooseIn(housing, 'Outcome', 'Worked');
  await journey.check(housing, 'yc-case-study-form');
  await journey.click(housing, 'Submit for approval');
  expect(await journey.text(housing)).toContain('Waiting for approval');

  const admin = await journey.signIn('admin@example.org');
  await journey.goto(admin, '/case-studies');
  await journey.follow(admin, 'Drug dealing from a flat in a tower block');
  await journey.chooseIn(admin, 'Decision', 'Approve: add it to the library');
  await journey.click(admin, 'Save the decision');
  expect(await journey.text(admin)).toContain('Approved: in the library');

  const police = await journey.signIn('police@example.org');
  await journey.goto(police, '/case-studies');
  await journey.select(police, 'ASB problem', 'Drug dealing or use');
  await journey.select(police, 'Outcome', 'Worked');
  await journey.click(police, 'Search');
  const results = await journey.text(police);
  expect(results).toContain('1 case study matches.');
  expect(results).toContain('Drug dealing from a flat in a tower block');
  await journey.check(police, 'yc-case-study-library');
  for (const page of [housing, admin, police]) await page.browserContext().close();
});

test('no page visited has a serious or critical accessibility violation', () => {
  expect(journey.violations).toEqual([]);
});
