import type { Services } from '../services';
import { actorOf } from '../http/context';
import { BadRequestError } from '../http/errors';
import { formState } from '../http/forms';
import { ADMIN_OR_CHAIR, get, type RouteDef } from '../http/routes';
import { recordAudit } from '../audit/audit';
import { attendanceCsv, attendanceReport, readFilters } from './attendance-report';
import { monthLabel, renderChart } from './svg-chart';

export function attendanceReportRoutes(services: Services): RouteDef[] {
  const { db, clock } = services;

  async function districtsOf() {
    return db.selectFrom('districts').select(['id', 'name']).orderBy('name').execute();
  }

  return [
    get('/reports/attendance', ADMIN_OR_CHAIR, async (req, res) => {
      const { filters, errors, values } = readFilters(req.query, clock.now());
      const districts = await districtsOf();
      if (filters.districtId !== null && !districts.some((d) => d.id === filters.districtId)) {
        errors.district = 'Select a district from the list';
        filters.districtId = null;
      }
      const form = formState(values, errors);
      const report = form.hasErrors ? null : await attendanceReport(db, filters);
      await recordAudit(db, actorOf(req), { action: 'report.attendance.view', outcome: report ? 'success' : 'failure', details: { from: filters.from, to: filters.to, districtId: filters.districtId, threshold: filters.threshold } });
      const district = districts.find((d) => d.id === filters.districtId);
      const chart = report
        ? renderChart({
            id: 'attendance-chart',
            kind: 'bar',
            title: `Attendance rate by month, ${district?.name ?? 'all districts'}`,
            description: `The share of invited agencies that attended each panel month from ${monthLabel(filters.from)} to ${monthLabel(filters.to)}. The same figures are in the table beside the chart.`,
            unit: '%',
            max: 100,
            series: [{ name: 'Attendance rate', points: report.monthly.map((m) => ({ month: m.month, value: m.rate })) }],
          })
        : null;
      const query = new URLSearchParams({ from: filters.from, to: filters.to, district: filters.districtId ? String(filters.districtId) : '', threshold: String(filters.threshold) });
      res.status(form.hasErrors ? 400 : 200).render('reports/attendance', {
        title: 'Attendance by agency',
        form: form.hasErrors ? form : formState({ from: filters.from, to: filters.to, district: filters.districtId ? String(filters.districtId) : '', threshold: String(filters.threshold) }),
        districtItems: [{ value: '', text: 'All districts' }, ...districts.map((d) => ({ value: String(d.id), text: d.name }))],
        filters,
        districtName: district?.name ?? 'All districts',
        report: report && {
          ...report,
          overallRateText: report.overallRate === null ? null : `${report.overallRate}%`,
          rows: report.rows.map((r) => ({ ...r, rateText: r.rate === null ? '–' : `${r.rate}%` })),
        },
        chart,
        csvLink: `/reports/attendance.csv?${query.toString()}`,
      });
    }),

    get('/reports/attendance.csv', ADMIN_OR_CHAIR, async (req, res) => {
      const { filters, errors } = readFilters(req.query, clock.now());
      const firstError = Object.values(errors)[0];
      if (firstError) throw new BadRequestError(firstError);
      if (filters.districtId !== null && !(await db.selectFrom('districts').select('id').where('id', '=', filters.districtId).executeTakeFirst())) {
        throw new BadRequestError('Select a district from the list');
      }
      const report = await attendanceReport(db, filters);
      await recordAudit(db, actorOf(req), { action: 'report.attendance.export', details: { from: filters.from, to: filters.to, districtId: filters.districtId, threshold: filters.threshold, rows: report.rows.length } });
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="attendance-${filters.from}-to-${filters.to}.csv"`);
      res.send(attendanceCsv(report.rows));
    }),
  ];
}
