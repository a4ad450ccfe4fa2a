import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Journey, SCREENSHOTS } from './support/browser';
import { startRealApp, type RunningApp } from './support/server';

/**
 * Research by subject, the chair's research page and the single point of contact's month view, in a
 * real browser against the real server with its demo data; each page checked with axe-core at
 * 1280 px and 390 px, and for width on a phone.
 */
let running: RunningApp;
let journey: Journey;
beforeAll(async () => {
  running = await startRealApp();
  journey = new Journey(running.baseUrl);
  await journey.start();
}, 180000);
afterAll(async () => {
  if (running) writeFileSync(path.join(SCREENSHOTS, 'research-and-month-server.log'), running.app.output());
  await journey?.close();
  await running?.stop();
});

test("LPFT researches a case subject by subject, and the chair reads every agency's research for it on one page", async () => {
  const lpft = await journey.signIn('lpft@example.org');
  await journey.goto(lpft, '/research');
  await journey.check(lpft, 'rm-research-list');
  const found = await lpft.evaluate(() => {
    for (const row of Array.from(document.querySelectorAll('table tr'))) {
      if (!row.textContent?.includes('Not answered')) continue;
      const link = row.querySelector('a');
      // The panel's heading is the last one before the row.
      const heading = Array.from(document.querySelectorAll('h2 a[href^="/panels/"]'))
        .filter((h) => h.compareDocumentPosition(row) & Node.DOCUMENT_POSITION_FOLLOWING)
        .at(-1);
      return {
        href: link?.getAttribute('href'),
        reference: link?.textContent?.trim(),
        panel: heading?.getAttribute('href'),
      };
    }
    return null;
  });
  if (!found?.href || !found.panel) throw new Error(`no unanswered request:\n${await journey.text(lpft)}`);
  await journey.goto(lpft, found.href);
  await journey.check(lpft, 'rm-research-answer');
  await journey.chooseIn(lpft, 'Does your agency hold information', 'Information held');
  await journey.fill(lpft, 'Summary to share at the meeting', 'Open to the crisis team; seen twice this month.');
  await journey.chooseIn(lpft, 'Is this subject known to your agency?', 'Known to my agency');
  await journey.fill(lpft, 'Facts held', 'Seen by the crisis team on 3 and 17 November.');
  await journey.fill(lpft, 'Professional opinion', 'The crisis team thinks the risk rises at night.');
  await journey.press(lpft, 'Save the answer');
  expect(await journey.text(lpft)).toContain('Your research has been recorded');

  const chair = await journey.signIn('chair@example.org');
  await journey.goto(chair, `${found.panel}/research`);
  await journey.check(chair, 'rm-chair-research');
  const page = await journey.text(chair);
  expect(page).toContain(found.reference);
  expect(page).toContain('Seen by the crisis team on 3 and 17 November.');
  expect(page).toContain('The crisis team thinks the risk rises at night.');
  for (const p of [lpft, chair]) await p.browserContext().close();
});

test('the single point of contact answers the next six weeks on one page', async () => {
  const lpft = await journey.signIn('lpft@example.org');
  await journey.goto(lpft, '/attendance');
  await journey.follow(lpft, 'Answer the next six weeks');
  await journey.check(lpft, 'rm-month');
  await journey.chooseIn(lpft, 'Will your agency attend?', 'Attending');
  await lpft.locator('.app-month-panel details summary').click();
  await journey.fill(lpft, 'If attending: who will attend', 'Dr Sam Okafor');
  await journey.chooseIn(lpft, 'How will they attend?', 'In person');
  await journey.press(lpft, 'Save all answers');
  const saved = await journey.text(lpft);
  expect(saved).toMatch(/Answers saved for \d+ panels?/);
  expect(saved).toContain('Attending in person: Dr Sam Okafor');
  await journey.check(lpft, 'rm-month-saved');
  await lpft.browserContext().close();
});

test('no page visited has a serious or critical accessibility violation', () => {
  expect(journey.violations).toEqual([]);
});
