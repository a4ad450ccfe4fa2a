import type { Logger } from 'pino';
import type { ServiceDeps } from '../service-deps';
import type { Db } from '../db/database';
import { isDatabaseUnavailable } from '../db/database';
import * as repo from './health.repository';

const TIMEOUT_MS = 3000;

/** Whether the database answers within the timeout; a failure other than "unavailable" is logged. */
export async function databaseHealthy(db: Db, logger?: Pick<Logger, 'error'>): Promise<boolean> {
  try {
    await Promise.race([
      repo.ping(db),
      new Promise((_, reject) =>
        setTimeout(
          () => reject(Object.assign(new Error('health check timeout'), { code: 'ETIMEDOUT' })),
          TIMEOUT_MS,
        ).unref(),
      ),
    ]);
    return true;
  } catch (err) {
    if (!isDatabaseUnavailable(err))
      logger?.error({ err: { message: err instanceof Error ? err.message : 'unknown' } }, 'health check failed');
    return false;
  }
}

/** The readiness check behind /healthz, as the composition root wires it. */
export function healthService({ db }: Pick<ServiceDeps, 'db'>, logger?: Pick<Logger, 'error'>) {
  return {
    databaseHealthy: () => databaseHealthy(db, logger),
  };
}

export type HealthService = ReturnType<typeof healthService>;
