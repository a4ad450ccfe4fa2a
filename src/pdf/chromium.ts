import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

export const CHROMIUM_CANDIDATES: readonly string[] = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];

export class ChromiumNotFoundError extends Error {
  constructor(detail: string) {
    super(
      `Chromium not found: ${detail}. Install Chromium (Debian: apt-get install chromium) or set CHROMIUM_PATH to its executable.`,
    );
    this.name = 'ChromiumNotFoundError';
  }
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The newest browser Puppeteer's own installer left in its cache, if any (never on CI here, but on developers' machines). */
function fromPuppeteerCache(cacheDir: string): string | undefined {
  const layouts: Array<[string, string[]]> = [
    ['chrome', ['chrome-linux64', 'chrome']],
    ['chrome-headless-shell', ['chrome-headless-shell-linux64', 'chrome-headless-shell']],
  ];
  for (const [product, tail] of layouts) {
    const dir = path.join(cacheDir, product);
    if (!existsSync(dir)) continue;
    const versions = readdirSync(dir).sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
    for (const version of versions) {
      const file = path.join(dir, version, ...tail);
      if (isExecutableFile(file)) return file;
    }
  }
  return undefined;
}

export interface FindChromiumOptions {
  candidates?: readonly string[];
  puppeteerCacheDir?: string;
}

/** CHROMIUM_PATH when set (and then it must exist: a typo should not silently pick another browser), else the usual places. */
export function findChromium(configured: string | undefined, options: FindChromiumOptions = {}): string {
  if (configured) {
    if (isExecutableFile(configured)) return configured;
    throw new ChromiumNotFoundError(`CHROMIUM_PATH is "${configured}", which is not an executable file`);
  }
  const candidates = options.candidates ?? CHROMIUM_CANDIDATES;
  const found = candidates.find(isExecutableFile);
  if (found) return found;
  const cached = fromPuppeteerCache(options.puppeteerCacheDir ?? path.join(os.homedir(), '.cache', 'puppeteer'));
  if (cached) return cached;
  throw new ChromiumNotFoundError(`none of ${candidates.join(', ')} exists and CHROMIUM_PATH is not set`);
}

/**
 * Root on these machines needs --no-sandbox. The proxy and resolver rules are a last line of defence
 * behind request interception and the document's CSP: anything that still tries the network (a
 * preconnect, a prefetch) is sent to a proxy whose name cannot resolve, so no socket is ever opened.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--font-render-hinting=none',
  '--proxy-server=http://proxy.invalid:9',
  '--proxy-bypass-list=<-loopback>',
  '--host-resolver-rules=MAP * ~NOTFOUND',
];

export interface LaunchedChromium {
  browser: Browser;
  userDataDir: string;
  /** Closes the browser (killing it if it does not close in time) and removes its profile. Safe to call twice. */
  dispose(): Promise<void>;
}

export interface LaunchOptions {
  executablePath: string;
  timeoutMs?: number;
  protocolTimeoutMs?: number;
}

export async function launchChromium(options: LaunchOptions): Promise<LaunchedChromium> {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'asbrac-chromium-'));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath: options.executablePath,
      headless: true,
      pipe: true,
      userDataDir,
      args: [...CHROMIUM_ARGS],
      timeout: options.timeoutMs ?? 30000,
      protocolTimeout: options.protocolTimeoutMs,
      // The app decides when the browser goes on SIGTERM: after the requests in flight have finished.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true, maxRetries: 3 });
    throw err;
  }
  let disposed: Promise<void> | undefined;
  const dispose = () =>
    (disposed ??= (async () => {
      const child = browser.process();
      if (browser.connected) {
        const closed = browser.close().catch(() => undefined);
        const timer = new Promise((resolve) => setTimeout(resolve, 5000).unref());
        await Promise.race([closed, timer]);
      }
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      }
      await rm(userDataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    })());
  return { browser, userDataDir, dispose };
}
