import pino from 'pino';
import puppeteer from 'puppeteer-core';
import { findChromium } from '../src/pdf/chromium';
import { pdfDocuments } from '../src/pdf/documents';
import { PdfRenderer, renderDirect, type PdfRenderOptions } from '../src/pdf/renderer';
import type { MinutesContent, MinutesItem } from '../src/minutes/minutes-content';
import { renderPdf } from '../src/minutes/minutes-copies.service';

export interface PdfResult {
  /** The minutes of a 15-case panel, warm browser, median ms. */
  warm: number;
  /** Chromium printing the same HTML to the same PDF (tagged, outlined, headed) through Puppeteer directly. */
  floor: number;
  /** A browser launched for the one document. */
  cold: number;
  /** Ten requests for those minutes at once, all answered, ms. */
  burst: number;
  /** Ten different agency copies of them at once, all done, ms (reported). */
  copies: number;
}

const AGENCIES = ['Police', 'Council ASB team', 'Housing provider', 'LPFT', 'Adult social care', 'Youth offending'];

function item(n: number): MinutesItem {
  const agency = (k: number) => AGENCIES[(n + k) % AGENCIES.length];
  return {
    agendaItemId: n,
    number: n,
    kind: n % 3 ? 'review' : 'new',
    reference: `ASB-2026-${String(1000 + n).padStart(4, '0')}`,
    subjects: [`Victim ${n} (victim)`, `Perpetrator ${n} (perpetrator)`],
    sharedInformation: AGENCIES.slice(0, 4).map((a, k) => ({
      agency: a,
      text: `${a} reported ${k + 2} incidents since the last panel. ${'Contact made with the household and the risk reviewed. '.repeat(3)}`,
    })),
    discussion: 'The panel discussed the escalation and the support in place. '.repeat(8),
    recordedDiscussion: null,
    riskLevel: n % 4 ? 'high' : 'very-high',
    decision: 'Keep open and review at the next panel',
    nextReviewOn: '11 January 2027',
    actions: Array.from({ length: 4 }, (_, k) => ({
      description: `Action ${n}.${k + 1}: visit the household and review the support plan`,
      agency: agency(k),
      owner: 'Named officer',
      dueOn: `${10 + k} January 2027`,
    })),
    previousActions: Array.from({ length: 2 }, (_, k) => ({
      description: `Earlier action ${n}.${k + 1}: refer for mediation`,
      agency: agency(k + 2),
      status: k ? 'completed' : 'open',
      outcome: k ? 'Mediation offered and accepted.' : null,
      review: k ? null : 'Carried forward: the first session is booked.',
    })),
  };
}

/** The minutes of a 15-case panel, as the minutes service holds them. */
export function sampleMinutes(items = 15): MinutesContent {
  return {
    panel: {
      id: 1,
      district: 'Lincoln',
      date: '2026-12-14',
      dateText: '14 December 2026',
      time: '10:00',
      venue: 'Committee Room 1, City Hall',
      online: false,
      chair: 'Chair Person',
    },
    attendance: AGENCIES.map((agency, k) => ({
      agency,
      status: k === 5 ? 'Apologies' : 'Present',
      people: k === 5 ? [] : [{ name: `Representative ${k + 1}`, role: 'Officer', deputy: false, status: 'Present' }],
      informationSent: k === 5 ? 'An update was sent before the panel.' : null,
      receivedOn: k === 5 ? '12 December 2026' : null,
    })),
    observers: [],
    confidentiality: { version: 1, text: 'Information shared at this panel is confidential.', agreedBy: AGENCIES },
    introduction: 'The chair welcomed everyone and introductions were made.',
    items: Array.from({ length: items }, (_, i) => item(i + 1)),
    otherBusiness: [],
    otherBusinessNotes: null,
    nextPanel: 'Monday 11 January 2027 at 10:00',
    circulation: AGENCIES.map((agency, k) => ({ agency, people: [`Representative ${k + 1}`] })),
  };
}

async function timeRuns(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times;
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The minutes PDF through the app's own documents (template, layout, running header, marking) and
 * renderer, against Chromium printing the same HTML with the same options through Puppeteer, with
 * none of the renderer's protections (no interception, no CSP, content set directly).
 */
export async function benchPdf(): Promise<PdfResult> {
  const executablePath = findChromium(process.env.CHROMIUM_PATH);
  const renderer = new PdfRenderer({ chromiumPath: executablePath, logger: pino({ level: 'silent' }) });
  let printed: { html: string; options: PdfRenderOptions } | undefined;
  const documents = pdfDocuments({
    renderer: {
      render: (html, options = {}) => {
        printed = { html, options };
        return renderer.render(html, options);
      },
    },
  });
  const content = sampleMinutes();
  const approval = { version: 1, approvedAt: new Date('2026-12-15T09:00:00Z'), approverName: 'Chair Person' };
  const minutes = (agency?: string) => renderPdf({ documents }, content, approval, agency);
  await minutes();
  const warm = median(await timeRuns(10, () => minutes()));
  const burst = median(await timeRuns(3, () => Promise.all(Array.from({ length: 10 }, () => minutes()))));
  const copies = median(
    await timeRuns(3, () => Promise.all(Array.from({ length: 10 }, (_, k) => minutes(`Agency ${k + 1}`)))),
  );
  await renderer.close();

  const { html, options } = printed!;
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage();
  const printDirect = async () => {
    await page.setContent(html, { waitUntil: 'load' });
    await page.pdf({
      format: 'A4',
      printBackground: true,
      preferCSSPageSize: true,
      margin: { top: '20mm', right: '18mm', bottom: '20mm', left: '18mm' },
      displayHeaderFooter: true,
      headerTemplate: options.headerTemplate,
      footerTemplate: options.footerTemplate,
      outline: true,
      tagged: true,
    });
  };
  await printDirect();
  const floor = median(await timeRuns(10, printDirect));
  await browser.close();
  const cold = median(await timeRuns(3, () => renderDirect(html, { ...options, chromiumPath: executablePath })));
  console.log(
    `  warm ${warm.toFixed(0)} ms, Chromium directly ${floor.toFixed(0)} ms, cold ${cold.toFixed(0)} ms, 10 requests at once ${burst.toFixed(0)} ms, 10 agency copies at once ${copies.toFixed(0)} ms`,
  );
  return { warm, floor, cold, burst, copies };
}
