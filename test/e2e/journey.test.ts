import type { Page } from 'puppeteer-core';
import { Journey } from './support/browser';
import { startRealApp, type RunningApp } from './support/server';

/**
 * The whole product as its people use it, in a real browser against the real server, by the labels
 * a person reads. Every page visited is kept as a screenshot and checked with axe-core.
 */
let running: RunningApp;
let journey: Journey;
beforeAll(async () => {
  running = await startRealApp();
  journey = new Journey(running.baseUrl);
  await journey.start();
}, 180000);
afterEach(() => {
  const state = expect.getState();
  if (state.assertionCalls > 0 && running) lastOutput = running.app.output().slice(-4000);
});
let lastOutput = '';
afterAll(async () => {
  if (process.env.E2E_DEBUG) console.log(lastOutput);
  await journey?.close();
  await running?.stop();
});

async function answerRiskQuestions(page: Page, answer: (legend: string) => string) {
  const legends = await page.$$eval('[data-risk-preview] fieldset legend', (ls) => ls.map((l) => l.textContent?.trim() ?? ''));
  expect(legends.length).toBeGreaterThan(10);
  for (const legend of legends) await journey.chooseIn(page, legend, answer(legend));
}

test('every demo role signs in and sees who they are', async () => {
  for (const [email, name] of [
    ['admin@example.org', 'Alex Morgan'],
    ['chair@example.org', 'Insp. Sam Hartley'],
    ['police@example.org', 'PC Jordan Ellis'],
    ['lpft@example.org', 'Priya Shah'],
    ['housing@example.org', 'Chris Walker'],
    ['council@example.org', 'Jamie Fox'],
  ]) {
    const page = await journey.signIn(email);
    expect(await journey.text(page)).toContain(`Signed in as ${name}`);
    await journey.check(page, `home-${email.split('@')[0]}`);
    await page.browserContext().close();
  }
});

let referenceNumber = '';

test('a council officer refers a case with a risk assessment, and the co-ordinator accepts it', async () => {
  const council = await journey.signIn('council@example.org');
  await journey.goto(council, '/referrals/new');
  await journey.check(council, 'referral-form');
  await journey.select(council, 'District', 'City of Lincoln');
  await journey.fill(council, 'Why are you referring this case?', 'Repeated intimidation of an older resident by a neighbour; warnings and an acceptable behaviour contract have not worked.');
  await journey.fill(council, 'Name of the referring officer', 'Jamie Fox');
  await journey.fill(council, 'Email address', 'council@example.org');
  await journey.click(council, 'Add another incident');
  await journey.choose(council, 'Victim');
  await journey.fill(council, 'Name', 'Margaret Ellingham');
  await journey.fillDate(council, 'Date of birth (people)', { day: '14', month: '3', year: '1941' });
  await journey.fill(council, 'Address', '12 Brayford Close, Lincoln');
  await journey.fill(council, 'Postcode', 'LN1 3AB');
  await journey.fillDate(council, 'Date of the incident', { day: '2', month: '11', year: '2026' });
  await journey.select(council, 'Type of incident', 'Harassment');
  await journey.fill(council, 'What happened', 'Shouting and banging on the door late at night; bins set alight.');
  await journey.choose(council, 'Acceptable behaviour contract');
  await journey.choose(council, 'I believe the risk is high, whatever the score');
  await journey.fill(council, 'Reasons for your judgement', 'She is isolated and frightened to leave her home.');
  await journey.choose(council, 'Crime and Disorder Act 1998, section 115: preventing crime and disorder');
  await journey.chooseIn(council, 'Has the subject consented', 'No');
  await journey.fill(council, 'If not, why is the information shared without consent?', 'Sharing is needed to protect her; consent would put her at risk.');
  await answerRiskQuestions(council, (legend) => (/How often/.test(legend) ? '5 times or more' : /impact/.test(legend) ? 'Serious impact' : 'Yes'));
  await journey.check(council, 'referral-form-filled');
  await journey.click(council, 'Save and continue');
  const check = await journey.text(council);
  expect(check).toMatch(/high risk/i);
  await journey.check(council, 'referral-check');
  await journey.click(council, 'Submit the referral');
  const submitted = await journey.text(council);
  referenceNumber = /ASB-\d{4}-\d{4}/.exec(submitted)?.[0] ?? '';
  expect(referenceNumber).not.toBe('');
  await journey.check(council, 'referral-submitted');

  const admin = await journey.signIn('admin@example.org');
  await journey.goto(admin, '/referrals?status=submitted');
  await journey.check(admin, 'screening-queue');
  await journey.follow(admin, referenceNumber);
  await journey.check(admin, 'referral-record');
  expect(await journey.text(admin)).toContain('Margaret Ellingham');
});

test('no page visited has a serious or critical accessibility violation', () => {
  expect(journey.violations).toEqual([]);
});
