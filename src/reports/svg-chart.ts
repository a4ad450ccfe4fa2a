import { DateTime } from 'luxon';

/** One series of values by month ('YYYY-MM'); null is a month with nothing to show. */
export interface ChartSeries {
  name: string;
  points: { month: string; value: number | null }[];
}

export interface ChartOptions {
  /** Unique on the page: the ids of the title and description derive from it. */
  id: string;
  title: string;
  description: string;
  kind: 'bar' | 'line';
  series: ChartSeries[];
  /** The top of the scale; by default the largest value. */
  max?: number;
  /** Appended to values in labels and the table, such as '%'. */
  unit?: string;
  width?: number;
  height?: number;
}

export interface Chart {
  /** Markup built only from escaped text and numbers, safe to output unescaped. */
  svg: string;
  /** The same numbers as a table, for reading beside the chart. */
  table: { caption: string; headers: string[]; rows: { month: string; values: string[] }[] };
}

const COLOURS = ['#1d70b8', '#00703c', '#d4351c', '#6f72af', '#f47738'];

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

export const monthLabel = (month: string): string => DateTime.fromFormat(month, 'yyyy-MM').toFormat('MMM yyyy');

const round = (n: number) => Math.round(n * 10) / 10;

/** Where things go on the drawing: the plot area, the scale, and the slot of each month. */
interface Layout {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
  plotH: number;
  slot: number;
  max: number;
  /** The values on the scale, from 0 to max: whole numbers when every value is one. */
  ticks: number[];
  /** Every how many months a month is named along the bottom, so that names never overlap. */
  labelEvery: number;
  unit: string;
  months: string[];
}

/** Type size of every label, in the drawing's units: readable once the chart is scaled to a phone. */
export const CHART_FONT_SIZE = 16;
/** The width a month's name ("Sep 2026") takes at that size, with room either side. */
const MONTH_LABEL_WIDTH = 84;

/**
 * A scale from 0 to at least `top` in steps of 1, 2 or 5 times a power of ten, about four of
 * them; never a fraction of one when the values are counts.
 */
export function scaleTicks(top: number, wholeNumbers: boolean): number[] {
  const raw = Math.max(top, wholeNumbers ? 1 : Number.EPSILON) / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  // Quarters (25, 50, 75) read well for rates; counts below ten step by 1, 2 or 5.
  const multiples = wholeNumbers && power < 10 ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10];
  let step = multiples.map((m) => m * power).find((c) => c >= raw) ?? 10 * power;
  if (wholeNumbers) step = Math.max(1, Math.ceil(step));
  const count = Math.max(1, Math.ceil(top / step - 1e-9));
  return Array.from({ length: count + 1 }, (_, i) => Math.round(i * step * 1e6) / 1e6);
}

function layoutOf(options: ChartOptions): Layout {
  // Narrow enough that, scaled to a phone's width, the labels are still of a readable size.
  const width = options.width ?? 560;
  const height = options.height ?? 300;
  const months = [...new Set(options.series.flatMap((s) => s.points.map((p) => p.month)))].sort();
  const values = options.series.flatMap((s) => s.points.map((p) => p.value)).filter((v): v is number => v !== null);
  // Room on the right for the last month's name, centred under its bar.
  const [left, right, top, bottom] = [56, 40, 16, 64];
  const plotW = width - left - right;
  const slot = months.length ? plotW / months.length : plotW;
  const ticks = scaleTicks(
    options.max ?? Math.max(1, ...values),
    values.every((v) => Number.isInteger(v)),
  );
  return {
    width,
    height,
    left,
    right,
    top,
    bottom,
    plotH: height - top - bottom,
    slot,
    max: options.max ?? ticks[ticks.length - 1],
    ticks: options.max === undefined ? ticks : ticks.filter((t) => t <= options.max!),
    labelEvery: Math.max(1, Math.ceil(MONTH_LABEL_WIDTH / slot)),
    unit: options.unit ?? '',
    months,
  };
}

const yOf = (l: Layout, v: number) => round(l.top + l.plotH - (Math.min(v, l.max) / l.max) * l.plotH);
const xOf = (l: Layout, i: number) => round(l.left + l.slot * i + l.slot / 2);
const valueOf = (s: ChartSeries, month: string) => s.points.find((p) => p.month === month)?.value ?? null;
const colourOf = (si: number) => COLOURS[si % COLOURS.length];

