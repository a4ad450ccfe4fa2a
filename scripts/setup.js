#!/usr/bin/env node
/**
 * Installs what ASBRAC Manager needs, quickly and only what is missing:
 * - the npm dependencies (from the committed lock file);
 * - a headless Chromium for PDFs: a system one when found; else Debian's `chromium` when running
 *   as root with apt; else Puppeteer's own installer. It says which it used.
 * - poppler-utils (pdftotext, pdftoppm) for the PDF tests, where apt can install it.
 */
const { spawnSync } = require('node:child_process');
const { existsSync, statSync, mkdirSync } = require('node:fs');
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

function installDependencies() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  const upToDate = existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs;
  if (upToDate) return say('npm dependencies already installed');
  say('installing npm dependencies from package-lock.json');
  // `npm ci` refuses lock files that omit foreign-platform optional packages; `npm install` with the
  // committed lock file installs the same versions and leaves the lock file unchanged.
  run('npm', ['install', '--no-audit', '--no-fund'], { env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: 'true' } });
}

const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

function aptInstall(pkg) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !onPath('apt-get')) return false;
  say(`installing Debian's ${pkg} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    run('apt-get', ['update', '-qq'], { env });
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], { env });
    return true;
  } catch (err) {
    say(`apt-get could not install ${pkg}: ${err.message}`);
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
  if (aptInstall('chromium') && existsSync('/usr/bin/chromium')) return say("Chromium: installed Debian's chromium at /usr/bin/chromium");
  const cacheDir = path.join(os.homedir(), '.cache', 'puppeteer');
  say(`Chromium: no system Chromium and no apt; trying Puppeteer's installer into ${cacheDir}`);
  mkdirSync(cacheDir, { recursive: true });
  run(path.join(root, 'node_modules', '.bin', 'browsers'), ['install', 'chrome-headless-shell@stable', '--path', cacheDir]);
  say(`Chromium: installed by Puppeteer's installer under ${cacheDir}`);
}

function installPoppler() {
  if (onPath('pdftotext') && onPath('pdftoppm')) return say('poppler-utils already installed');
  if (!aptInstall('poppler-utils')) say('poppler-utils not installed: the PDF tests check text with pdf-parse only and skip the page images');
}

function main() {
  installDependencies();
  installChromium();
  installPoppler();
  say('done');
}

try {
  main();
} catch (err) {
  console.error(`setup failed: ${err.message}`);
  process.exit(1);
}
