import type { Page } from 'puppeteer-core';
import { DateTime } from 'luxon';
import type { ParsedMail } from 'mailparser';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Journey, SCREENSHOTS } from './support/browser';
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
afterAll(async () => {
  // The server's log is kept with the screenshots, to read when a step fails.
  if (running) writeFileSync(path.join(SCREENSHOTS, 'server.log'), running.app.output());
  await journey?.close();
  await running?.stop();
});

async function answerRiskQuestions(page: Page, answer: (legend: string) => string) {
  const legends = await page.$$eval('[data-risk-preview] fieldset legend', (ls) =>
    ls.map((l) => l.textContent?.trim() ?? ''),
  );
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
  await journey.fill(
    council,
    'Why are you referring this case?',
    'Repeated intimidation of an older resident by a neighbour; warnings and an acceptable behaviour contract have not worked.',
  );
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
  await journey.fill(
    council,
    'If not, why is the information shared without consent?',
    'Sharing is needed to protect her; consent would put her at risk.',
  );
  await answerRiskQuestions(council, (legend) =>
    /How often/.test(legend) ? '5 times or more' : /impact/.test(legend) ? 'Serious impact' : 'Yes',
  );
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
  await journey.chooseIn(admin, 'Outcome', 'Accept as high risk');
  await journey.click(admin, 'Save the decision');
  expect(await admin.$eval('#status', (el) => el.textContent?.trim())).toBe('Awaiting panel');
  await journey.check(admin, 'referral-accepted');
  await admin.browserContext().close();
  await council.browserContext().close();
});

/** A London calendar date this many days from today, as a GOV.UK date input takes it. */
function daysFromToday(days: number) {
  const d = DateTime.now().setZone('Europe/London').plus({ days });
  return { day: String(d.day), month: String(d.month), year: String(d.year), iso: d.toISODate()! };
}

/** The chair schedules a panel of the City of Lincoln, its core members (the housing provider among them) invited; returns its id. */
async function schedulePanel(chair: Page, date: ReturnType<typeof daysFromToday>, name: string): Promise<number> {
  await journey.goto(chair, '/panels/new');
  await journey.check(chair, `${name}-form`);
  await journey.select(chair, 'District', 'City of Lincoln');
  await journey.press(chair, "Invite the district's core members");
  expect(await chair.$$eval('input[name="agencyIds"]:checked', (els) => els.length)).toBeGreaterThan(3);
  await journey.fillDate(chair, 'Date of the panel', date);
  await journey.fill(chair, 'Venue', 'Committee Room 2, City Hall, Lincoln');
  // The housing provider is a core member: it is ticked with the others.
  expect(
    await chair.$$eval('input[name="agencyIds"]:checked', (els) =>
      els.map((el) => el.closest('.govuk-checkboxes__item')?.textContent ?? ''),
    ),
  ).toEqual(expect.arrayContaining([expect.stringContaining('Fenland Vale Housing Association')]));
  await journey.press(chair, 'Schedule the panel');
  // Another panel of the district in the same fortnight is a clash to confirm, not an error.
  if (await chair.$('#clashes')) {
    await journey.check(chair, `${name}-clashes`);
    await journey.press(chair, 'Schedule it anyway');
  }
  const id = Number(/\/panels\/(\d+)$/.exec(new URL(chair.url()).pathname)?.[1]);
  expect(id).toBeGreaterThan(0);
  await journey.check(chair, name);
  return id;
}

const mailTo = (m: ParsedMail) =>
  [m.to ?? []]
    .flat()
    .map((a) => a.text)
    .join(', ');

