import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM_ARGS, ChromiumNotFoundError, findChromium } from '../../src/pdf/chromium';

describe('finding Chromium', () => {
  let dir: string;
  const file = (...parts: string[]) => {
    const p = path.join(dir, ...parts);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, '', { mode: 0o755 });
    return p;
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'asbrac-find-chromium-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses CHROMIUM_PATH when it is set, before anything else', () => {
    const configured = file('custom', 'chrome');
    const usual = file('usr', 'bin', 'chromium');
    expect(findChromium(configured, { candidates: [usual] })).toBe(configured);
  });

  it('refuses a CHROMIUM_PATH that does not exist rather than picking another browser', () => {
    const usual = file('usr', 'bin', 'chromium');
    expect(() => findChromium(path.join(dir, 'missing'), { candidates: [usual] })).toThrow(ChromiumNotFoundError);
    expect(() => findChromium(path.join(dir, 'missing'), { candidates: [usual] })).toThrow(
      /CHROMIUM_PATH is ".*missing"/,
    );
  });

  it('ignores a file that is not executable', () => {
    const plain = path.join(dir, 'chromium');
    writeFileSync(plain, '', { mode: 0o644 });
    const usual = file('usr', 'bin', 'chromium');
    // root may execute anything with an execute bit, but nothing without one
    expect(findChromium(undefined, { candidates: [plain, usual], puppeteerCacheDir: dir })).toBe(usual);
  });

  it('takes the first of the usual places that exists', () => {
    const second = file('usr', 'bin', 'chromium-browser');
    const third = file('usr', 'bin', 'google-chrome');
    expect(
      findChromium(undefined, {
        candidates: [path.join(dir, 'usr', 'bin', 'chromium'), second, third],
        puppeteerCacheDir: dir,
      }),
    ).toBe(second);
  });

  it("falls back to the newest browser in Puppeteer's cache", () => {
    file('cache', 'chrome', 'linux-120.0.6099.109', 'chrome-linux64', 'chrome');
    const newest = file('cache', 'chrome', 'linux-131.0.6778.85', 'chrome-linux64', 'chrome');
    expect(findChromium(undefined, { candidates: [], puppeteerCacheDir: path.join(dir, 'cache') })).toBe(newest);
  });

  it('says to set CHROMIUM_PATH when there is no browser anywhere', () => {
    expect(() =>
      findChromium(undefined, {
        candidates: [path.join(dir, 'nothing')],
        puppeteerCacheDir: path.join(dir, 'no-cache'),
      }),
    ).toThrow(/CHROMIUM_PATH/);
  });

  it('launches with the flags root needs on these machines and no way out to the network', () => {
    expect(CHROMIUM_ARGS).toEqual(
      expect.arrayContaining([
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--host-resolver-rules=MAP * ~NOTFOUND',
      ]),
    );
  });
});
