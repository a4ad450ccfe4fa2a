import path from 'node:path';
import express, { type ErrorRequestHandler, type Express } from 'express';
import session from 'express-session';
import { pinoHttp } from 'pino-http';
import { randomUUID } from 'node:crypto';
import type { Services } from './services';
import { DatabaseSessionStore, SESSION_IDLE_MS } from './auth/session-store';
import { authorize, loadCurrentUser } from './auth/current-user';
import { csrfProtection, CsrfError, noStore, securityHeaders } from './http/security';
import { formBodiesOnly, queryWithoutControlCharacters, redactedPath, stripControlCharacters } from './http/input';
import { HttpError, NotFoundError } from './http/errors';
import { navigationFor } from './http/navigation';
import type { RouteDef } from './http/routes';
import { actorOf, requestIdOf } from './http/context';
import { isDatabaseUnavailable } from './db/database';
import { setUpViews } from './views/engine';
import { recordAudit } from './audit/audit';
import { authRoutes } from './auth/auth.routes';
import { homeRoutes } from './home/home.routes';
import { agencyRoutes } from './agencies/agencies.routes';
import { userRoutes } from './users/users.routes';
import { mailRoutes } from './mail/mail.routes';
import { referralRoutes } from './referrals/referrals.routes';
import { riskMatrixRoutes } from './risk/risk-matrix.routes';
import { minutesRoutes } from './minutes/minutes.routes';
import { attendanceRoutes } from './attendance/attendance.routes';
import { attendanceMonthRoutes } from './attendance/attendance-month.routes';
import { registerRoutes } from './register/register.routes';
import { attendanceReportRoutes } from './reports/attendance.routes';
import { insightRoutes } from './insight/insight.routes';
import { retentionRoutes } from './retention/retention.routes';
import { auditRoutes } from './audit/audit.routes';
import { subjectAccessRoutes } from './subject-access/subject-access.routes';
import { panelRoutes } from './panels/panels.routes';
import { agendaRoutes } from './agendas/agenda.routes';
import { researchRoutes } from './research/research.routes';
import { meetingRoutes } from './meeting/meeting.routes';
import { PROJECT_ROOT } from './paths';
import { actionRoutes } from './actions/actions.routes';
import { youthCheckRoutes } from './youth-checks/youth-checks.routes';
import { caseStudyRoutes } from './case-studies/case-studies.routes';

const root = PROJECT_ROOT;
const govukDist = path.join(path.dirname(require.resolve('govuk-frontend/package.json')), 'dist', 'govuk');

/** Every route of the application, each with the rule of who may use it. */
export function routeTable(services: Services): RouteDef[] {
  return [
    ...homeRoutes(services),
    ...authRoutes(services),
    ...agencyRoutes(services),
    ...userRoutes(services),
    ...mailRoutes(services),
    ...referralRoutes(services),
    ...riskMatrixRoutes(services),
    ...minutesRoutes(services),
    ...attendanceRoutes(services),
    ...attendanceMonthRoutes(services),
    ...registerRoutes(services),
    ...attendanceReportRoutes(services),
    ...insightRoutes(services),
    ...retentionRoutes(services),
    ...auditRoutes(services),
    ...subjectAccessRoutes(services),
    ...panelRoutes(services),
    ...agendaRoutes(services),
    ...researchRoutes(services),
    ...meetingRoutes(services),
    ...actionRoutes(services),
    ...youthCheckRoutes(services),
    ...caseStudyRoutes(services),
  ];
}

function setUpStaticFiles(app: Express): void {
  const options = { index: false, maxAge: '1d', fallthrough: true } as const;
  // GOV.UK Frontend's CSS refers to /assets/fonts and /assets/images; its CSS and JS sit one level up.
  app.use('/assets', express.static(path.join(govukDist, 'assets'), options));
  app.use('/assets', express.static(govukDist, options));
  app.use('/public', express.static(path.join(root, 'public'), options));
}

