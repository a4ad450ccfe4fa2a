import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config';
import { createServices, type Services } from '../../src/services';
import { createApp } from '../../src/app';
import { SettableClock } from '../../src/clock';
import type { MailTransport } from '../../src/mail/transport';
import type { RouteDef } from '../../src/http/routes';
import { openTestDatabase } from './database';

export interface TestContext {
  app: ReturnType<typeof createApp>;
  services: Services;
  db: Services['db'];
  clock: SettableClock;
  config: Readonly<Config>;
  dataDir: string;
  close(): Promise<void>;
}

export interface TestOptions {
  now?: string;
  mailTransport?: MailTransport;
  env?: Record<string, string>;
  extraRoutes?: RouteDef[];
}

/** A real app on a real database of this file's own, with a clock the test controls. */
export async function createTestContext(options: TestOptions = {}): Promise<TestContext> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'asbrac-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    SESSION_SECRET: 'test-session-secret-that-is-long-enough-0123456789',
    BASE_URL: 'http://127.0.0.1',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const database = await openTestDatabase();
  const clock = new SettableClock(options.now ?? new Date());
  const services = createServices({
    config,
    database,
    clock,
    logger: pino({ level: 'silent' }),
    mailTransport: options.mailTransport,
  });
  const app = createApp(services, { extraRoutes: options.extraRoutes });
  return {
    app,
    services,
    db: services.db,
    clock,
    config,
    dataDir,
    close: async () => {
      await services.mailWorker.stop();
      await services.shutdown();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
