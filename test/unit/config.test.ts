import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

const dataDir = () => mkdtempSync(path.join(os.tmpdir(), 'asbrac-config-'));

function errorFor(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ DATA_DIR: dataDir(), ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a configuration error');
}

test('with nothing set, then the defaults run the embedded database on port 3000', () => {
  const dir = dataDir();
  const config = loadConfig({ DATA_DIR: dir });
  expect(config).toMatchObject({
    port: 3000,
    databaseUrl: undefined,
    smtpUrl: undefined,
    baseUrl: 'http://localhost:3000',
    env: 'development',
    secureCookies: false,
  });
  expect(config.dataDir).toBe(dir);
});

test('without SESSION_SECRET outside production, then one is generated once and kept in DATA_DIR', () => {
  const dir = dataDir();
  const first = loadConfig({ DATA_DIR: dir }).sessionSecret;
  expect(first.length).toBeGreaterThanOrEqual(32);
  expect(readFileSync(path.join(dir, 'session-secret'), 'utf8')).toBe(first);
  expect(loadConfig({ DATA_DIR: dir }).sessionSecret).toBe(first);
});

test.each([
  [{ PORT: 'abc' }, 'PORT', 'positive whole number'],
  [{ PORT: '70000' }, 'PORT', 'below 65536'],
  [{ DATABASE_URL: 'mysql://db/x' }, 'DATABASE_URL', 'postgres'],
  [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL', 'valid URL'],
  [{ SMTP_URL: 'http://mail' }, 'SMTP_URL', 'smtp'],
  [{ BASE_URL: 'ftp://x' }, 'BASE_URL', 'http'],
  [{ SESSION_SECRET: 'short' }, 'SESSION_SECRET', 'at least 32'],
  [{ NODE_ENV: 'production' }, 'SESSION_SECRET', 'required when NODE_ENV=production'],
  [{ NODE_ENV: 'staging' }, 'NODE_ENV', 'must be one of'],
  [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', 'must be one of'],
  [{ DEMO_PASSWORD: 'short' }, 'DEMO_PASSWORD', 'at least 8'],
  [{ MAIL_FROM: 'a@b.org\nBcc: c@d.org' }, 'MAIL_FROM', 'one line'],
  [{ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), SEED_DEMO_DATA: 'true' }, 'SEED_DEMO_DATA', 'production'],
])('when %j, then start-up stops naming %s', (env, variable, detail) => {
  const err = errorFor(env);
  expect(err.variable).toBe(variable);
  expect(err.message).toContain(variable);
  expect(err.message).toContain(detail);
});

test('with an https BASE_URL, then cookies are Secure', () => {
  expect(loadConfig({ DATA_DIR: dataDir(), BASE_URL: 'https://asbrac.example.org/' })).toMatchObject({
    secureCookies: true,
    baseUrl: 'https://asbrac.example.org',
  });
});
