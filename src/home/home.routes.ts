import { sql } from 'kysely';
import type { Services } from '../services';
import { currentUser } from '../http/context';
import { isDatabaseUnavailable } from '../db/database';
import { get, type RouteDef } from '../http/routes';

export function homeRoutes(services: Services): RouteDef[] {
  return [
    get('/', 'signed-in', (req, res) => {
      const user = currentUser(req);
      res.render('home', { title: 'Home', user, isAdmin: user.role === 'administrator' });
    }),

    // Liveness: the process answers. No session, no database (the benchmark's floor, too).
    get('/ping', 'public', (_req, res) => {
      res.type('text/plain').send('ok');
    }),

    get('/healthz', 'public', async (_req, res) => {
      try {
        await Promise.race([
          sql`select 1`.execute(services.db),
          new Promise((_, reject) => setTimeout(() => reject(Object.assign(new Error('health check timeout'), { code: 'ETIMEDOUT' })), 3000).unref()),
        ]);
        res.json({ status: 'ok', database: 'ok' });
      } catch (err) {
        if (!isDatabaseUnavailable(err)) services.logger.error({ err: { message: (err as Error).message } }, 'health check failed');
        res.status(503).json({ status: 'unavailable', database: 'down' });
      }
    }),
  ];
}
