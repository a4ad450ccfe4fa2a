import type { Measure } from './load';
import type { OutboxResult } from './outbox';
import type { PdfResult } from './pdf';
import type { PagePlans } from './plans';

export interface Results {
  sizes: number[];
  pages: Map<number, Measure[]>;
  peakMbBySize: Map<number, number>;
  pglite: Measure[];
  startupMs: number;
  pdf: PdfResult;
  outbox: OutboxResult;
}

/** The targets of the performance issue, each as a ratio, with a verdict. */
export const TARGETS = {
  pageOverBare: 10,
  largeOverSmall: 1.3,
  pdfOverChromium: 1.3,
  burstOverOne: 3,
  outboxOverDirect: 0.9,
  memoryMb: 250,
  startupMs: 3000,
  pgliteOverPostgres: 2.5,
} as const;

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');
const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);

/** The Markdown table the benchmark ends with: one row a measure, each with its target and verdict. */
export function targetRows(r: Results, bareName: string, plans: PagePlans[]): string[] {
  const rows = ['| Measure | median ms | p99 ms | ratio | target |', '|---|---|---|---|---|'];
  const [small] = r.sizes;
  for (const size of r.sizes) {
    const measures = r.pages.get(size)!;
    const bare = measures.find((m) => m.name === bareName)!;
    for (const m of measures) {
      const x = ratio(m.median, bare.median);
      const target =
        m === bare ? 'floor' : `≤ ${TARGETS.pageOverBare}× bare: ${verdict(x <= TARGETS.pageOverBare && !m.errors)}`;
      const errors = m.rps === 0 ? ' (every request timed out)' : m.errors ? ` (${m.errors} unexpected answers)` : '';
      rows.push(`| ${m.name} at ${size}${errors} | ${m.median} | ${m.p99} | ${fmt(x)}× bare | ${target} |`);
    }
  }
  for (const size of r.sizes.slice(1)) {
    const aim = size > 100_000 ? 'aim ' : '';
    for (const m of r.pages.get(size)!) {
      if (m.name === bareName) continue;
      const base = r.pages.get(small)!.find((s) => s.name === m.name)!;
      const x = ratio(m.median, base.median);
      rows.push(
        `| ${m.name}: ${size} against ${small} | | | ${fmt(x)}× | ${aim}≤ ${TARGETS.largeOverSmall}×: ${verdict(x <= TARGETS.largeOverSmall)} |`,
      );
    }
  }
  for (const m of r.pglite) {
    if (m.name === bareName) continue;
    const base = r.pages.get(small)!.find((s) => s.name === m.name)!;
    const x = ratio(m.median, base.median);
    rows.push(
      `| ${m.name} on PGlite at ${small} | ${m.median} | ${m.p99} | ${fmt(x)}× PostgreSQL | ≤ ${TARGETS.pgliteOverPostgres}×: ${verdict(x <= TARGETS.pgliteOverPostgres && !m.errors)} |`,
    );
  }
  const { pdf, outbox } = r;
  rows.push(
    `| minutes PDF, warm browser | ${fmt(pdf.warm)} | | ${fmt(ratio(pdf.warm, pdf.floor))}× Chromium printing directly | ≤ ${TARGETS.pdfOverChromium}×: ${verdict(pdf.warm <= pdf.floor * TARGETS.pdfOverChromium)} |`,
  );
  rows.push(
    `| minutes PDF, 10 requests at once | ${fmt(pdf.burst)} | | ${fmt(ratio(pdf.burst, pdf.warm))}× one | ≤ ${TARGETS.burstOverOne}×: ${verdict(pdf.burst <= pdf.warm * TARGETS.burstOverOne)} |`,
  );
  rows.push(
    `| minutes PDF, 10 different agency copies at once | ${fmt(pdf.copies)} | | ${fmt(ratio(pdf.copies, pdf.warm))}× one | reported |`,
  );
  rows.push(`| minutes PDF, cold launch | ${fmt(pdf.cold)} | | ${fmt(ratio(pdf.cold, pdf.warm))}× warm | reported |`);
  const o = ratio(outbox.outboxPerSecond, outbox.directPerSecond);
  rows.push(
    `| outbox, 1,000 messages | ${fmt(1000_000 / outbox.outboxPerSecond)} total | | ${fmt(o)}× direct sending | ≥ ${TARGETS.outboxOverDirect}×: ${verdict(o >= TARGETS.outboxOverDirect)} |`,
  );
  const memorySize = r.sizes.includes(100_000) ? 100_000 : Math.max(...r.sizes);
  for (const [size, mb] of r.peakMbBySize) {
    const target = size === memorySize ? `< ${TARGETS.memoryMb} MB: ${verdict(mb < TARGETS.memoryMb)}` : 'reported';
    rows.push(`| app peak RSS under load at ${size} | ${mb} MB | | | ${target} |`);
  }
  rows.push(
    `| start-up to /healthz, existing embedded data | ${fmt(r.startupMs)} | | | ≤ ${TARGETS.startupMs} ms: ${verdict(r.startupMs <= TARGETS.startupMs)} |`,
  );
  if (plans.length) {
    const scanning = plans.filter((p) => p.scans.length);
    rows.push(
      `| query plans at ${Math.max(...r.sizes)}: pages reading a large table sequentially | ${scanning.length} of ${plans.length} | | | none: ${verdict(!scanning.length)} |`,
    );
  }
  return rows;
}