/** The scale's grid lines and labels, and the months along the bottom. */
function axes(l: Layout): string[] {
  const parts: string[] = [];
  for (const v of l.ticks) {
    parts.push(
      `<line x1="${l.left}" x2="${l.width - l.right}" y1="${yOf(l, v)}" y2="${yOf(l, v)}" stroke="#b1b4b6" stroke-width="1"/>`,
      `<text x="${l.left - 6}" y="${yOf(l, v) + 5}" text-anchor="end" font-size="${CHART_FONT_SIZE}" fill="#0b0c0c">${escapeXml(`${round(v)}${l.unit}`)}</text>`,
    );
  }
  // The last month is always named; the others at a spacing that keeps names apart.
  const last = l.months.length - 1;
  l.months.forEach((month, i) => {
    if ((last - i) % l.labelEvery !== 0) return;
    parts.push(
      `<text x="${xOf(l, i)}" y="${l.height - l.bottom + 22}" text-anchor="middle" font-size="${CHART_FONT_SIZE}" fill="#0b0c0c">${escapeXml(monthLabel(month))}</text>`,
    );
  });
  return parts;
}

function bars(l: Layout, series: ChartSeries[]): string[] {
  const parts: string[] = [];
  const barW = Math.max(2, round((l.slot * 0.7) / Math.max(1, series.length)));
  series.forEach((s, si) => {
    l.months.forEach((month, i) => {
      const v = valueOf(s, month);
      if (v === null) return;
      const bx = round(xOf(l, i) - (barW * series.length) / 2 + barW * si);
      parts.push(
        `<rect x="${bx}" y="${yOf(l, v)}" width="${barW}" height="${round(l.top + l.plotH - yOf(l, v))}" fill="${colourOf(si)}"><title>${escapeXml(`${s.name}, ${monthLabel(month)}: ${round(v)}${l.unit}`)}</title></rect>`,
      );
    });
  });
  return parts;
}

function lines(l: Layout, series: ChartSeries[]): string[] {
  const parts: string[] = [];
  series.forEach((s, si) => {
    const points = l.months
      .map((month, i) => ({ i, v: valueOf(s, month) }))
      .filter((p): p is { i: number; v: number } => p.v !== null);
    if (points.length > 1) {
      parts.push(
        `<polyline fill="none" stroke="${colourOf(si)}" stroke-width="3" points="${points.map((p) => `${xOf(l, p.i)},${yOf(l, p.v)}`).join(' ')}"/>`,
      );
    }
    for (const p of points) {
      parts.push(
        `<circle cx="${xOf(l, p.i)}" cy="${yOf(l, p.v)}" r="4" fill="${colourOf(si)}"><title>${escapeXml(`${s.name}, ${monthLabel(l.months[p.i])}: ${round(p.v)}${l.unit}`)}</title></circle>`,
      );
    }
  });
  return parts;
}

function legend(l: Layout, series: ChartSeries[]): string[] {
  // Each entry as wide as its name at the chart's type size (about 0.6 em a character).
  let lx = l.left;
  return series.flatMap((s, si) => {
    const x = lx;
    lx += 24 + Math.ceil(s.name.length * CHART_FONT_SIZE * 0.6);
    return [
      `<rect x="${x}" y="${l.height - 22}" width="14" height="14" fill="${colourOf(si)}"/>`,
      `<text x="${x + 20}" y="${l.height - 10}" font-size="${CHART_FONT_SIZE}" fill="#0b0c0c">${escapeXml(s.name)}</text>`,
    ];
  });
}

function tableOf(l: Layout, options: ChartOptions): Chart['table'] {
  return {
    caption: options.title,
    headers: ['Month', ...options.series.map((s) => s.name)],
    rows: l.months.map((month) => ({
      month: monthLabel(month),
      values: options.series.map((s) => {
        const v = valueOf(s, month);
        return v === null ? 'No data' : `${round(v)}${l.unit}`;
      }),
    })),
  };
}

/** A bar or line chart over months, drawn on the server, with its title and description for screen readers. */
export function renderChart(options: ChartOptions): Chart {
  const l = layoutOf(options);
  const titleId = `${options.id}-title`;
  const descId = `${options.id}-desc`;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" id="${escapeXml(options.id)}" viewBox="0 0 ${l.width} ${l.height}" role="img" aria-labelledby="${escapeXml(titleId)} ${escapeXml(descId)}">`,
    `<title id="${escapeXml(titleId)}">${escapeXml(options.title)}</title>`,
    `<desc id="${escapeXml(descId)}">${escapeXml(options.description)}</desc>`,
    ...axes(l),
    ...(options.kind === 'bar' ? bars(l, options.series) : lines(l, options.series)),
    ...legend(l, options.series),
    '</svg>',
  ];
  return { svg: parts.join(''), table: tableOf(l, options) };
}
