#!/usr/bin/env node
/**
 * Runs a compiled entry point in this process (so signals reach it directly), building first when
 * dist/ is missing or stale: `node scripts/start.js` is the server (`npm start`);
 * `node scripts/start.js src/db/migrate-cli` runs dist/src/db/migrate-cli.js.
 */
const path = require('node:path');
const { ensureBuilt } = require('./build');

const root = path.resolve(__dirname, '..');
const entry = process.argv[2] ?? 'server';
if (!/^[a-z0-9/-]+$/.test(entry)) {
  console.error(`start: "${entry}" is not an entry point`);
  process.exit(2);
}
try {
  ensureBuilt();
} catch (err) {
  console.error(`start: ${err.message}`);
  process.exit(1);
}
require(path.join(root, 'dist', `${entry}.js`));
