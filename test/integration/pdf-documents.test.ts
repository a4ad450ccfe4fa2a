import path from 'node:path';
import { PdfRenderer } from '../../src/pdf/renderer';
import { MARKING, pdfDocuments, type PdfDocumentData } from '../../src/pdf/documents';
import { A4_POINTS, firstPageToPng, pdfFonts, pdfLayoutPages, readPdf, type PdfSummary } from '../support/pdf';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'pdf');
const AGENCY = 'Northshire Police & <b>Partners</b>';
const SCRIPT = '<script>alert(1)</script>';
const IMG = '<img src=file:///etc/passwd>';

const rows = Array.from({ length: 80 }, (_, i) => {
  const n = String(i + 1).padStart(3, '0');
  return {
    reference: `ASB-26-${n}`,
    subject: i === 4 ? SCRIPT : `Subject ${n}`,
    // Several lines per row: a row split across pages would leave its lines on different pages.
    notes: i === 9 ? IMG : `Row ${n} first line\nRow ${n} middle line\nRow ${n} last line`,
  };
});

const sample: PdfDocumentData = {
  title: 'North district ASBRAC panel: minutes',
  date: '2026-03-10',
  notice: 'Not to be copied or shared without the agreement of the agencies.',
  panel: 'North <i>district</i>',
  rows,
  closing: `Closing remarks ${SCRIPT}`,
};

describe('PDF documents in the shared layout', () => {
  const renderer = new PdfRenderer({ poolSize: 2 });
  const documents = pdfDocuments({ renderer, templateDirs: [FIXTURES] });
  let pdf: Buffer;
  let read: PdfSummary;

  beforeAll(async () => {
    pdf = await documents.renderDocument('sample', sample, { recipientAgency: AGENCY });
    read = await readPdf(pdf);
  });

  afterAll(() => renderer.close());

  it('is A4 and runs to several pages', () => {
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(read.pages.length).toBeGreaterThanOrEqual(3);
    for (const size of read.sizes) {
      expect(size.width).toBeCloseTo(A4_POINTS.width, 0);
      expect(size.height).toBeCloseTo(A4_POINTS.height, 0);
    }
  });

  it('uses only the typeface shipped with the project, embedded, in the body and in the running header and footer', async () => {
    const fonts = await pdfFonts(pdf);
    expect(fonts.length).toBeGreaterThan(0);
    for (const font of fonts)
      expect(font).toEqual({
        name: expect.stringMatching(/^NotoSans-(Regular|Bold|Italic|BoldItalic)$/) as string,
        embedded: true,
      });
    expect(new Set(fonts.map((f) => f.name))).toEqual(new Set(['NotoSans-Regular', 'NotoSans-Bold']));
  });

  it('marks every page OFFICIAL-SENSITIVE twice', () => {
    for (const page of read.pages) expect(page.split(MARKING).length - 1).toBe(2);
  });

  it('puts the marking on the first and the last line of every page', async () => {
    const laidOut = await pdfLayoutPages(pdf);
    expect(laidOut).toHaveLength(read.pages.length);
    for (const page of laidOut) {
      expect(page[0]).toBe(MARKING);
      expect(page[page.length - 1]).toBe(MARKING);
    }
  });

  it('numbers every page "Page X of Y" and repeats the title and date', () => {
    const total = read.pages.length;
    read.pages.forEach((page, i) => {
      expect(page).toContain(`Page ${i + 1} of ${total}`);
      expect(page).toContain('North district ASBRAC panel: minutes');
      expect(page).toContain('10 March 2026');
    });
  });

  it('names the recipient agency on every page, as literal text', () => {
    read.pages.forEach((page) => expect(page).toContain(`Copy for: ${AGENCY}`));
  });

  it('prints user text literally: markup in data is text, not HTML', () => {
    const all = read.pages.join('\n');
    expect(all).toContain(SCRIPT);
    expect(all).toContain(IMG);
    expect(all).toContain('North <i>district</i>');
    expect(all).toContain(`Closing remarks ${SCRIPT}`);
    expect(all).not.toContain('root:x:0:0');
  });

  it('keeps each table row on one page and repeats the column headings', () => {
    const tablePages = new Set<number>();
    for (const row of rows.filter((r) => r.notes.includes('first line'))) {
      const n = row.reference.slice(-3);
      const page = read.pages.findIndex((p) => p.includes(row.reference));
      expect(page).toBeGreaterThanOrEqual(0);
      expect(read.pages[page]).toContain(`Row ${n} first line`);
      expect(read.pages[page]).toContain(`Row ${n} last line`);
      tablePages.add(page);
    }
    expect(tablePages.size).toBeGreaterThanOrEqual(2);
    for (const page of tablePages) expect(read.pages[page]).toMatch(/Reference\s+Subject\s+Notes/);
  });

  it('leaves the copy line out when there is no recipient, and shows a Date in Europe/London', async () => {
    const plain = await readPdf(
      await documents.renderDocument('sample', {
        ...sample,
        rows: rows.slice(0, 3),
        date: new Date('2026-06-30T23:30:00Z'),
      }),
    );
    for (const page of plain.pages) {
      expect(page).not.toContain('Copy for:');
      expect(page).toContain('1 July 2026');
    }
  });

  it('escapes data in the HTML and inlines the print stylesheet', () => {
    const html = documents.documentHtml('sample', sample);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain(SCRIPT);
    expect(html).toMatch(/<style>[\s\S]*@page[\s\S]*size: A4[\s\S]*<\/style>/);
    expect(html).toContain('tr,\nimg,\n.keep-together {\n  break-inside: avoid;');
  });

  it('refuses names that are not a template', () => {
    expect(() => documents.documentHtml('../fixtures/pdf/sample', sample)).toThrow(/not a PDF document name/);
    expect(() => documents.documentHtml('layout', sample)).toThrow(/not a PDF document name/);
    expect(() => documents.documentHtml('missing', sample)).toThrow(/no PDF template/);
  });

  it('prints a status line on the foot of every page when given, as literal text, with the marking still first and last, and none otherwise', async () => {
    const statusLine = 'DRAFT – not for circulation <b>1</b>';
    const marked = await documents.renderDocument('sample', sample, { statusLine });
    const laidOut = await pdfLayoutPages(marked);
    expect(laidOut.length).toBeGreaterThanOrEqual(3);
    for (const page of laidOut) {
      expect(page[0]).toBe(MARKING);
      expect(page[page.length - 1]).toBe(MARKING);
      expect(page[page.length - 2]).toBe(statusLine);
    }
    for (const page of read.pages) expect(page).not.toContain('DRAFT');
  });

  it('renders page 1 to a PNG for people to look at', async () => {
    const image = await firstPageToPng(pdf, 'pdf-layout-sample-page1');
    expect(image.height / image.width).toBeCloseTo(A4_POINTS.height / A4_POINTS.width, 2);
  });
});
