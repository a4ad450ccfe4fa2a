import { CHART_FONT_SIZE, escapeXml, renderChart, scaleTicks } from '../../src/reports/svg-chart';

const series = [
  {
    name: 'Rate',
    points: [
      { month: '2026-02', value: 50 },
      { month: '2026-01', value: 100 },
      { month: '2026-03', value: null },
    ],
  },
];

describe('the server-drawn chart', () => {
  test('when a bar chart is drawn, then it is an image named by its title and description, with one bar per month with a value', () => {
    const chart = renderChart({
      id: 'c1',
      title: 'Rate by month',
      description: 'Two months of data.',
      kind: 'bar',
      series,
      max: 100,
      unit: '%',
    });
    expect(chart.svg).toMatch(/^<svg [^>]*role="img" aria-labelledby="c1-title c1-desc">/);
    expect(chart.svg).toContain(
      '<title id="c1-title">Rate by month</title><desc id="c1-desc">Two months of data.</desc>',
    );
    expect(chart.svg.match(/<rect [^>]*fill="#1d70b8"><title>/g)).toHaveLength(2);
    expect(chart.svg).toContain('<title>Rate, Jan 2026: 100%</title>');
    expect(chart.svg.indexOf('Jan 2026')).toBeLessThan(chart.svg.indexOf('Feb 2026'));
    const full = /<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"[^>]*><title>Rate, Jan 2026/.exec(
      chart.svg,
    )!;
    const half = /<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"[^>]*><title>Rate, Feb 2026/.exec(
      chart.svg,
    )!;
    expect(Number(full[2])).toBeCloseTo(Number(half[2]) * 2, 0);
  });

  test('when the table is built, then it has the same months and values, and months without data say so', () => {
    const chart = renderChart({ id: 'c', title: 'T', description: 'D', kind: 'line', series, unit: '%' });
    expect(chart.table).toEqual({
      caption: 'T',
      headers: ['Month', 'Rate'],
      rows: [
        { month: 'Jan 2026', values: ['100%'] },
        { month: 'Feb 2026', values: ['50%'] },
        { month: 'Mar 2026', values: ['No data'] },
      ],
    });
    expect(chart.svg).toContain('<polyline');
    expect(chart.svg.match(/<circle /g)).toHaveLength(2);
  });

  test('when several series are drawn, then each has its own colour and legend entry', () => {
    const chart = renderChart({
      id: 'm',
      title: 'T',
      description: 'D',
      kind: 'bar',
      series: [series[0], { name: 'Other', points: [{ month: '2026-01', value: 3 }] }],
    });
    expect(chart.svg).toContain('>Rate</text>');
    expect(chart.svg).toContain('>Other</text>');
    expect(chart.svg).toContain('fill="#00703c"');
    expect(chart.table.headers).toEqual(['Month', 'Rate', 'Other']);
  });

  test('when text holds markup, then it is escaped in the SVG', () => {
    const chart = renderChart({
      id: 'x"y',
      title: '<script>alert(1)</script>',
      description: 'A & B',
      kind: 'bar',
      series: [{ name: '"><img>', points: [{ month: '2026-01', value: 1 }] }],
    });
    expect(chart.svg).not.toContain('<script>');
    expect(chart.svg).not.toContain('<img>');
    expect(chart.svg).toContain('&lt;script&gt;');
    expect(chart.svg).toContain('id="x&quot;y"');
    expect(escapeXml(`'&`)).toBe('&#39;&amp;');
  });

  test('when there are no months, then an empty chart is still a valid, labelled image', () => {
    const chart = renderChart({ id: 'e', title: 'Empty', description: 'Nothing', kind: 'line', series: [] });
    expect(chart.svg).toMatch(/^<svg [^>]*role="img"[\s\S]*<\/svg>$/);
    expect(chart.table.rows).toEqual([]);
  });
});

describe('a chart that can be read', () => {
  const months = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      month: `${2025 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`,
      value: (i * 7) % 15,
    }));

  test('when the values are counts, then the scale is in whole numbers', () => {
    expect(scaleTicks(15, true)).toEqual([0, 5, 10, 15]);
    expect(scaleTicks(3, true)).toEqual([0, 1, 2, 3]);
    expect(scaleTicks(1, true)).toEqual([0, 1]);
    expect(scaleTicks(100, false)).toEqual([0, 25, 50, 75, 100]);
    const chart = renderChart({
      id: 'n',
      title: 'T',
      description: 'D',
      kind: 'bar',
      series: [{ name: 'Referrals', points: months(12) }],
    });
    const ticks = [...chart.svg.matchAll(/text-anchor="end"[^>]*>([^<]+)</g)].map((m) => m[1]);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    for (const tick of ticks) expect(tick).toMatch(/^\d+$/);
  });

  test('when there are many months, then their names are spaced so that none overlaps another, and the type is readable', () => {
    for (const n of [6, 12, 24, 36]) {
      const chart = renderChart({
        id: 'm',
        title: 'T',
        description: 'D',
        kind: 'line',
        series: [{ name: 'Rate', points: months(n) }],
      });
      const xs = [
        ...chart.svg.matchAll(
          /<text x="([\d.]+)" y="[\d.]+" text-anchor="middle" font-size="(\d+)"[^>]*>([A-Z][a-z]{2} \d{4})</g,
        ),
      ];
      expect(xs.length).toBeGreaterThan(1);
      for (const m of xs) expect(Number(m[2])).toBeGreaterThanOrEqual(CHART_FONT_SIZE);
      // "Sep 2026" at the chart's type size is about 70 units wide.
      for (let i = 1; i < xs.length; i++) expect(Number(xs[i][1]) - Number(xs[i - 1][1])).toBeGreaterThanOrEqual(75);
      expect(xs[xs.length - 1][3]).toBe(chart.table.rows[chart.table.rows.length - 1].month);
    }
    expect(CHART_FONT_SIZE).toBeGreaterThanOrEqual(16);
  });
});
