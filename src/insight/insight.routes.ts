import type { NextFunction, Request, Response } from 'express';
import Handlebars from 'handlebars';
import type { Services } from '../services';
import { actorOf } from '../http/context';
import { BadRequestError } from '../http/errors';
import { formState } from '../http/forms';
import { ADMIN_OR_CHAIR, get, type RouteDef } from '../http/routes';
import { renderChart } from '../reports/svg-chart';
import { renderCategoryChart } from './charts';
import { toCsv } from './csv';
import { quarterlyCsvRows, QUARTERLY_AGENCY_HEADERS, QUARTERLY_DISTRICT_HEADERS } from './insight.service';
import type { Period } from './period';
import { METHOD_IN_WORDS } from './trend';

/** The chart markup is built only from escaped text and numbers, so it may be inserted as it is. */
const safe = (svg: string) => new Handlebars.SafeString(svg);

function sendCsv(res: Response, filename: string, csv: string) {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  // A byte order mark, so spreadsheet programs read the text as UTF-8.
  res.send(`\ufeff${csv}`);
}

type Report = Awaited<ReturnType<Services['insight']['dashboard']>>;

/** The dashboard's sections: each table beside its chart, the tables linked to their CSV export. */
function dashboardSections(report: Report, p: Period, districtName: string, query: string) {
  const table = (name: string) => {
    const t = report.tables.find((x) => x.name === name);
    return t && { ...t, csvHref: `/reports/${t.name}.csv?${query}` };
  };
  const monthChart = renderChart({
    id: 'chart-referrals-by-month',
    title: `Referrals by month, ${districtName}`,
    description: `Bar chart of referrals submitted each month from ${p.months[0]} to ${p.months[p.months.length - 1]}. The same numbers are in the table that follows.`,
    kind: 'bar',
    series: [{ name: 'Referrals', points: report.monthly.map((m) => ({ month: m.month, value: m.value })) }],
  });
  const bars = (id: string, title: string, list: { label: string; value: number }[], unit?: string) =>
    safe(
      renderCategoryChart({
        id,
        title,
        description: `${title}: horizontal bar chart. The same numbers are in the table beside it.`,
        bars: list,
        unit,
      }).svg,
    );
  const onTime = report.actions.map((a) => ({
    label: a.name,
    value: a.set === 0 ? 0 : Math.round((a.onTime / a.set) * 100),
  }));
  return {
    sections: [
      { table: table('referrals-by-month'), chart: safe(monthChart.svg) },
      {
        table: table('referrals-by-subject-type'),
        chart: bars('chart-subject-type', 'Referrals by subject type', report.kinds),
      },
      {
        table: table('referrals-by-district'),
        chart: bars(
          'chart-district',
          'Referrals by district',
          report.byDistrict.map((d) => ({ label: d.name, value: d.n })),
        ),
      },
      {
        table: table('referrals-by-agency'),
        chart: bars(
          'chart-agency',
          'Referrals by referring agency',
          report.byAgency.map((a) => ({ label: a.name, value: a.n })),
        ),
      },
      { table: table('screening') },
      {
        table: table('vulnerabilities'),
        chart: bars('chart-vulnerabilities', 'Vulnerabilities most often present', report.vulns),
      },
      { table: table('case-outcomes') },
      {
        table: table('actions-by-agency'),
        wide: true,
        chart: bars('chart-actions-on-time', 'Actions completed on time, by agency', onTime, '%'),
      },
    ],
    trendTable: table('trend-alerts'),
  };
}

function dashboardPage(services: Services) {
  const { insight } = services;
  return async (req: Request, res: Response) => {
    const { districts, parsed } = await insight.filters(req.query);
    const districtItems = districts.map((d) => ({ value: d.id, text: d.name }));
    if (!parsed.ok) {
      return res.status(400).render('insight/dashboard', {
        title: 'Reports',
        form: formState({ ...parsed.values }, parsed.errors),
        districtItems,
        method: METHOD_IN_WORDS,
      });
    }
    const p = parsed.period;
    const report = await insight.dashboard(p, actorOf(req));
    const districtName = districts.find((d) => d.id === p.districtId)?.name ?? 'all districts';
    const query = new URLSearchParams({
      from: p.fromMonth,
      to: p.toMonth,
      districtId: p.districtId === null ? '' : String(p.districtId),
    }).toString();
    res.render('insight/dashboard', {
      title: 'Reports',
      form: formState({ ...parsed.values }, {}),
      districtItems,
      districtName,
      period: p,
      query,
      method: METHOD_IN_WORDS,
      trend: report.trend,
      headline: {
        submitted: report.screening.submitted,
        accepted: report.screening.accepted,
        share: report.tables.find((t) => t.name === 'screening')?.rows[2][1],
        heard: report.heard,
        open: report.open,
        closed: report.closedTotal,
        escalated: report.escalatedTotal,
      },
      ...dashboardSections(report, p, districtName, query),
    });
  };
}

