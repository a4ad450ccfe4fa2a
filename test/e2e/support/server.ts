import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startAppProcess, type AppProcess } from '../../support/process';
import { createEmptyDatabase } from '../../support/database';
import { startSmtpServer, type TestSmtpServer } from '../../support/smtp';

export interface RunningApp {
  app: AppProcess;
  smtp: TestSmtpServer;
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * The real server with demo data, as `npm start` runs it: on a new PostgreSQL database when
 * TEST_DATABASE_URL is set (as in CI), otherwise on a new embedded database; mail goes to a real
 * SMTP server in the test process.
 */
export async function startRealApp(): Promise<RunningApp> {
  const smtp = await startSmtpServer();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'asbrac-e2e-data-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    PORT: String(port),
    BASE_URL: baseUrl,
    SMTP_URL: smtp.url,
    SEED_DEMO_DATA: 'true',
    LOG_LEVEL: 'warn',
  };
  let dropDatabase = (): Promise<void> => Promise.resolve();
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const database = await createEmptyDatabase(adminUrl);
    env.DATABASE_URL = database.url;
    dropDatabase = () => database.drop();
  }
  const app = await startAppProcess({ ...env, LOG_LEVEL: 'info' }, 120000);
  if (app.child.exitCode !== null) throw new Error(`the app did not start:\n${app.output()}`);
  return {
    app,
    smtp,
    baseUrl,
    async stop() {
      if (app.child.exitCode === null) {
        app.child.kill('SIGTERM');
        await app.exited;
      }
      await smtp.close();
      await dropDatabase();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
