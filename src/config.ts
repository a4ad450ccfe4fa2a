import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** The only reader of process.env. A bad value stops start-up with a message naming the variable. */

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`Configuration error: ${variable} ${detail}`);
    this.name = 'ConfigError';
  }
}

const positiveInt = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      if (!/^\d+$/.test(v) || Number(v) <= 0) {
        ctx.addIssue({ code: 'custom', message: `must be a positive whole number, got "${v}"` });
        return z.NEVER;
      }
      return Number(v);
    });

const url = (protocols: string[]) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      try {
        const parsed = new URL(v);
        if (!protocols.includes(parsed.protocol)) {
          ctx.addIssue({ code: 'custom', message: `must start with ${protocols.join(' or ')}//` });
          return z.NEVER;
        }
        return v;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a valid URL' });
        return z.NEVER;
      }
    });

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: positiveInt(3000).refine((p) => p < 65536, 'must be a port number below 65536'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  DATABASE_POOL_SIZE: positiveInt(10),
  SESSION_SECRET: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || v.length >= 32, 'must be at least 32 characters'),
  SMTP_URL: url(['smtp:', 'smtps:']),
  MAIL_FROM: z
    .string()
    .default('ASBRAC Manager <asbrac@example.org>')
    .refine((v) => !/[\r\n]/.test(v), 'must be one line'),
  BASE_URL: url(['http:', 'https:']),
  CHROMIUM_PATH: z.string().optional(),
  DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters').default('demo-password'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  SEED_DEMO_DATA: z.enum(['true', 'false', 'auto']).default('auto'),
  MAIL_WORKER_INTERVAL_MS: positiveInt(2000),
  SHUTDOWN_TIMEOUT_MS: positiveInt(10000),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  sessionSecret: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  baseUrl: string;
  chromiumPath: string | undefined;
  demoPassword: string;
  logLevel: string;
  trustProxy: boolean;
  seedDemoData: 'true' | 'false' | 'auto';
  mailWorkerIntervalMs: number;
  /** How long a stop (SIGTERM) may take before the process exits regardless. */
  shutdownTimeoutMs: number;
  /** Cookies marked Secure (and __Host- prefixed) when the app is served over HTTPS. */
  secureCookies: boolean;
}

function sessionSecretFor(env: Config['env'], given: string | undefined, dataDir: string): string {
  if (given) return given;
  if (env === 'production') throw new ConfigError('SESSION_SECRET', 'is required when NODE_ENV=production');
  const file = path.join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue.path[0] ?? 'environment');
    const given = env[variable];
    const detail =
      issue.code === 'invalid_value' ? `must be one of ${issue.values.join(', ')}, got "${given}"` : issue.message;
    throw new ConfigError(variable, detail);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const baseUrl = (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  if (e.NODE_ENV === 'production' && e.SEED_DEMO_DATA === 'true') {
    throw new ConfigError('SEED_DEMO_DATA', 'cannot be true when NODE_ENV=production');
  }
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    dataDir,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    sessionSecret: sessionSecretFor(e.NODE_ENV, e.SESSION_SECRET || undefined, dataDir),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    baseUrl,
    chromiumPath: e.CHROMIUM_PATH || undefined,
    demoPassword: e.DEMO_PASSWORD,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY === 'true',
    seedDemoData: e.SEED_DEMO_DATA,
    mailWorkerIntervalMs: e.MAIL_WORKER_INTERVAL_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    secureCookies: baseUrl.startsWith('https:'),
  });
}
