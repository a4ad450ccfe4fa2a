import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn } from '../support/http';
import { postFields } from '../security/payloads';
import { agencyId, answerOf, auditOf, cliniciansOf, makePanel } from './attendance-builders';
import { makeReferral } from './referrals-builders';

/*
 * The single point of contact's month view: every panel the agency is invited to, in every
 * district, answered in one go (attendance and the clinicians for each case), saved together.
 */

let ctx: TestContext;
let lincoln: number;
let boston: number;
let notInvited: number;
let august: number;
let lincolnItem: number;
let bostonItem: number;

async function addCase(panelId: number): Promise<number> {
  const referral = await makeReferral(ctx, DEMO.police);
  const item = await ctx.db
    .insertInto('agendaItems')
    .values({ panelId, position: 1, kind: 'new', referralId: referral.id, minutesAllotted: 20 })
    .returning('id')
    .executeTakeFirstOrThrow();
  return item.id;
}

beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-06-01T09:00:00Z' });
  lincoln = await makePanel(ctx, { startsAt: '2026-06-10T09:00:00Z', agencies: ['Police', 'LPFT'] });
  boston = await makePanel(ctx, { district: 'Boston', startsAt: '2026-06-24T09:00:00Z', agencies: ['LPFT', 'BBC'] });
  notInvited = await makePanel(ctx, {
    district: 'South Kesteven',
    startsAt: '2026-06-17T09:00:00Z',
    agencies: ['Police'],
  });
  august = await makePanel(ctx, { district: 'Boston', startsAt: '2026-08-05T09:00:00Z', agencies: ['LPFT'] });
  lincolnItem = await addCase(lincoln);
  bostonItem = await addCase(boston);
});
afterAll(() => ctx.close());

const p = (panelId: number, field: string) => `panels[p-${panelId}][${field}]`;
const item = (panelId: number, itemId: number, field: string) =>
  `panels[p-${panelId}][items][item-${itemId}][${field}]`;

function everyPanel(): Record<string, string> {
  return {
    [p(lincoln, 'answer')]: 'attending',
    [p(lincoln, 'attendees')]: 'Dr Sam Okafor\nJo Patel',
    [p(lincoln, 'mode')]: 'in-person',
    [p(lincoln, 'version')]: '',
    [item(lincoln, lincolnItem, 'attending')]: 'yes',
    [item(lincoln, lincolnItem, 'name')]: 'Dr Robin Marsh',
    [p(boston, 'answer')]: 'apologies',
    [p(boston, 'apologyReason')]: 'Team training day',
    [p(boston, 'informationInAdvance')]: 'yes',
    [p(boston, 'version')]: '',
    [item(boston, bostonItem, 'attending')]: 'no',
    [item(boston, bostonItem, 'name')]: '',
  };
}

