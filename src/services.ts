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
import { registerService } from './register/register.service';
import { actionsService } from './actions/actions.service';
import { meetingService } from './meeting/meeting.service';
import { MailWorker } from './mail/mail.worker';
import { fileTransport, smtpTransport, type MailTransport } from './mail/transport';
import path from 'node:path';
import { PdfRenderer } from './pdf/renderer';
import { pdfDocuments } from './pdf/documents';
import { minutesService } from './minutes/minutes.service';
import { panelsService } from './panels/panels.service';
import { agendaService } from './agendas/agenda.service';
import { researchService } from './research/research.service';

export interface Dependencies {
  config: Readonly<Config>;
  database: DatabaseHandle;
  clock: Clock;
  logger: Logger;
  /** Overrides the transport chosen from the configuration (tests). */
  mailTransport?: MailTransport;
}

/** The composition root: every service, wired by hand. */
export function createServices(deps: Dependencies) {
  const { config, database, clock, logger } = deps;
  const db = stampedBy(database.db, clock);
  const mailTransport = deps.mailTransport ?? (config.smtpUrl ? smtpTransport(config.smtpUrl) : fileTransport(path.join(config.dataDir, 'mail')));
  const mailWorker = new MailWorker({
    db,
    clock,
    transport: mailTransport,
    from: config.mailFrom,
    messageIdDomain: new URL(config.baseUrl).hostname,
    logger,
    intervalMs: config.mailWorkerIntervalMs,
  });
  const users = usersService(db, clock);
  // Chromium is launched on the first PDF, not here: most processes (and tests) never print one.
  const pdf = new PdfRenderer({ chromiumPath: config.chromiumPath, logger });
  const documents = pdfDocuments({ renderer: pdf });
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
    auth: authService(db, clock),
    agencies: agenciesService(db),
    users,
    referrals: referralsService(db, clock, config.baseUrl, () => mailWorker.poke()),
    meeting: meetingService(db, clock, config.baseUrl, () => mailWorker.poke()),
    actions: actionsService(db, clock, config.baseUrl, () => mailWorker.poke()),
    panels: panelsService(db, clock, config.baseUrl, () => mailWorker.poke()),
    agendas: agendaService(db, clock, config.baseUrl, () => mailWorker.poke()),
    research: researchService(db, clock, config.baseUrl, () => mailWorker.poke()),
    attendance: attendanceService(db, clock, config.baseUrl, () => mailWorker.poke(), config.mailFrom),
    register: registerService(db, clock),
    sessions: { endOtherSessions: users.endOtherSessions },
    pdf,
    pdfDocuments: documents,
    minutes: minutesService(db, clock, documents, () => mailWorker.poke()),
    /** Releases what services hold beyond the database: the PDF browser, after the renders in flight. */
    shutdown: async () => {
      await pdf.close();
    },
  };
}

export type Services = ReturnType<typeof createServices>;
