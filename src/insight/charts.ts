import { CHART_FONT_SIZE, escapeXml } from '../reports/svg-chart';

/**
 * A horizontal bar chart over categories (districts, agencies, types), drawn on the server. The
 * month charts use src/reports/svg-chart.ts; this is its companion for figures that are not by
 * month, with the same accessible shape: role="img", a <title> and <desc>, and a table of the same
 * numbers to read beside it.
 */

export interface CategoryChartOptions {
  id: string;
  title: string;
  description: string;
  bars: { label: string; value: number }[];
  unit?: string;
  width?: number;
}

export interface CategoryChart {
  /** Markup built only from escaped text and numbers. */
  svg: string;
}

const BAR = 28;
const GAP = 10;
/** Characters of a label shown before it is shortened (the whole label is in the bar's title and the table). */
const LABEL_CHARS = 24;

export function renderCategoryChart(options: CategoryChartOptions): CategoryChart {
  const width = options.width ?? 560;
  const unit = options.unit ?? '';
  const labelWidth = Math.ceil(LABEL_CHARS * CHART_FONT_SIZE * 0.55) + 8;
  const valueWidth = 64;
  const plotW = width - labelWidth - valueWidth;
  const max = Math.max(1, ...options.bars.map((b) => b.value));
  const height = Math.max(1, options.bars.length) * (BAR + GAP) + GAP;
  const titleId = `${options.id}-title`;
  const descId = `${options.id}-desc`;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" id="${escapeXml(options.id)}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${escapeXml(titleId)} ${escapeXml(descId)}">`,
    `<title id="${escapeXml(titleId)}">${escapeXml(options.title)}</title>`,
    `<desc id="${escapeXml(descId)}">${escapeXml(options.description)}</desc>`,
  ];
  if (options.bars.length === 0) {
    parts.push(
      `<text x="0" y="${BAR}" font-size="${CHART_FONT_SIZE}" fill="#0b0c0c">Nothing to show for this period</text>`,
    );
  }
  options.bars.forEach((bar, i) => {
    const y = GAP + i * (BAR + GAP);
    const w = Math.round((bar.value / max) * plotW * 10) / 10;
    const label = bar.label.length > LABEL_CHARS ? `${bar.label.slice(0, LABEL_CHARS - 1)}…` : bar.label;
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + BAR / 2 + 5}" text-anchor="end" font-size="${CHART_FONT_SIZE}" fill="#0b0c0c">${escapeXml(label)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${w}" height="${BAR}" fill="#1d70b8"><title>${escapeXml(`${bar.label}: ${bar.value}${unit}`)}</title></rect>`,
      `<text x="${labelWidth + w + 6}" y="${y + BAR / 2 + 5}" font-size="${CHART_FONT_SIZE}" fill="#0b0c0c">${escapeXml(`${bar.value}${unit}`)}</text>`,
    );
  });
  parts.push('</svg>');
  return { svg: parts.join('') };
}