function quarterlyPage(services: Services) {
  const { insight } = services;
  return async (req: Request, res: Response) => {
    const { requested, parsed } = insight.quarterAsked(req.query.quarter);
    if (!parsed.ok) {
      return res.status(400).render('insight/quarterly', {
        title: 'Quarterly data return',
        form: formState({ quarter: requested }, { quarter: parsed.error }),
      });
    }
    const data = await insight.quarterly(parsed.quarter, actorOf(req));
    res.render('insight/quarterly', {
      title: 'Quarterly data return',
      form: formState({ quarter: parsed.quarter.label }, {}),
      data,
      districtHeaders: QUARTERLY_DISTRICT_HEADERS,
      agencyHeaders: QUARTERLY_AGENCY_HEADERS,
      csvHref: `/reports/quarterly.csv?quarter=${parsed.quarter.label}`,
      pdfHref: `/reports/quarterly.pdf?quarter=${parsed.quarter.label}`,
    });
  };
}

function quarterlyExport(services: Services, format: 'csv' | 'pdf') {
  return async (req: Request, res: Response) => {
    const { parsed } = services.insight.quarterAsked(req.query.quarter);
    if (!parsed.ok) throw new BadRequestError(parsed.error);
    const data = await services.insight.quarterly(parsed.quarter, actorOf(req), format);
    const filename = `quarterly-return-${parsed.quarter.label}`;
    if (format === 'csv') {
      const { headers, rows } = quarterlyCsvRows(data);
      return sendCsv(res, `${filename}.csv`, toCsv(headers, rows));
    }
    const pdf = await services.pdfDocuments.renderDocument('quarterly-return', {
      title: `Quarterly data return ${parsed.quarter.label}`,
      date: services.clock.now(),
      data,
      districtHeaders: QUARTERLY_DISTRICT_HEADERS,
      agencyHeaders: QUARTERLY_AGENCY_HEADERS,
    });
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `attachment; filename="${filename}.pdf"`);
    res.send(pdf);
  };
}

function exportTable(services: Services) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const name = String(req.params.table);
    // Not one of this dashboard's tables: let a later route (or the 404 page) answer.
    if (!/^[a-z-]{1,40}$/.test(name) || !TABLE_NAMES.includes(name)) return next();
    const { parsed } = await services.insight.filters(req.query);
    if (!parsed.ok) throw new BadRequestError(Object.values(parsed.errors).join('. '));
    const table = await services.insight.dashboardTable(parsed.period, name, actorOf(req));
    if (!table) return next();
    sendCsv(
      res,
      `${name}-${parsed.period.fromMonth}-to-${parsed.period.toMonth}.csv`,
      toCsv(table.headers, table.rows),
    );
  };
}

export function insightRoutes(services: Services): RouteDef[] {
  return [
    get('/reports', ADMIN_OR_CHAIR, dashboardPage(services)),
    get('/reports/quarterly', ADMIN_OR_CHAIR, quarterlyPage(services)),
    get('/reports/quarterly.csv', ADMIN_OR_CHAIR, quarterlyExport(services, 'csv')),
    get('/reports/quarterly.pdf', ADMIN_OR_CHAIR, quarterlyExport(services, 'pdf')),
    get('/reports/:table.csv', ADMIN_OR_CHAIR, exportTable(services)),
  ];
}

export const TABLE_NAMES = [
  'referrals-by-month',
  'referrals-by-subject-type',
  'referrals-by-district',
  'referrals-by-agency',
  'screening',
  'vulnerabilities',
  'case-outcomes',
  'actions-by-agency',
  'trend-alerts',
];
