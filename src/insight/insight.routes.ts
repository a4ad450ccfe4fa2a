import type { Request, Response } from 'express';
import Handlebars from 'handlebars';
import type { Services } from '../services';
import { actorOf } from '../http/context';
import { BadRequestError } from '../http/errors';
import { formState } from '../http/forms';
import { ADMIN_OR_CHAIR, get, type RouteDef } from '../http/routes';
import { renderChart } from '../reports/svg-chart';
import { renderCategoryChart } from './charts';
import { toCsv } from './csv';
import {  quarterlyCsvRows, QUARTERLY_AGENCY_HEADERS, QUARTERLY_DISTRICT_HEADERS } from './insight.service';
import { lastCompleteQuarter, parsePeriod, parseQuarter, type Period } from './period';
import { METHOD_IN_WORDS } from './trend';

/** The chart markup is built only from escaped text and numbers, so it may be inserted as it is. */
const safe = (svg: string) => new Handlebars.SafeString(svg);

function sendCsv(res: Response, filename: string, csv: string) {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  // A byte order mark, so spreadsheet programs read the text as UTF-8.
  res.send(`\ufeff${csv}`);
}

export function insightRoutes(services: Services): RouteDef[] {
  const { insight } = services;
  const filterDetails = (p: Period) => ({ from: p.fromMonth, to: p.toMonth, districtId: p.districtId });

  async function period(req: Request) {
    const districts = await insight.districts();
    return { districts, parsed: parsePeriod(req.query, services.clock.now(), districts.map((d) => d.id)) };
  }

  async function dashboard(req: Request, res: Response) {
    const { districts, parsed } = await period(req);
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
    const now = services.clock.now();
    const report = await insight.dashboard(p, now);
    await services.audit(actorOf(req), { action: 'report.view', entityType: 'report', entityId: 'dashboard', details: filterDetails(p) });
    const districtName = districts.find((d) => d.id === p.districtId)?.name ?? 'all districts';
    const query = new URLSearchParams({ from: p.fromMonth, to: p.toMonth, districtId: p.districtId === null ? '' : String(p.districtId) }).toString();
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
      safe(renderCategoryChart({ id, title, description: `${title}: horizontal bar chart. The same numbers are in the table beside it.`, bars: list, unit }).svg);
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
      sections: [
        { table: table('referrals-by-month'), chart: safe(monthChart.svg) },
        { table: table('referrals-by-subject-type'), chart: bars('chart-subject-type', 'Referrals by subject type', report.kinds) },
        { table: table('referrals-by-district'), chart: bars('chart-district', 'Referrals by district', report.byDistrict.map((d) => ({ label: d.name, value: d.n }))) },
        { table: table('referrals-by-agency'), chart: bars('chart-agency', 'Referrals by referring agency', report.byAgency.map((a) => ({ label: a.name, value: a.n }))) },
        { table: table('screening') },
        { table: table('vulnerabilities'), chart: bars('chart-vulnerabilities', 'Vulnerabilities most often present', report.vulns) },
        { table: table('case-outcomes') },
        {
          table: table('actions-by-agency'),
          wide: true,
          chart: bars('chart-actions-on-time', 'Actions completed on time, by agency', report.actions.map((a) => ({ label: a.name, value: a.set === 0 ? 0 : Math.round((a.onTime / a.set) * 100) })), '%'),
        },
      ],
      trendTable: table('trend-alerts'),
    });
  }

  async function quarterlyData(req: Request) {
    const requested = typeof req.query.quarter === 'string' ? req.query.quarter : lastCompleteQuarter(services.clock.now());
    return { requested, parsed: parseQuarter(requested, services.clock.now()) };
  }

  async function quarterlyPage(req: Request, res: Response) {
    const { requested, parsed } = await quarterlyData(req);
    if (!parsed.ok) {
      return res.status(400).render('insight/quarterly', { title: 'Quarterly data return', form: formState({ quarter: requested }, { quarter: parsed.error }) });
    }
    const data = await insight.quarterly(parsed.quarter, services.clock.now());
    await services.audit(actorOf(req), { action: 'report.view', entityType: 'report', entityId: 'quarterly', details: { quarter: parsed.quarter.label } });
    res.render('insight/quarterly', {
      title: 'Quarterly data return',
      form: formState({ quarter: parsed.quarter.label }, {}),
      data,
      districtHeaders: QUARTERLY_DISTRICT_HEADERS,
      agencyHeaders: QUARTERLY_AGENCY_HEADERS,
      csvHref: `/reports/quarterly.csv?quarter=${parsed.quarter.label}`,
      pdfHref: `/reports/quarterly.pdf?quarter=${parsed.quarter.label}`,
    });
  }

  async function quarterlyExport(req: Request, res: Response, format: 'csv' | 'pdf') {
    const { parsed } = await quarterlyData(req);
    if (!parsed.ok) throw new BadRequestError(parsed.error);
    const data = await insight.quarterly(parsed.quarter, services.clock.now());
    await services.audit(actorOf(req), { action: 'report.export', entityType: 'report', entityId: 'quarterly', details: { quarter: parsed.quarter.label, format } });
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
  }

  async function exportTable(req: Request, res: Response, next: (err?: unknown) => void) {
    const name = String(req.params.table);
    // Not one of this dashboard's tables: let a later route (or the 404 page) answer.
    if (!/^[a-z-]{1,40}$/.test(name) || !TABLE_NAMES.includes(name)) return next();
    const { parsed } = await period(req);
    if (!parsed.ok) throw new BadRequestError(Object.values(parsed.errors).join('. '));
    const report = await insight.dashboard(parsed.period, services.clock.now());
    const table = report.tables.find((t) => t.name === name);
    if (!table) return next();
    await services.audit(actorOf(req), { action: 'report.export', entityType: 'report', entityId: name, details: { ...filterDetails(parsed.period), rows: table.rows.length } });
    sendCsv(res, `${name}-${parsed.period.fromMonth}-to-${parsed.period.toMonth}.csv`, toCsv(table.headers, table.rows));
  }

  return [
    get('/reports', ADMIN_OR_CHAIR, dashboard),
    get('/reports/quarterly', ADMIN_OR_CHAIR, quarterlyPage),
    get('/reports/quarterly.csv', ADMIN_OR_CHAIR, (req, res) => quarterlyExport(req, res, 'csv')),
    get('/reports/quarterly.pdf', ADMIN_OR_CHAIR, (req, res) => quarterlyExport(req, res, 'pdf')),
    get('/reports/:table.csv', ADMIN_OR_CHAIR, exportTable),
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
