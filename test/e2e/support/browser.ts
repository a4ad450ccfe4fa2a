import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import { findChromium } from '../../../src/pdf/chromium';
import { ARTIFACTS } from '../../support/paths';

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const SCREENSHOTS = path.join(ARTIFACTS, 'e2e');
/** A phone's width in CSS pixels (an iPhone 12 to 15): every page is checked at it too. */
export const PHONE_WIDTH = 390;

export interface AxeViolation {
  page: string;
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** A real headless Chromium driving the real server, one browser context (cookie jar) per person. */
export class Journey {
  private browser!: Browser;
  private profile = mkdtempSync(path.join(os.tmpdir(), 'asbrac-e2e-'));
  private shot = 0;
  readonly violations: AxeViolation[] = [];
  readonly visited = new Set<string>();

  constructor(readonly baseUrl: string) {}

  async start(): Promise<void> {
    mkdirSync(SCREENSHOTS, { recursive: true });
    // Unlike the PDF renderer's locked-down browser, this one is a person's: it must reach the app.
    this.browser = await puppeteer.launch({
      executablePath: findChromium(process.env.CHROMIUM_PATH),
      headless: true,
      userDataDir: this.profile,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  }

  async close(): Promise<void> {
    await this.browser?.close();
    rmSync(this.profile, { recursive: true, force: true });
  }

  /** Signs in through the sign-in page, as a person would, in a context of its own. */
  async signIn(email: string, password = 'demo-password'): Promise<Page> {
    const context: BrowserContext = await this.browser.createBrowserContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    await page.setViewport({ width: 1280, height: 900 });
    await this.goto(page, '/login');
    await page.locator('::-p-aria(Email address)').fill(email);
    await page.locator('::-p-aria(Password)').fill(password);
    await this.click(page, 'Sign in');
    if (new URL(page.url()).pathname === '/login')
      throw new Error(`sign-in as ${email} did not succeed:\n${(await this.text(page)).slice(0, 600)}`);
    return page;
  }

  async goto(page: Page, url: string): Promise<void> {
    const res = await page.goto(new URL(url, this.baseUrl).toString(), { waitUntil: 'load' });
    if (!res || res.status() >= 400) throw new Error(`${url} answered ${res?.status()}`);
  }

  /** Clicks a button or link by its accessible name and waits for the next page. */
  async click(page: Page, name: string): Promise<void> {
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator(`::-p-aria(${name})`).click()]);
  }

