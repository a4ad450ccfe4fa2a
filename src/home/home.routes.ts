import type { Services } from '../services';
import { currentUser } from '../http/context';
import { get, type RouteDef } from '../http/routes';

export function homeRoutes(services: Services): RouteDef[] {
  return [
    get('/', 'signed-in', async (req, res) => {
      const user = currentUser(req);
      const todo = await services.todo.forUser(user);
      res.render('home', { title: 'Home', user, isAdmin: user.role === 'administrator', todo });
    }),

    // Liveness: the process answers. No session, no database (the benchmark's floor, too).
    get('/ping', 'public', (_req, res) => {
      res.type('text/plain').send('ok');
    }),

    // Readiness: the database answers too.
    get('/healthz', 'public', async (_req, res) => {
      // Until the composition root wires `health: healthService(serviceDeps, logger)`, the check is called directly.
      if (await services.health.databaseHealthy()) res.json({ status: 'ok', database: 'ok' });
      else res.status(503).json({ status: 'unavailable', database: 'down' });
    }),
  ];
}