/** Waits for the first message the app has sent that matches, for as long as the outbox may take. */
async function mailMatching(
  describe: string,
  match: (m: ParsedMail) => boolean,
  timeoutMs = 30000,
): Promise<ParsedMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = running.smtp.received.find(match);
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(
        `no e-mail ${describe}; received:\n${running.smtp.received.map((m) => `${mailTo(m)}: ${m.subject}`).join('\n')}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

const firstPanelDate = daysFromToday(7);
const nextPanelDate = daysFromToday(14);
let panelId = 0;

test('the chair schedules a panel for the district, builds the agenda with the accepted case and publishes it', async () => {
  expect(referenceNumber).not.toBe('');
  const chair = await journey.signIn('chair@example.org');
  panelId = await schedulePanel(chair, firstPanelDate, 'panel-scheduled');
  await journey.goto(chair, `/panels/${panelId}/agenda`);
  await journey.check(chair, 'agenda-builder-empty');
  await journey.select(chair, 'Case awaiting a panel or under review', referenceNumber);
  await journey.press(chair, 'Add the case');
  expect(await chair.$eval('#agenda', (t) => (t as HTMLElement).innerText)).toContain(referenceNumber);
  await journey.check(chair, 'agenda-builder');
  await journey.press(chair, 'Publish the agenda and tell invitees');
  expect(await journey.text(chair)).toContain('Version 1 is published');
  await journey.check(chair, 'agenda-published');
  await journey.goto(chair, `/panels/${panelId}/agenda/published`);
  expect(await journey.text(chair)).toContain(referenceNumber);
  await journey.check(chair, 'agenda-published-view');
  await chair.browserContext().close();
});

test('the police answer the research request and confirm attendance; LPFT confirms by the link in its e-mail', async () => {
  const police = await journey.signIn('police@example.org');
  await journey.goto(police, '/research');
  await journey.check(police, 'research-list');
  const researchLink = await police.evaluate(
    (ref) =>
      Array.from(document.querySelectorAll('table a'))
        .find((a) => a.textContent?.trim() === ref)
        ?.getAttribute('href') ?? null,
    referenceNumber,
  );
  if (!researchLink) throw new Error(`no research request for ${referenceNumber}:\n${await journey.text(police)}`);
  await journey.goto(police, researchLink);
  await journey.check(police, 'research-answer');
  await journey.chooseIn(police, 'Does your agency hold information', 'Information held');
  await journey.fill(
    police,
    'Summary to share at the meeting',
    'Three calls to the address in the last month; the neighbour was warned under the community protection notice scheme.',
  );
  await journey.press(police, 'Save the answer');
  await journey.goto(police, '/research');
  expect(
    await police.evaluate(
      (ref) =>
        Array.from(document.querySelectorAll('table tr')).find((tr) => tr.textContent?.includes(ref))?.textContent ??
        '',
      referenceNumber,
    ),
  ).toMatch(/Information held/);
  await journey.goto(police, `/panels/${panelId}/attendance`);
  await journey.check(police, 'attendance-answer');
  await journey.chooseIn(police, 'Will your agency attend?', 'Attending');
  await journey.fill(police, 'Who will attend', 'PC Jordan Ellis');
  await journey.chooseIn(police, 'How will they attend?', 'In person');
  await journey.press(police, 'Save answer');
  expect(await police.$eval('#answer-summary', (el) => el.textContent)).toMatch(/Attending/);
  await journey.check(police, 'attendance-answered');
  await police.browserContext().close();

  const invitation = await mailMatching(
    'inviting LPFT with the agenda',
    (m) =>
      mailTo(m).includes('lpft@example.org') &&
      /invitation and agenda/.test(m.subject ?? '') &&
      (m.text ?? '').includes(`/panels/${panelId}/agenda`),
  );
  const link = /We will attend: (\S+\/attend\/\S+)/.exec(invitation.text ?? '')?.[1];
  expect(link).toBeDefined();
  const lpft = await journey.anonymous();
  await journey.goto(lpft, new URL(link!).pathname);
  expect(await journey.text(lpft)).toContain('Lincolnshire Partnership NHS Foundation Trust');
  await journey.check(lpft, 'attend-link');
  await journey.fill(lpft, 'Who will attend', 'Priya Shah');
  await journey.chooseIn(lpft, 'How will they attend?', 'Online');
  await journey.press(lpft, 'Confirm');
  await journey.check(lpft, 'attend-link-done');
  expect(await journey.text(lpft)).toMatch(/recorded|thank/i);
  await lpft.browserContext().close();
});

let actionId = 0;

test('the chair starts the meeting, takes the register (one row by keyboard alone), records the case with an action for the housing provider, and concludes', async () => {
  const chair = await journey.signIn('chair@example.org');
  await journey.goto(chair, `/panels/${panelId}/meeting`);
  await journey.check(chair, 'meeting-overview');
  await journey.press(chair, 'Start the meeting');
  // The journey's panel is a week away: the chair is told why starting early matters, and confirms.
  expect(await chair.$eval('#early-start', (el) => (el as HTMLElement).innerText)).toContain('Start it early only if');
  await journey.check(chair, 'meeting-early-start');
  await journey.press(chair, 'Start the meeting early');
  await journey.check(chair, 'meeting-started');

  await journey.goto(chair, `/panels/${panelId}/register`);
  await journey.check(chair, 'register');
  const rows = await chair.$$eval('#register tbody tr', (trs) =>
    trs.map((tr) => ({
      id: tr.id,
      agency: tr.querySelector('th')?.textContent?.trim() ?? '',
      name: tr.querySelector<HTMLInputElement>('input[name$="[personName]"]')?.value ?? '',
    })),
  );
  const policeRow = rows.find((r) => r.name === 'PC Jordan Ellis');
  const lpftRow = rows.find((r) => r.name === 'Priya Shah');
  expect(policeRow).toBeDefined();
  expect(lpftRow).toBeDefined();
  // The police row by keyboard alone: Tab to its attendance, choose Present with the arrow key, Tab on to the agreement and tick it with Space.
  const statusName = (row: string) => `rows[${row.replace('line-', '')}][status]`;
  const agreedName = (row: string) => `rows[${row.replace('line-', '')}][agreed]`;
  await journey.tabTo(chair, 'the police attendance', (el) => el.name === statusName(policeRow!.id));
  await chair.keyboard.press('ArrowDown');
  await journey.tabTo(chair, 'the police agreement', (el) => el.name === agreedName(policeRow!.id), 5);
  await chair.keyboard.press('Space');
  expect(await chair.$eval(`select[name="${statusName(policeRow!.id)}"]`, (el) => el.value)).toBe('present');
  expect(await chair.$eval(`input[name="${agreedName(policeRow!.id)}"]`, (el) => el.checked)).toBe(true);
  // The other rows with the mouse: LPFT joined online; every other agency sent apologies or was absent.
  for (const row of rows) {
    if (row.id === policeRow!.id) continue;
    const select = `select[name="${statusName(row.id)}"]`;
    if (row.id === lpftRow!.id) {
      await chair.select(select, 'online');
      await chair.locator(`input[name="${agreedName(row.id)}"]`).click();
    } else if (!(await chair.$eval(select, (el) => (el as HTMLSelectElement).value))) {
      await chair.select(select, 'absent');
    }
  }
  await journey.check(chair, 'register-filled');
  await journey.press(chair, 'Save the register');
  expect(await journey.text(chair)).toContain('Every invited agency is on the register');
  await journey.check(chair, 'register-saved');
  // A long register: each agency's rows can be hidden and shown again.
  const policeRowsHidden = () =>
    chair.$$eval('#register tr[data-agency="Police"]', (rows) => rows.map((r) => (r as HTMLElement).hidden));
  await chair.locator('::-p-aria(Hide Police)').click();
  expect(await policeRowsHidden()).not.toContain(false);
  await chair.locator('::-p-aria(Show Police)').click();
  expect(await policeRowsHidden()).not.toContain(true);
  expect((await policeRowsHidden()).length).toBeGreaterThan(0);

  await journey.goto(chair, `/panels/${panelId}/meeting`);
  await journey.follow(chair, referenceNumber);
  await journey.check(chair, 'meeting-item');
  // The chair's natural order: what agencies share and the discussion first, then the actions, then the decision.
  await journey.fillLabelled(
    chair,
    'Fenland Vale Housing Association',
    'The neighbour is a tenant of ours; two earlier warnings on file.',
  );
  const discussion =
    'Risk remains high: the victim is isolated and the behaviour continues at night. Police to keep patrols; housing to act on the tenancy.';
  await journey.fill(chair, 'Risk discussion', discussion);
  await journey.fill(
    chair,
    'What is to be done',
    'Visit Mrs Ellingham with the tenancy officer and fit a door camera; serve a tenancy warning on the neighbour.',
  );
  // Leaving the discussion box saved it as the chair went on typing; leaving the page now would ask first.
  await chair.waitForFunction(
    () => document.querySelector('.app-autosave-status')?.textContent?.includes('Saved automatically'),
    { timeout: 10000 },
  );
  expect(
    await chair.evaluate(() => {
      const leaving = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(leaving);
      return leaving.defaultPrevented;
    }),
  ).toBe(true);
  await journey.select(chair, 'Owning agency', 'Fenland Vale Housing Association');
  await journey.fill(chair, 'Named person (optional)', 'Chris Walker');
  await journey.chooseIn(chair, 'Priority', 'High');
  await journey.press(chair, 'Add the action');
  const agreed = await chair.$eval('#agreed', (t) => (t as HTMLElement).innerText);
  expect(agreed).toContain('Fenland Vale');
  actionId = Number(/^(\d+):/m.exec(agreed.split('\n').slice(1).join('\n'))?.[1]);
  expect(actionId).toBeGreaterThan(0);
  // Adding the action kept what was typed before it.
  expect(await chair.$eval('#discussion', (el) => (el as HTMLTextAreaElement).value)).toBe(discussion);
  await journey.check(chair, 'meeting-item-action');
  await journey.chooseIn(chair, 'Risk level after discussion', 'High');
  await journey.chooseIn(chair, 'Decision', 'Keep open and review at the next panel');
  await journey.fillDate(chair, 'Next review date', nextPanelDate);
  await journey.choose(chair, 'The case has been discussed and the decision agreed');
  await journey.press(chair, 'Save');
  expect(await chair.$eval('#discussed', (el) => (el as HTMLInputElement).checked)).toBe(true);
  await journey.check(chair, 'meeting-item-recorded');

  await journey.goto(chair, `/panels/${panelId}/conclude`);
  await journey.check(chair, 'conclude');
  await journey.press(chair, 'Conclude the meeting');
  await journey.check(chair, 'concluded');
  await journey.goto(chair, `/panels/${panelId}`);
  expect(await journey.text(chair)).toContain('Concluded');
  await chair.browserContext().close();
});

test('the chair approves the minutes; the administrator circulates them and the e-mail arrives with the PDF', async () => {
  const chair = await journey.signIn('chair@example.org');
  await journey.goto(chair, `/panels/${panelId}/minutes`);
  await journey.check(chair, 'minutes-draft');
  expect(await journey.text(chair)).toContain(referenceNumber);
  await journey.press(chair, 'Approve the minutes');
  await journey.check(chair, 'minutes-approved');
  await chair.browserContext().close();

  const admin = await journey.signIn('admin@example.org');
  await journey.goto(admin, `/panels/${panelId}/minutes`);
  await journey.check(admin, 'minutes-admin');
  await journey.click(admin, 'Circulate the minutes');
  await journey.check(admin, 'minutes-circulate');
  const before = running.smtp.received.length;
  await journey.press(admin, 'Send the minutes');
  await journey.check(admin, 'minutes-circulated');
  const minutesMail = await mailMatching(
    'with the minutes to the housing provider',
    (m) =>
      running.smtp.received.indexOf(m) >= before &&
      mailTo(m).includes('housing@example.org') &&
      (m.attachments ?? []).some((a) => a.contentType === 'application/pdf'),
  );
  const pdf = minutesMail.attachments.find((a) => a.contentType === 'application/pdf')!;
  expect(pdf.content.subarray(0, 5).toString()).toBe('%PDF-');
  await journey.goto(admin, `/panels/${panelId}/minutes/deliveries`);
  await journey.check(admin, 'minutes-deliveries');
  await admin.browserContext().close();
});

test('the housing representative reports the action complete with a note', async () => {
  const housing = await journey.signIn('housing@example.org');
  await journey.goto(housing, '/actions');
  await journey.check(housing, 'actions-list');
  await journey.follow(housing, `Action ${actionId}`);
  await journey.check(housing, 'action');
  await journey.fill(
    housing,
    'Progress note',
    'Door camera fitted on 20 November; tenancy warning served on the neighbour the same day.',
  );
  await journey.select(housing, 'Status', 'Completed');
  await journey.press(housing, 'Save');
  expect(await journey.text(housing)).toContain('Door camera fitted');
  await journey.check(housing, 'action-completed');
  await housing.browserContext().close();
});

test("the next panel's agenda for the district proposes the case as a review", async () => {
  const chair = await journey.signIn('chair@example.org');
  const nextId = await schedulePanel(chair, nextPanelDate, 'next-panel-scheduled');
  await journey.goto(chair, `/panels/${nextId}/agenda`);
  await journey.press(chair, 'Propose cases');
  const row = await chair.$$eval(
    '#agenda tbody tr',
    (trs, ref) => trs.map((tr) => (tr as HTMLElement).innerText).find((t) => t.includes(ref)) ?? '',
    referenceNumber,
  );
  expect(row).toContain('Review');
  await journey.check(chair, 'next-agenda');
  await chair.browserContext().close();
});

test('the agenda can be reordered with the keyboard alone', async () => {
  const chair = await journey.signIn('chair@example.org');
  await journey.goto(chair, '/panels?districtId=1');
  const href = await chair.$$eval('table a', (as) =>
    as.map((a) => a.getAttribute('href')).find((h) => /^\/panels\/\d+$/.test(h ?? '')),
  );
  await journey.goto(chair, `${href}/agenda`);
  const order = () => chair.$$eval('#agenda tbody tr', (trs) => trs.map((tr) => tr.id));
  const before = await order();
  expect(before.length).toBeGreaterThan(2);
  await journey.check(chair, 'agenda-reorder');
  await journey.tabTo(chair, 'Down item 1', (el) => el.tag === 'button' && el.text === 'Down item 1');
  await journey.keyToNavigate(chair, 'Enter');
  const moved = await order();
  expect(moved).toEqual([before[1], before[0], ...before.slice(2)]);
  await journey.check(chair, 'agenda-reordered');
  await journey.tabTo(chair, 'Up item 3', (el) => el.tag === 'button' && el.text === 'Up item 3');
  await journey.keyToNavigate(chair, 'Space');
  expect(await order()).toEqual([moved[0], moved[2], moved[1], ...moved.slice(3)]);
  await chair.browserContext().close();
});

test('no page visited has a serious or critical accessibility violation', () => {
  expect(journey.violations).toEqual([]);
});
