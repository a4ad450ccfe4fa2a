import type { Request, Response } from 'express';
import type { Services } from '../services';
import { actorOf } from '../http/context';
import { BadRequestError } from '../http/errors';
import { formState } from '../http/forms';
import { ADMIN_OR_CHAIR, get, type RouteDef } from '../http/routes';
import { attendanceCsv, readFilters, type ReportFilters } from './attendance-report';
import { monthLabel, renderChart } from './svg-chart';

function chartOf(
  filters: ReportFilters,
  districtName: string | undefined,
  monthly: { month: string; rate: number | null }[],
) {
  return renderChart({
    id: 'attendance-chart',
    kind: 'bar',
    title: `Attendance rate by month, ${districtName ?? 'all districts'}`,
    description: `The share of invited agencies that attended each panel month from ${monthLabel(filters.from)} to ${monthLabel(filters.to)}. The same figures are in the table beside the chart.`,
    unit: '%',
    max: 100,
    series: [{ name: 'Attendance rate', points: monthly.map((m) => ({ month: m.month, value: m.rate })) }],
  });
}

function reportPage(services: Services) {
  return async (req: Request, res: Response) => {
    const requested = readFilters(req.query, services.clock.now());
    const { filters, errors, districts, report } = await services.attendanceReport.page(
      actorOf(req),
      requested.filters,
      requested.errors,
    );
    const form = formState(requested.values, errors);
    const district = districts.find((d) => d.id === filters.districtId);
    const query = new URLSearchParams({
      from: filters.from,
      to: filters.to,
      district: filters.districtId ? String(filters.districtId) : '',
      threshold: String(filters.threshold),
    });
    res.status(form.hasErrors ? 400 : 200).render('reports/attendance', {
      title: 'Attendance by agency',
      form: form.hasErrors
        ? form
        : formState({
            from: filters.from,
            to: filters.to,
            district: filters.districtId ? String(filters.districtId) : '',
            threshold: String(filters.threshold),
          }),
      districtItems: [
        { value: '', text: 'All districts' },
        ...districts.map((d) => ({ value: String(d.id), text: d.name })),
      ],
      filters,
      districtName: district?.name ?? 'All districts',
      report: report && {
        ...report,
        overallRateText: report.overallRate === null ? null : `${report.overallRate}%`,
        rows: report.rows.map((r) => ({ ...r, rateText: r.rate === null ? '–' : `${r.rate}%` })),
      },
      chart: report ? chartOf(filters, district?.name, report.monthly) : null,
      csvLink: `/reports/attendance.csv?${query.toString()}`,
    });
  };
}

function reportCsv(services: Services) {
  return async (req: Request, res: Response) => {
    const { filters, errors } = readFilters(req.query, services.clock.now());
    const firstError = Object.values(errors)[0];
    if (firstError) throw new BadRequestError(firstError);
    const report = await services.attendanceReport.export(actorOf(req), filters);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="attendance-${filters.from}-to-${filters.to}.csv"`);
    res.send(attendanceCsv(report.rows));
  };
}

export function attendanceReportRoutes(services: Services): RouteDef[] {
  return [
    get('/reports/attendance', ADMIN_OR_CHAIR, reportPage(services)),
    get('/reports/attendance.csv', ADMIN_OR_CHAIR, reportCsv(services)),
  ];
}
