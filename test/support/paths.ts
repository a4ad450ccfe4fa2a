import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');
/**
 * Databases of one test run carry the run's id, so that two runs on one server (a developer's and
 * CI's, say) never drop each other's databases. Set by the global setup, inherited by the workers.
 */
export function runId(): string {
  process.env.ASBRAC_TEST_RUN ??= `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
  return process.env.ASBRAC_TEST_RUN;
}
export const templateDb = () => `asbrac_tpl_${runId()}`;
export const testDbPrefix = () => `asbrac_t_${runId()}_`;
export const DEMO_PASSWORD = 'demo-password';
export const pgliteTemplate = () => path.join(os.tmpdir(), `asbrac-pglite-${runId()}.tar.gz`);