function setUpLogging(app: Express, services: Services): void {
  app.use(
    pinoHttp({
      logger: services.logger,
      genReqId: (req, res) => {
        const id = randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // No personal data in logs: the path without its query string, no headers, no bodies.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: redactedPath(req.url),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customProps: (req) => ({ userId: (req as express.Request).user?.id }),
      autoLogging: { ignore: (req) => req.url === '/healthz' },
    }),
  );
}

function setUpSession(app: Express, services: Services): DatabaseSessionStore {
  const { config } = services;
  const store = new DatabaseSessionStore(services.db, services.clock, services.logger);
  app.use(
    session({
      name: services.sessionCookieName,
      secret: config.sessionSecret,
      store,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      // Only sign-out, expiry, a password reset and deactivation end a session. With 'destroy',
      // a failed read (the database restarting) left req.session unset and the session was deleted.
      unset: 'keep',
      proxy: config.trustProxy,
      cookie: { httpOnly: true, sameSite: 'lax', secure: config.secureCookies, maxAge: SESSION_IDLE_MS, path: '/' },
    }),
  );
  return store;
}

const ERROR_PAGES: Record<number, { heading: string; paragraphs: string[] }> = {
  400: { heading: 'Sorry, there is a problem with the request', paragraphs: ['Check what you entered and try again.'] },
  403: {
    heading: 'You do not have permission to see this page',
    paragraphs: ['If you think you should, ask your partnership administrator.'],
  },
  404: {
    heading: 'Page not found',
    paragraphs: [
      'If you typed the web address, check it is correct.',
      'If you pasted the web address, check you copied the entire address.',
    ],
  },
  409: {
    heading: 'Someone else changed this record',
    paragraphs: ['Reload the page to see the latest version, then make your changes again.'],
  },
  413: { heading: 'What you sent is too large', paragraphs: ['Shorten the text and try again.'] },
  429: { heading: 'Too many requests', paragraphs: ['Wait a few minutes and try again.'] },
  500: {
    heading: 'Sorry, there is a problem with the service',
    paragraphs: [
      'Try again later. Nothing you sent has been lost if you saw no confirmation; check before entering it again.',
    ],
  },
  503: {
    heading: 'Sorry, the service is unavailable',
    paragraphs: ['The database cannot be reached. Try again in a few minutes. Your last change was not saved.'],
  },
};

function errorHandler(services: Services): ErrorRequestHandler {
  return async (err, req, res, _next) => {
    const raw = err as { status?: number; statusCode?: number; expose?: boolean };
    let status = 500;
    if (err instanceof HttpError) status = err.status;
    else if (isDatabaseUnavailable(err)) status = 503;
    else if ((raw.status ?? raw.statusCode ?? 0) >= 400 && (raw.status ?? raw.statusCode ?? 0) < 500)
      status = raw.status ?? raw.statusCode ?? 400;
    const reference = requestIdOf(req) ?? randomUUID();
    if (status >= 500) {
      services.logger.error({ err, reqId: reference, status }, 'request failed');
    }
    if (err instanceof CsrfError) {
      await recordAudit(services.db, actorOf(req), {
        action: 'csrf.rejected',
        outcome: 'denied',
        details: { reason: err.reason, method: req.method },
      }).catch(() => undefined);
    }
    // After the response has ended (a session store failing as it finished), the log is enough.
    if (res.headersSent) return res.writableEnded ? undefined : res.destroy();
    const page = ERROR_PAGES[status] ?? ERROR_PAGES[status >= 500 ? 500 : 400];
    const ownMessage = err instanceof CsrfError || (err instanceof HttpError && status !== 404 && status !== 403);
    const paragraphs = ownMessage ? [(err as Error).message, ...page.paragraphs.slice(1)] : page.paragraphs;
    const heading = err instanceof CsrfError ? 'This form could not be accepted' : page.heading;
    res.status(status);
    if (status === 503) res.setHeader('Retry-After', '30');
    res.render(
      'errors/error',
      { title: heading, heading, paragraphs, reference: status >= 500 ? reference : undefined },
      (renderErr, html) => {
        if (renderErr) {
          services.logger.error({ err: renderErr }, 'error page failed to render');
          res.type('text/plain').send(`${page.heading}. Reference: ${reference}`);
        } else res.send(html);
      },
    );
  };
}

/**
 * After a form post, the session (the sign-in, a flash message) must be stored before the browser
 * follows the redirect: express-session may send a redirect's headers before its row is written.
 */
const saveSessionBeforeRedirect: express.RequestHandler = (req, res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD') return next();
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = (...args: unknown[]) => {
    if (!req.session) return redirect(...args);
    req.session.save((err) => (err ? next(err) : redirect(...args)));
  };
  next();
};

export interface AppOptions {
  /** Extra routes (tests); they are declared like every other route. */
  extraRoutes?: RouteDef[];
}

export function createApp(services: Services, options: AppOptions = {}): Express & { declaredRoutes: RouteDef[] } {
  const app = express() as Express & { declaredRoutes: RouteDef[] };
  app.disable('x-powered-by');
  // Pages are never stored (Cache-Control: no-store), so a hash of each one sent would serve nothing.
  app.disable('etag');
  app.set('trust proxy', services.config.trustProxy ? 1 : false);
  app.set('query parser', queryWithoutControlCharacters);
  setUpViews(app);
  app.use(securityHeaders());
  setUpLogging(app, services);
  setUpStaticFiles(app);
  app.use(noStore);
  app.use(formBodiesOnly);
  app.use(express.urlencoded({ extended: true, limit: '256kb', parameterLimit: 2000 }));
  app.use(stripControlCharacters);
  const sessionStore = setUpSession(app, services);
  app.use(saveSessionBeforeRedirect);
  app.use(loadCurrentUser(services.db, services.clock, sessionStore));
  app.use(
    csrfProtection(services.config.baseUrl, {
      secret: services.config.sessionSecret,
      secure: services.config.secureCookies,
    }),
  );
  app.use((req, res, next) => {
    res.locals.navigation = navigationFor(req.user, req.path);
    if (req.session.flash) {
      res.locals.flash = req.session.flash;
      delete req.session.flash;
    }
    next();
  });

  const routes = [...routeTable(services), ...(options.extraRoutes ?? [])];
  for (const route of routes) {
    app[route.method](route.path, authorize(services.db, route.access, route.path), ...route.handlers);
  }
  app.declaredRoutes = routes;

  app.use(() => {
    throw new NotFoundError();
  });
  app.use(errorHandler(services));
  return app;
}
