#!/usr/bin/env node
/**
 * `npm run build`: compiles src/ and migrations/ to dist/ with tsc, then writes dist/server.js, the
 * entry point (`node dist/server.js`), and dist/.built, whose time says when the build was made.
 */
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.built');
const SOURCES = ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function build() {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], {
    stdio: 'inherit',
    cwd: root,
  });
  if (result.status !== 0) throw new Error(`tsc failed with exit code ${result.status}`);
  mkdirSync(dist, { recursive: true });
  writeFileSync(
    path.join(dist, 'server.js'),
    "'use strict';\n// The compiled server: src/server.ts is built to dist/src/server.js.\nrequire('./src/server.js');\n",
  );
  writeFileSync(stamp, new Date().toISOString() + '\n');
}

function newestMtime(entry) {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(entry).reduce(
    (newest, name) => Math.max(newest, newestMtime(path.join(entry, name))),
    stat.mtimeMs,
  );
}

/** Builds when dist/ is missing or older than a source it is built from (an image without sources never builds). */
function ensureBuilt() {
  const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  const present = SOURCES.map((s) => path.join(root, s)).filter(existsSync);
  const sourcesAt = present.length ? Math.max(...present.map(newestMtime)) : 0;
  if (builtAt && sourcesAt <= builtAt) return;
  console.log(builtAt ? 'build: sources changed since the last build; building' : 'build: no build yet; building');
  build();
}

module.exports = { build, ensureBuilt };

if (require.main === module) {
  try {
    build();
    console.log('build: dist/ is up to date');
  } catch (err) {
    console.error(`build failed: ${err.message}`);
    process.exit(1);
  }
}