describe('the month view', () => {
  test('when the single point of contact opens the month view, then every panel the agency is invited to in the next six weeks, in every district, is listed with its cases', async () => {
    const spoc = await signIn(ctx, DEMO.lpft);
    const page = await spoc.get('/attendance/month');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`id="panel-${lincoln}"`);
    expect(page.text).toContain(`id="panel-${boston}"`);
    expect(page.text).not.toContain(`id="panel-${notInvited}"`);
    expect(page.text).not.toContain(`id="panel-${august}"`);
    expect(page.text).toContain(`name="${item(lincoln, lincolnItem, 'attending')}"`);
    expect(page.text).toContain(`name="${item(boston, bostonItem, 'name')}"`);
    expect(page.text).toContain('City of Lincoln');
    expect(page.text).toContain('Boston');
    const audit = await auditOf(ctx, 'attendance.month');
    expect(audit.at(-1)?.details).toEqual({ panels: [lincoln, boston] });
  });

  test('when the single point of contact chooses a month, then that month’s panels are listed', async () => {
    const spoc = await signIn(ctx, DEMO.lpft);
    const page = await spoc.get('/attendance/month?month=2026-08');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`id="panel-${august}"`);
    expect(page.text).not.toContain(`id="panel-${lincoln}"`);
  });

  test('when one typed answer is incomplete, then nothing is saved and the message is shown by the field with everything typed kept', async () => {
    const spoc = await signIn(ctx, DEMO.lpft);
    const res = await postFields(spoc, '/attendance/month', { ...everyPanel(), [p(boston, 'apologyReason')]: '' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Enter the reason for apologies');
    expect(res.text).toContain('Dr Robin Marsh');
    expect(res.text).toMatch(/Dr Sam Okafor\r?\nJo Patel<\/textarea>/);
    expect(await answerOf(ctx, lincoln, 'LPFT')).toBeUndefined();
    expect(await cliniciansOf(ctx, lincolnItem)).toEqual([]);
  });

  test('when another answer was saved for one panel meanwhile, then nothing is saved, that panel is named, and everything typed is kept', async () => {
    const spoc = await signIn(ctx, DEMO.lpft);
    await ctx.db
      .insertInto('attendanceResponses')
      .values({
        panelId: boston,
        agencyId: await agencyId(ctx, 'LPFT'),
        answer: 'deputy',
        attendees: '[]',
        mode: 'online',
        deputyName: 'Alex Deputy',
        deputyRole: 'Team leader',
        answeredVia: 'signed-in',
        answeredAt: new Date('2026-06-01T09:00:00Z'),
      })
      .execute();
    try {
      const res = await postFields(spoc, '/attendance/month', everyPanel());
      expect(res.status).toBe(409);
      expect(res.text).toContain('Nothing was saved');
      expect(res.text).toContain(`href="#panel-${boston}"`);
      expect(res.text).toContain('Dr Robin Marsh');
      expect(res.text).toContain('Team training day');
      expect(await answerOf(ctx, lincoln, 'LPFT')).toBeUndefined();
      expect(await cliniciansOf(ctx, lincolnItem)).toEqual([]);
    } finally {
      await ctx.db.deleteFrom('attendanceResponses').where('panelId', '=', boston).execute();
    }
  });

  test('when the single point of contact answers every panel and names the clinicians in one go, then all are saved together and audited', async () => {
    const spoc = await signIn(ctx, DEMO.lpft);
    const res = await postFields(spoc, '/attendance/month', everyPanel());
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/attendance/month');
    expect(await answerOf(ctx, lincoln, 'LPFT')).toMatchObject({
      answer: 'attending',
      attendees: [{ name: 'Dr Sam Okafor' }, { name: 'Jo Patel' }],
      mode: 'in-person',
      version: 1,
    });
    expect(await answerOf(ctx, boston, 'LPFT')).toMatchObject({
      answer: 'apologies',
      apologyReason: 'Team training day',
      informationInAdvance: true,
    });
    expect(await cliniciansOf(ctx, lincolnItem)).toEqual([{ attending: true, clinicianName: 'Dr Robin Marsh' }]);
    expect(await cliniciansOf(ctx, bostonItem)).toEqual([{ attending: false, clinicianName: null }]);
    expect((await auditOf(ctx, 'attendance.answer', lincoln)).length).toBe(1);
    expect((await auditOf(ctx, 'attendance.clinicians', boston)).length).toBe(1);
    const page = await spoc.get('/attendance/month');
    expect(page.text).toContain('Attending in person: Dr Sam Okafor, Jo Patel');
    expect(page.text).toMatch(new RegExp(`name="panels\\[p-${lincoln}\\]\\[version\\]" value="1"`));
  });

  test('when the single point of contact saves the month again without changing anything, then nothing is saved again', async () => {
    const spoc = await signIn(ctx, DEMO.lpft);
    const before =
      (await auditOf(ctx, 'attendance.answer')).length + (await auditOf(ctx, 'attendance.clinicians')).length;
    const res = await postFields(spoc, '/attendance/month', {
      ...everyPanel(),
      [p(lincoln, 'version')]: '1',
      [p(boston, 'version')]: '1',
    });
    expect(res.status).toBe(303);
    const after =
      (await auditOf(ctx, 'attendance.answer')).length + (await auditOf(ctx, 'attendance.clinicians')).length;
    expect(after).toBe(before);
    expect(await answerOf(ctx, lincoln, 'LPFT')).toMatchObject({ version: 1 });
  });

  test('when the month form is tampered with, then the answer is a clear refusal and nothing is saved', async () => {
    const spoc = await signIn(ctx, DEMO.lpft);
    const before = await answerOf(ctx, lincoln, 'LPFT');
    const cases: [Record<string, string | string[]>, number, string][] = [
      // Panels that are not objects are read as left unanswered.
      [{ panels: 'nonsense' }, 303, ''],
      [{ [`panels[p-${lincoln}]`]: ['a', 'b'] }, 303, ''],
      [
        { [p(lincoln, 'answer')]: 'maybe', [p(lincoln, 'version')]: '1' },
        400,
        'Select whether your agency is attending',
      ],
      [{ [`panels[p-${lincoln}][items]`]: 'x' }, 400, 'Reload the page and try again'],
      [
        {
          [p(lincoln, 'answer')]: 'apologies',
          [p(lincoln, 'apologyReason')]: 'Leave',
          [p(lincoln, 'informationInAdvance')]: 'no',
          [p(lincoln, 'version')]: 'abc',
        },
        409,
        'Nothing was saved',
      ],
    ];
    for (const [fields, status, message] of cases) {
      const res = await postFields(spoc, '/attendance/month', fields);
      expect({ status: res.status, message: res.text.includes(message) }).toEqual({ status, message: true });
    }
    expect(await answerOf(ctx, lincoln, 'LPFT')).toEqual(before);
  });

  test('when a representative who is not the single point of contact answers, then the answer is saved and no clinician is named', async () => {
    const police = await signIn(ctx, DEMO.police);
    const page = await police.get('/attendance/month');
    expect(page.text).toContain(`id="panel-${lincoln}"`);
    expect(page.text).not.toContain('Clinicians for each case');
    const res = await postFields(police, '/attendance/month', {
      [p(lincoln, 'answer')]: 'deputy',
      [p(lincoln, 'deputyName')]: 'PC Lee Grant',
      [p(lincoln, 'deputyRole')]: 'Neighbourhood officer',
      [p(lincoln, 'deputyMode')]: 'online',
      [p(lincoln, 'version')]: '',
      [item(lincoln, lincolnItem, 'attending')]: 'yes',
      [item(lincoln, lincolnItem, 'name')]: 'Not a clinician',
    });
    expect(res.status).toBe(303);
    expect(await answerOf(ctx, lincoln, 'Police')).toMatchObject({ answer: 'deputy', deputyName: 'PC Lee Grant' });
    expect(await cliniciansOf(ctx, lincolnItem)).toEqual([{ attending: true, clinicianName: 'Dr Robin Marsh' }]);
  });
});
