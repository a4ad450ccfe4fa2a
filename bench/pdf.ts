import pino from 'pino';
import puppeteer from 'puppeteer-core';
import { findChromium } from '../src/pdf/chromium';
import { PdfRenderer, renderDirect } from '../src/pdf/renderer';

export interface PdfResult {
  /** One 15-case minutes, warm browser, median ms. */
  warm: number;
  /** Chromium printing the same HTML through Puppeteer directly. */
  floor: number;
  /** A browser launched for the one document. */
  cold: number;
  /** Ten documents asked for at once, all done, ms. */
  burst: number;
}

function sampleMinutesHtml(items: number): string {
  const rows = Array.from({ length: items }, (_, i) => {
    const actions = Array.from(
      { length: 4 },
      (_, k) =>
        `<tr><td>Action ${i + 1}.${k + 1}: visit and review the support plan</td><td>Agency ${k + 1}</td><td>Named officer</td><td>1${k} January 2027</td></tr>`,
    ).join('');
    return `<section><h2>Item ${i + 1}: ASB-2026-${String(1000 + i).padStart(4, '0')}</h2>
      <p>Subjects: Victim ${i + 1}, Perpetrator ${i + 1}. ${'Information shared by each agency and the risk discussion. '.repeat(12)}</p>
      <p>Decision: keep open and review at the next panel.</p>
      <table><thead><tr><th>Action</th><th>Agency</th><th>Person</th><th>Due</th></tr></thead><tbody>${actions}</tbody></table></section>`;
  }).join('');
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{font-family:sans-serif;font-size:11pt}table{width:100%;border-collapse:collapse}td,th{border:1px solid #999;padding:4px}tr{break-inside:avoid}</style></head><body><h1>Minutes</h1>${rows}</body></html>`;
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

export async function benchPdf(): Promise<PdfResult> {
  const html = sampleMinutesHtml(15);
  const executablePath = findChromium(process.env.CHROMIUM_PATH);
  const renderer = new PdfRenderer({ chromiumPath: executablePath, logger: pino({ level: 'silent' }) });
  await renderer.render(html);
  const warm = median(await timeRuns(10, () => renderer.render(html)));
  const burst = median(await timeRuns(3, () => Promise.all(Array.from({ length: 10 }, () => renderer.render(html)))));
  await renderer.close();
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage();
  const printDirect = async () => {
    await page.setContent(html, { waitUntil: 'load' });
    await page.pdf({ format: 'A4', printBackground: true });
  };
  await printDirect();
  const floor = median(await timeRuns(10, printDirect));
  await browser.close();
  const cold = median(await timeRuns(3, () => renderDirect(html, { chromiumPath: executablePath })));
  console.log(
    `  warm ${warm.toFixed(0)} ms, Chromium directly ${floor.toFixed(0)} ms, cold ${cold.toFixed(0)} ms, 10 at once ${burst.toFixed(0)} ms`,
  );
  return { warm, floor, cold, burst };
}
