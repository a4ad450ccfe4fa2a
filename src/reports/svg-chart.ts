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
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export const monthLabel = (month: string): string => DateTime.fromFormat(month, 'yyyy-MM').toFormat('MMM yyyy');

const round = (n: number) => Math.round(n * 10) / 10;

/** A bar or line chart over months, drawn on the server, with its title and description for screen readers. */
export function renderChart(options: ChartOptions): Chart {
  const width = options.width ?? 720;
  const height = options.height ?? 300;
  const unit = options.unit ?? '';
  const months = [...new Set(options.series.flatMap((s) => s.points.map((p) => p.month)))].sort();
  const values = options.series.flatMap((s) => s.points.map((p) => p.value)).filter((v): v is number => v !== null);
  const max = options.max ?? Math.max(1, ...values);
  const left = 48;
  const right = 12;
  const top = 16;
  const bottom = 56;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const y = (v: number) => round(top + plotH - (Math.min(v, max) / max) * plotH);
  const slot = months.length ? plotW / months.length : plotW;
  const x = (i: number) => round(left + slot * i + slot / 2);
  const valueOf = (s: ChartSeries, month: string) => s.points.find((p) => p.month === month)?.value ?? null;
  const titleId = `${options.id}-title`;
  const descId = `${options.id}-desc`;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" id="${escapeXml(options.id)}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${escapeXml(titleId)} ${escapeXml(descId)}">`,
    `<title id="${escapeXml(titleId)}">${escapeXml(options.title)}</title>`,
    `<desc id="${escapeXml(descId)}">${escapeXml(options.description)}</desc>`,
  );
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const v = max * tick;
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${y(v)}" y2="${y(v)}" stroke="#b1b4b6" stroke-width="1"/>`,
      `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="12" fill="#0b0c0c">${escapeXml(`${round(v)}${unit}`)}</text>`,
    );
  }
  months.forEach((month, i) => {
    parts.push(`<text x="${x(i)}" y="${height - bottom + 18}" text-anchor="middle" font-size="12" fill="#0b0c0c">${escapeXml(monthLabel(month))}</text>`);
  });
  if (options.kind === 'bar') {
    const barW = Math.max(2, round((slot * 0.7) / Math.max(1, options.series.length)));
    options.series.forEach((s, si) => {
      months.forEach((month, i) => {
        const v = valueOf(s, month);
        if (v === null) return;
        const bx = round(x(i) - (barW * options.series.length) / 2 + barW * si);
        parts.push(
          `<rect x="${bx}" y="${y(v)}" width="${barW}" height="${round(top + plotH - y(v))}" fill="${COLOURS[si % COLOURS.length]}"><title>${escapeXml(`${s.name}, ${monthLabel(month)}: ${round(v)}${unit}`)}</title></rect>`,
        );
      });
    });
  } else {
    options.series.forEach((s, si) => {
      const points = months.map((month, i) => ({ i, v: valueOf(s, month) })).filter((p): p is { i: number; v: number } => p.v !== null);
      if (points.length > 1) {
        parts.push(`<polyline fill="none" stroke="${COLOURS[si % COLOURS.length]}" stroke-width="3" points="${points.map((p) => `${x(p.i)},${y(p.v)}`).join(' ')}"/>`);
      }
      for (const p of points) {
        parts.push(
          `<circle cx="${x(p.i)}" cy="${y(p.v)}" r="4" fill="${COLOURS[si % COLOURS.length]}"><title>${escapeXml(`${s.name}, ${monthLabel(months[p.i])}: ${round(p.v)}${unit}`)}</title></circle>`,
        );
      }
    });
  }
  options.series.forEach((s, si) => {
    const lx = left + si * 180;
    parts.push(
      `<rect x="${lx}" y="${height - 20}" width="12" height="12" fill="${COLOURS[si % COLOURS.length]}"/>`,
      `<text x="${lx + 18}" y="${height - 10}" font-size="12" fill="#0b0c0c">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return {
    svg: parts.join(''),
    table: {
      caption: options.title,
      headers: ['Month', ...options.series.map((s) => s.name)],
      rows: months.map((month) => ({
        month: monthLabel(month),
        values: options.series.map((s) => {
          const v = valueOf(s, month);
          return v === null ? 'No data' : `${round(v)}${unit}`;
        }),
      })),
    },
  };
}
