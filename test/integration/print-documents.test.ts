import { seedReferrals } from '../../src/seed/demo-referrals';
import { seedPanels } from '../../src/seed/demo-panels';
import { seedAttendance } from '../../src/seed/demo-attendance';
import { seedMeeting } from '../../src/seed/demo-meeting';
import { seedMinutes } from '../../src/seed/demo-minutes';
import { createTestContext, type TestContext } from '../support/context';
import { DEMO, signIn, type Agent } from '../support/http';
import { outlineTitles, pagesToPng, pdfInfo, pdfLayoutPages, pdfOutline } from '../support/pdf';

// The three documents the partnership prints, made from the demo data as the chair downloads them:
// every page kept as a PNG for people to look at, and their print design checked in the text.

const NOW = '2026-11-30T09:00:00Z';
let ctx: TestContext;
let chair: Agent;

interface Printed {
  pdf: Buffer;
  /** The HTML that was printed: where its headings and column headers are read from. */
  html: string;
  layout: string[][];
}
const printed = new Map<'agenda' | 'minutes' | 'quarterly', Printed>();
let agendaPanelId: number;
let minutesPanelId: number;

async function download(url: string): Promise<Printed> {
  const render = jest.spyOn(ctx.services.pdf, 'render');
  try {
    const res = await chair
      .get(url)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = res.body as Buffer;
    expect(render).toHaveBeenCalledTimes(1);
    return { pdf, html: render.mock.calls[0][0], layout: await pdfLayoutPages(pdf) };
  } finally {
    render.mockRestore();
  }
}

const decode = (text: string) =>
  text
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');

/** Every word of the document's headings, captions and column headers, without punctuation. */
function headingWords(html: string): string[] {
  const body = html.slice(html.indexOf('<body'));
  const words = new Set<string>();
  for (const m of body.matchAll(/<(h[1-4]|th|caption)\b[^>]*>([\s\S]*?)<\/\1>/g))
    for (const word of decode(m[2]).split(/\s+/)) {
      const bare = word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
      if (bare.length >= 2) words.add(bare);
    }
  return [...words];
}