  /** Presses the button with this accessible name (not a heading of the same words) and waits for the next page. */
  async press(page: Page, name: string): Promise<void> {
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.locator(`::-p-aria([name="${name}"][role="button"])`).click(),
    ]);
  }

  /** Fills the text field whose label reads exactly `label` (where the same words also name other elements). */
  async fillLabelled(page: Page, label: string, value: string): Promise<void> {
    const id = await page.evaluate(
      (text) =>
        Array.from(document.querySelectorAll('label'))
          .find((l) => l.textContent?.trim() === text)
          ?.getAttribute('for') ?? null,
      label,
    );
    if (!id) throw new Error(`no field labelled "${label}"`);
    await page.locator(`[id="${id}"]`).fill(value);
  }

  /**
   * Presses Tab until the focused element answers `isTarget` (by its accessible text), as a person
   * using only a keyboard would; fails after `limit` presses.
   */
  async tabTo(
    page: Page,
    describe: string,
    isTarget: (el: { tag: string; text: string; id: string; name: string }) => boolean,
    limit = 250,
  ): Promise<void> {
    for (let i = 0; i < limit; i += 1) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return {
          tag: el?.tagName.toLowerCase() ?? '',
          text: (el?.innerText || el?.textContent || '').replace(/\s+/g, ' ').trim(),
          id: el?.id ?? '',
          name: el?.getAttribute('name') ?? '',
        };
      });
      if (isTarget(focused)) return;
    }
    throw new Error(`Tab never reached ${describe}`);
  }

  /** Presses a key on the focused element and waits for the page it submits to. */
  async keyToNavigate(page: Page, key: 'Enter' | 'Space'): Promise<void> {
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press(key)]);
  }

  /** A fresh browser context with no session, as someone opening a link from their e-mail. */
  async anonymous(): Promise<Page> {
    const context: BrowserContext = await this.browser.createBrowserContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    await page.setViewport({ width: 1280, height: 900 });
    return page;
  }

  /** Follows the link whose text contains `text` (a reference number in a table, say). */
  async follow(page: Page, text: string): Promise<void> {
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator(`a::-p-text(${text})`).click()]);
  }

  async fill(page: Page, label: string, value: string): Promise<void> {
    await page.locator(`::-p-aria(${label})`).fill(value);
  }

  async choose(page: Page, label: string): Promise<void> {
    await page.locator(`::-p-aria(${label})`).click();
  }

  async select(page: Page, label: string, optionText: string): Promise<void> {
    const handle = await page.locator(`::-p-aria([name="${label}"][role="combobox"])`).waitHandle();
    const value = await handle.evaluate((el, text) => {
      const select = el as HTMLSelectElement;
      const options = Array.from(select.options);
      // The option reading exactly `text`, else the one it begins (a reference followed by its details, say).
      const option =
        options.find((o) => o.text.trim() === text) ?? options.find((o) => o.text.trim().startsWith(`${text} `));
      return option?.value;
    }, optionText);
    if (value === undefined) throw new Error(`no option "${optionText}" in "${label}"`);
    await handle.select(value);
  }

  /** Chooses a radio or checkbox by its label within the fieldset with this legend (starting with it). */
  async chooseIn(page: Page, legend: string, label: string): Promise<void> {
    const id = await page.evaluate(
      (legendText, labelText) => {
        const fieldset = Array.from(document.querySelectorAll('fieldset')).find((f) =>
          f.querySelector('legend')?.textContent?.trim().startsWith(legendText),
        );
        const el = Array.from(fieldset?.querySelectorAll('label') ?? []).find(
          (l) => l.textContent?.trim() === labelText,
        );
        return el?.getAttribute('for') ?? null;
      },
      legend,
      label,
    );
    if (!id) throw new Error(`no choice "${label}" under "${legend}"`);
    await page.locator(`[id="${id}"]`).click();
  }

  /** Fills a GOV.UK date input found by its legend (the n-th such fieldset, from 0). */
  async fillDate(
    page: Page,
    legend: string,
    date: { day: string; month: string; year: string },
    nth = 0,
  ): Promise<void> {
    const ids = await page.evaluate(
      (legendText, index) => {
        const fieldsets = Array.from(document.querySelectorAll('fieldset')).filter(
          (f) => f.querySelector('legend')?.textContent?.trim() === legendText,
        );
        const fieldset = fieldsets[index];
        if (!fieldset) return null;
        const byLabel = (text: string) => {
          const label = Array.from(fieldset.querySelectorAll('label')).find((l) => l.textContent?.trim() === text);
          return label?.getAttribute('for') ?? null;
        };
        return { day: byLabel('Day'), month: byLabel('Month'), year: byLabel('Year') };
      },
      legend,
      nth,
    );
    if (!ids?.day || !ids.month || !ids.year) throw new Error(`no date input "${legend}"`);
    await page.locator(`[id="${ids.day}"]`).fill(date.day);
    await page.locator(`[id="${ids.month}"]`).fill(date.month);
    await page.locator(`[id="${ids.year}"]`).fill(date.year);
  }

  async text(page: Page): Promise<string> {
    return page.evaluate(() => document.body.innerText);
  }

  /**
   * Keeps a screenshot of the page as an artifact and checks it with axe-core: serious and critical
   * violations are collected and fail the journey at the end.
   */
  async check(page: Page, name: string): Promise<void> {
    this.shot += 1;
    const file = path.join(SCREENSHOTS, `${String(this.shot).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    this.visited.add(new URL(page.url()).pathname);
    await this.#audit(page, name);
    // The same page on a phone: kept as a screenshot, checked again, and no wider than the screen.
    const desktop = page.viewport();
    await page.setViewport({ width: PHONE_WIDTH, height: 844 });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.screenshot({ path: file.replace(/\.png$/, '-390.png'), fullPage: true });
    await this.#audit(page, `${name} at ${PHONE_WIDTH} px`);
    const overflow = await page.evaluate((width) => {
      const wide = Array.from(document.querySelectorAll('body *'))
        .filter((e) => e.getBoundingClientRect().right > width + 1 && !e.parentElement?.closest('.app-table-scroll'))
        .map(
          (e) =>
            `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.trim().split(/\s+/).join('.')}` : ''}`,
        );
      return { scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 8) };
    }, PHONE_WIDTH);
    if (overflow.scrollWidth > PHONE_WIDTH)
      this.violations.push({
        page: name,
        id: 'phone-width',
        impact: 'serious',
        help: `The page is ${overflow.scrollWidth} px wide at ${PHONE_WIDTH} px`,
        targets: overflow.wide,
      });
    if (desktop) await page.setViewport(desktop);
  }

  /** axe-core's serious and critical violations on the page as it is now, collected to fail the journey at the end. */
  async #audit(page: Page, name: string): Promise<void> {
    // Runtime evaluation is not subject to the page's CSP, so axe needs no inline script.
    await page.evaluate(AXE_SOURCE);
    const results = (await page.evaluate(
      `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })`,
    )) as {
      violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
    };
    // axe does not notice a label whose `for` names an id that an earlier element also has (the
    // field then has no label in the browser): check that each label reaches a form field.
    const strayLabels = await page.$$eval('label[for]', (labels) =>
      labels
        .filter((l) => {
          const target = document.getElementById(l.getAttribute('for') ?? '');
          return (
            !target ||
            !['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON'].includes(target.tagName) ||
            document.querySelectorAll(`[id="${CSS.escape(target.id)}"]`).length > 1
          );
        })
        .map((l) => `label[for="${l.getAttribute('for')}"]`),
    );
    if (strayLabels.length)
      this.violations.push({
        page: name,
        id: 'label-target',
        impact: 'serious',
        help: 'Each label must name the id of one form field',
        targets: strayLabels,
      });
    for (const v of results.violations) {
      if (v.impact === 'serious' || v.impact === 'critical') {
        this.violations.push({
          page: name,
          id: v.id,
          impact: v.impact,
          help: v.help,
          targets: v.nodes.map((n) => n.target.join(' ')),
        });
      }
    }
  }
}
