import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');
export const PGLITE_TEMPLATE = path.join(ARTIFACTS, 'pglite-template.tar.gz');
export const TEMPLATE_DB = 'asbrac_test_template';
export const DEMO_PASSWORD = 'demo-password';
