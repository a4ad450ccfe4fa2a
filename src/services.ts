import type { Logger } from 'pino';
import type { Config } from './config';
import type { Clock } from './clock';
import type { DatabaseHandle } from './db/database';
import { stampedBy } from './db/clock-timestamps';
import { recordAudit, type AuditEvent } from './audit/audit';
import type { Actor } from './http/context';
import { authService } from './auth/auth.service';
import { agenciesService } from './agencies/agencies.service';
import { usersService } from './users/users.service';
import { referralsService } from './referrals/referrals.service';
import { attendanceService } from './attendance/attendance.service';
import { attendanceMonthService } from './attendance/attendance-month';
import { registerService } from './register/register.service';
import { actionsService } from './actions/actions.service';
import { meetingService } from './meeting/meeting.service';
import { MailWorker } from './mail/mail.worker';
import { renderAttendanceLinks } from './invitations/invitations';
import { fileTransport, smtpTransport, type MailTransport } from './mail/transport';
import path from 'node:path';
import { PdfRenderer } from './pdf/renderer';
import { pdfDocuments } from './pdf/documents';
import { minutesService } from './minutes/minutes.service';
import { panelsService } from './panels/panels.service';
import { agendaService } from './agendas/agenda.service';
import { researchService } from './research/research.service';
import { insightService } from './insight/insight.service';
import { retentionService } from './retention/retention.service';
import { auditViewerService } from './audit/audit-viewer.service';
import { subjectAccessService } from './subject-access/subject-access.service';
import { mailAdminService } from './mail/mail-admin.service';
import { attendanceReportService } from './reports/attendance-report';
import { riskMatrixService } from './risk/risk-matrix.service';
import type { ServiceDeps } from './service-deps';
import { healthService } from './home/health.service';
import { todoService } from './home/todo.service';
import { youthChecksService } from './youth-checks/youth-checks.service';
import { caseStudiesService } from './case-studies/case-studies.service';

export interface Dependencies {
  config: Readonly<Config>;
  database: DatabaseHandle;
  clock: Clock;
  logger: Logger;
  /** Overrides the transport chosen from the configuration (tests). */
  mailTransport?: MailTransport;
}

/** The composition root: every service, wired by hand from one dependencies object. */
export function createServices(deps: Dependencies) {
  const { config, database, clock, logger } = deps;
  const db = stampedBy(database.db, clock);
  const mailTransport =
    deps.mailTransport ??
    (config.smtpUrl ? smtpTransport(config.smtpUrl) : fileTransport(path.join(config.dataDir, 'mail')));
  const mailWorker = new MailWorker({
    db,
    clock,
    transport: mailTransport,
    from: config.mailFrom,
    messageIdDomain: new URL(config.baseUrl).hostname,
    renderText: (text) => renderAttendanceLinks(db, text),
    logger,
    intervalMs: config.mailWorkerIntervalMs,
  });
  // Chromium is launched on the first PDF, not here: most processes (and tests) never print one.
  const pdf = new PdfRenderer({ chromiumPath: config.chromiumPath, logger });
  const documents = pdfDocuments({ renderer: pdf });
  const serviceDeps: ServiceDeps = {
    db,
    clock,
    mail: { from: config.mailFrom, poke: () => mailWorker.poke() },
    links: { baseUrl: config.baseUrl },
    documents,
  };

  return {
    config,
    db,
    database,
    clock,
    logger,
    mailTransport,
    mailWorker,
    sessionCookieName: config.secureCookies ? '__Host-asbrac.sid' : 'asbrac.sid',
    audit: (actor: Actor, event: AuditEvent) => recordAudit(db, actor, event),
    auth: authService(serviceDeps),
    agencies: agenciesService(serviceDeps),
    users: usersService(serviceDeps),
    riskMatrix: riskMatrixService(serviceDeps),
    referrals: referralsService(serviceDeps),
    meeting: meetingService(serviceDeps),
    actions: actionsService(serviceDeps),
    panels: panelsService(serviceDeps),
    agendas: agendaService(serviceDeps),
    research: researchService(serviceDeps),
    attendance: attendanceService(serviceDeps),
    attendanceMonth: attendanceMonthService(serviceDeps),
    register: registerService(serviceDeps),
    minutes: minutesService(serviceDeps),
    insight: insightService(serviceDeps),
    attendanceReport: attendanceReportService(serviceDeps),
    retention: retentionService(serviceDeps, { mailDir: path.join(config.dataDir, 'mail') }),
    auditViewer: auditViewerService(serviceDeps),
    subjectAccess: subjectAccessService(serviceDeps),
    mailAdmin: mailAdminService(serviceDeps),
    youthChecks: youthChecksService(serviceDeps),
    caseStudies: caseStudiesService(serviceDeps),
    health: healthService(serviceDeps, logger),
    todo: todoService(serviceDeps),
    pdf,
    pdfDocuments: documents,
    /** Releases what services hold beyond the database: the PDF browser, after the renders in flight. */
    shutdown: async () => {
      await pdf.close();
    },
  };
}

export type Services = ReturnType<typeof createServices>;