const bareTokens = (line: string) =>
  line
    .split(/\s+/)
    .map((t) => t.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter(Boolean);

/**
 * Words printed in two pieces: on one line with a gap ("Tim e"), or with the end on the next line
 * ("Referr" above "als"), as pdftotext -layout shows them.
 */
function splitWords(layout: string[][], words: string[]): string[] {
  const wanted = new Set(words);
  const found = new Set<string>();
  for (const page of layout)
    page.forEach((line, i) => {
      const here = bareTokens(line);
      const next = i + 1 < page.length ? bareTokens(page[i + 1]) : [];
      here.forEach((head, j) => {
        const tails = [here[j + 1], ...next].filter((t): t is string => t !== undefined);
        for (const tail of tails)
          if (!wanted.has(head) && !wanted.has(tail) && wanted.has(head + tail)) found.add(`${head} | ${tail}`);
      });
    });
  return [...found];
}

beforeAll(async () => {
  ctx = await createTestContext({ now: NOW });
  await seedReferrals(ctx.db, ctx.clock);
  await seedPanels(ctx.db, ctx.clock);
  await seedAttendance(ctx.db);
  await seedMeeting(ctx.db, ctx.clock);
  await seedMinutes(ctx.db);
  chair = await signIn(ctx, DEMO.chair);
  // A published agenda with a case under review, and a concluded panel with its minutes.
  const review = await ctx.db
    .selectFrom('agendaItems')
    .innerJoin('panels', 'panels.id', 'agendaItems.panelId')
    .select('panels.id')
    .where('panels.status', '=', 'agenda-published')
    .where('agendaItems.kind', '=', 'review')
    .orderBy('panels.startsAt')
    .executeTakeFirstOrThrow();
  agendaPanelId = review.id;
  const concluded = await ctx.db
    .selectFrom('minutesVersions')
    .select('panelId')
    .orderBy('panelId')
    .executeTakeFirstOrThrow();
  minutesPanelId = concluded.panelId;
  printed.set('agenda', await download(`/panels/${agendaPanelId}/agenda.pdf`));
  printed.set('minutes', await download(`/panels/${minutesPanelId}/minutes/versions/1.pdf`));
  printed.set('quarterly', await download('/reports/quarterly.pdf?quarter=2026-Q3'));
}, 120_000);

afterAll(() => ctx.close());

const documents = ['agenda', 'minutes', 'quarterly'] as const;
const doc = (name: (typeof documents)[number]) => printed.get(name)!;
const text = (name: (typeof documents)[number]) => doc(name).layout.flat().join('\n');

describe.each(documents)('the %s as printed', (name) => {
  it('keeps every page as a PNG for people to look at', async () => {
    const files = await pagesToPng(doc(name).pdf, `print-${name}`);
    expect(files).toHaveLength(doc(name).layout.length);
  });

  it('never breaks a word of a heading or a column header across lines', () => {
    const words = headingWords(doc(name).html);
    expect(words.length).toBeGreaterThan(5);
    expect(splitWords(doc(name).layout, words)).toEqual([]);
    const printedText = text(name);
    const missing = words.filter(
      (w) => !new RegExp(`(^|[^\\p{L}\\p{N}])${w}($|[^\\p{L}\\p{N}])`, 'u').test(printedText),
    );
    expect(missing).toEqual([]);
  });

  it('is still tagged, titled and in British English', async () => {
    const info = await pdfInfo(doc(name).pdf);
    expect(info.Tagged).toBe('yes');
    expect(info.Title).toBeTruthy();
    expect(doc(name).html).toContain('<html lang="en-GB">');
  });
});

describe('the outline', () => {
  it('of the agenda has an entry for each item, by its reference', async () => {
    const titles = outlineTitles(await pdfOutline(doc('agenda').pdf));
    const items = await ctx.db
      .selectFrom('agendaItems')
      .leftJoin('referrals', 'referrals.id', 'agendaItems.referralId')
      .select(['referrals.reference', 'agendaItems.title'])
      .where('agendaItems.panelId', '=', agendaPanelId)
      .where('agendaItems.removedAt', 'is', null)
      .execute();
    expect(items.length).toBeGreaterThan(1);
    for (const item of items) expect(titles.some((t) => t.includes(item.reference ?? item.title ?? '?'))).toBe(true);
    expect(titles).toEqual(expect.arrayContaining(['Joining the meeting', 'Invited agencies']));
  });

  it('of the minutes has an entry for each case and each section', async () => {
    const titles = outlineTitles(await pdfOutline(doc('minutes').pdf));
    const cases = await ctx.db
      .selectFrom('agendaItems')
      .innerJoin('referrals', 'referrals.id', 'agendaItems.referralId')
      .select('referrals.reference')
      .where('agendaItems.panelId', '=', minutesPanelId)
      .where('agendaItems.removedAt', 'is', null)
      .execute();
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) expect(titles.some((t) => t.includes(c.reference ?? '?'))).toBe(true);
    expect(titles).toEqual(expect.arrayContaining(['Attendance', 'Other business', 'Date of the next panel']));
  });

  it('of the quarterly return has an entry for each section', async () => {
    const titles = outlineTitles(await pdfOutline(doc('quarterly').pdf));
    expect(titles).toEqual(
      expect.arrayContaining(['Referrals and cases by district', 'Attendance and actions by agency']),
    );
  });
});

describe('what each document says', () => {
  it('the agenda lists the invited agencies by name, how to join, and each unfinished action under review with its owner and due date', async () => {
    const { html } = doc('agenda');
    const invited = await ctx.db
      .selectFrom('panelInvitations')
      .innerJoin('agencies', 'agencies.id', 'panelInvitations.agencyId')
      .select('agencies.name')
      .where('panelId', '=', agendaPanelId)
      .execute();
    expect(invited.length).toBeGreaterThan(3);
    for (const agency of invited)
      expect(decode(html)).toContain(`<li>${agency.name}</li>`.replace(/<[^>]+>/g, ' ').trim());
    expect(text('agenda')).toMatch(/Joining the meeting\s+In person/);
    expect(text('agenda')).toContain('Actions under review');
    expect(text('agenda')).toMatch(/Action\s+Owner\s+Reason not yet\s+New due date/);
    expect(text('agenda')).toMatch(/Victim\s+\S+/);
  });

  it('the minutes name each subject with their role', () => {
    expect(text('minutes')).toMatch(/\((victim|perpetrator|location)\)/);
  });

  it('the quarterly return names agencies in full, never by abbreviation', async () => {
    const agencies = await ctx.db.selectFrom('agencies').select(['name', 'shortName']).execute();
    const abbreviations = agencies.filter((a) => /^[A-Z]{2,}$/.test(a.shortName) && a.shortName !== a.name);
    expect(abbreviations.length).toBeGreaterThan(0);
    const tokens = new Set(doc('quarterly').layout.flat().flatMap(bareTokens));
    for (const a of abbreviations) expect(tokens.has(a.shortName)).toBe(false);
    expect(text('quarterly')).toContain('Lincolnshire Police');
  });
});
