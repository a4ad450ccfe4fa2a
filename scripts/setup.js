#!/usr/bin/env node
/**
 * Installs what ASBRAC Manager needs, quickly and only what is missing:
 * - the npm dependencies, with `npm ci` from the committed lock file (never rewritten);
 * - a headless Chromium for PDFs: a system one when found; else Debian's `chromium` when running
 *   as root with apt; else Puppeteer's own installer. It says which it used.
 * - poppler-utils and faketime for the tests, where apt can install them.
 */
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const os = require('node:os');

const root = path.resolve(__dirname, '..');
const say = (msg) => console.log(`setup: ${msg}`);

function run(cmd, args, opts = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${result.status}`);
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || undefined;
}

function lockHash() {
  return createHash('sha256')
    .update(readFileSync(path.join(root, 'package-lock.json')))
    .digest('hex');
}

/** `npm ci` from the committed lock file (which it never rewrites), unless node_modules was installed from this very lock file. */
function installDependencies() {
  const marker = path.join(root, 'node_modules', '.installed-from-lock');
  const hash = lockHash();
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === hash)
    return say('npm dependencies already installed from package-lock.json');
  say('installing npm dependencies from package-lock.json (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund'], { env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: 'true' } });
  writeFileSync(marker, `${hash}\n`);
}

const SYSTEM_CHROMIUMS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

let aptUpdated = false;

function aptInstall(...pkgs) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !onPath('apt-get')) return false;
  say(`installing Debian's ${pkgs.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    if (!aptUpdated) run('apt-get', ['update', '-qq'], { env });
    aptUpdated = true;
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { env });
    return true;
  } catch (err) {
    say(`apt-get could not install ${pkgs.join(', ')}: ${err.message}`);
    return false;
  }
}

function installChromium() {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH is set to ${configured}, which does not exist`);
    return say(`Chromium: using CHROMIUM_PATH (${configured})`);
  }
  const found = SYSTEM_CHROMIUMS.find((p) => existsSync(p));
  if (found) return say(`Chromium: using the system's Chromium at ${found}`);
  if (aptInstall('chromium') && existsSync('/usr/bin/chromium'))
    return say("Chromium: installed Debian's chromium at /usr/bin/chromium");
  const cacheDir = path.join(os.homedir(), '.cache', 'puppeteer');
  say(`Chromium: no system Chromium and no apt; trying Puppeteer's installer into ${cacheDir}`);
  mkdirSync(cacheDir, { recursive: true });
  run(path.join(root, 'node_modules', '.bin', 'browsers'), [
    'install',
    'chrome-headless-shell@stable',
    '--path',
    cacheDir,
  ]);
  say(`Chromium: installed by Puppeteer's installer under ${cacheDir}`);
}

/** Tools the tests use: poppler (PDF text by position, fonts, page images) and faketime (the suite with the clock moved ahead). */
const TEST_TOOLS = [
  {
    pkg: 'poppler-utils',
    commands: ['pdftotext', 'pdftoppm', 'pdffonts'],
    without: 'the PDF tests that read positions, fonts and page images will fail',
  },
  { pkg: 'faketime', commands: ['faketime'], without: 'the test runs with the clock moved ahead cannot run' },
];

function installTestTools() {
  const missing = TEST_TOOLS.filter((t) => !t.commands.every(onPath));
  for (const t of TEST_TOOLS.filter((t) => !missing.includes(t))) say(`${t.pkg} already installed`);
  if (!missing.length || aptInstall(...missing.map((t) => t.pkg))) return;
  for (const t of missing) say(`${t.pkg} is not installed and apt-get is not available to root here: ${t.without}`);
}

function main() {
  installDependencies();
  installChromium();
  installTestTools();
  say('done');
}

try {
  main();
} catch (err) {
  console.error(`setup failed: ${err.message}`);
  process.exit(1);
}
