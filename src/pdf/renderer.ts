import { createHash, randomUUID } from 'node:crypto';
import { TimeoutError, type HTTPRequest, type Page, type PDFOptions } from 'puppeteer-core';
import { findChromium, launchChromium, type LaunchedChromium } from './chromium';

export interface PdfMargins {
  top?: string;
  right?: string;
  bottom?: string;
  left?: string;
}

export interface PdfRenderOptions {
  /** Printed in the top margin of every page; Chromium fills `<span class="pageNumber">` and `<span class="totalPages">`. */
  headerTemplate?: string;
  footerTemplate?: string;
  /** Defaults to true when either template is given. */
  displayHeaderFooter?: boolean;
  /** Used when the document's CSS sets no `@page` margin. */
  margin?: PdfMargins;
  landscape?: boolean;
  /** Bookmarks (the PDF outline) from the document's headings. */
  outline?: boolean;
  /** A shorter timeout for this document; it cannot be longer than the renderer's, which bounds Chromium's protocol calls too. */
  timeoutMs?: number;
}

export interface PdfLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface PdfRendererOptions {
  /** CHROMIUM_PATH; the usual places are searched when it is not set. */
  chromiumPath?: string;
  /** Pages kept open, and so the number of documents printed at once; more requests wait their turn. */
  poolSize?: number;
  /** A browser is replaced after printing this many documents, so that a long-lived process does not grow. */
  maxDocumentsPerBrowser?: number;
  renderTimeoutMs?: number;
  /** How long close() lets renders in flight finish before it closes the browser under them. */
  closeTimeoutMs?: number;
  launchTimeoutMs?: number;
  logger?: PdfLogger;
  /** Told about every request the page tried and was refused (tests; diagnostics). */
  onBlockedRequest?: (url: string) => void;
}

export interface PdfRendererStats {
  launches: number;
  documents: number;
  failures: number;
  timeouts: number;
  /** Requests let through: exactly one per document printed, the document itself. */
  allowedRequests: number;
  /** Requests answered by a print already under way of the same document, not printed again. */
  shared: number;
  blockedRequests: number;
  openPages: number;
}

export class PdfRenderTimeoutError extends Error {
  constructor(ms: number) {
    super(`PDF rendering took longer than ${ms} ms and was abandoned`);
    this.name = 'PdfRenderTimeoutError';
  }
}

export class PdfRendererClosedError extends Error {
  constructor() {
    super('The PDF renderer has been closed');
    this.name = 'PdfRendererClosedError';
  }
}

/**
 * The document is delivered as the response to a navigation, not with page.setContent, so that it
 * can carry a CSP header: `sandbox` blocks a `<meta http-equiv="refresh">` (which setContent cannot
 * stop) and `default-src 'none'` stops every fetch, including the link prefetches that bypass
 * request interception. The origin is a reserved name that can never resolve.
 */
const DOCUMENT_ORIGIN = 'https://document.invalid';
const DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; font-src data:; sandbox";

const PAGE_CLOSE_TIMEOUT_MS = 5000;

const A4_DEFAULT_MARGIN: Required<PdfMargins> = { top: '20mm', right: '18mm', bottom: '20mm', left: '18mm' };

interface BrowserInstance {
  chromium: LaunchedChromium;
  idle: Page[];
  busy: number;
  /** Documents begun on this browser, counted when a render is assigned to it. */
  assigned: number;
  retiring: boolean;
  dead: boolean;
}

interface PageState {
  /** The one URL this page may load right now: the document being printed. Cleared once it has been served. */
  expected?: { url: string; html: string };
}

class Slots {
  #free: number;
  readonly #waiting: Array<() => void> = [];
  constructor(size: number) {
    this.#free = size;
  }
  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Prints HTML to PDF with one long-lived Chromium. The browser is launched on the first render,
 * replaced when it dies or has printed enough documents, and never allowed to fetch anything: the
 * HTML given is the whole document.
 */
export class PdfRenderer {
  readonly #options: Required<Omit<PdfRendererOptions, 'chromiumPath' | 'logger' | 'onBlockedRequest'>> &
    Pick<PdfRendererOptions, 'chromiumPath' | 'logger' | 'onBlockedRequest'>;
  readonly #slots: Slots;
  readonly #pageStates = new WeakMap<Page, PageState>();
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Documents being printed, by what they are (the HTML and the options): a second request for one waits for it. */
  readonly #printing = new Map<string, Promise<Buffer>>();
  readonly #instances = new Set<BrowserInstance>();
  #current: BrowserInstance | undefined;
  #launching: Promise<BrowserInstance> | undefined;
  #closing: Promise<void> | undefined;
  readonly #stats: Omit<PdfRendererStats, 'openPages'> = {
    launches: 0,
    documents: 0,
    failures: 0,
    timeouts: 0,
    allowedRequests: 0,
    blockedRequests: 0,
    shared: 0,
  };

  constructor(options: PdfRendererOptions = {}) {
    this.#options = {
      poolSize: 2,
      maxDocumentsPerBrowser: 200,
      renderTimeoutMs: 30000,
      closeTimeoutMs: 10000,
      launchTimeoutMs: 30000,
      ...options,
    };
    if (this.#options.poolSize < 1) throw new Error('poolSize must be at least 1');
    this.#slots = new Slots(this.#options.poolSize);
  }

  /**
   * Prints a document. Requests for the same document (the same HTML, with the same options) while
   * it is being printed share that print: ten people opening the same minutes at once wait for one
   * print, not ten. Nothing is kept once it is done.
   */
  async render(html: string, options: PdfRenderOptions = {}): Promise<Buffer> {
    if (this.#closing) throw new PdfRendererClosedError();
    const key = createHash('sha256')
      .update(JSON.stringify([html, options]))
      .digest('hex');
    const printing = this.#printing.get(key);
    if (printing) {
      this.#stats.shared++;
      return Buffer.from(await printing);
    }
    const job = this.#renderQueued(html, options);
    this.#printing.set(key, job);
    this.#inFlight.add(job);
    try {
      return Buffer.from(await job);
    } finally {
      this.#inFlight.delete(job);
      this.#printing.delete(key);
    }
  }

  stats(): PdfRendererStats {
    let openPages = 0;
    for (const instance of this.#instances) openPages += instance.idle.length + instance.busy;
    return { ...this.#stats, openPages };
  }

  /** The running browser, if any: its process id and profile directory (tests kill it to prove recovery). */
  currentBrowser(): { pid: number | undefined; userDataDir: string } | undefined {
    const current = this.#current;
    if (!current || current.dead) return undefined;
    return { pid: current.chromium.browser.process()?.pid, userDataDir: current.chromium.userDataDir };
  }

  /** Lets renders in flight finish (up to closeTimeoutMs), then closes every browser. Later renders are refused. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#inFlight.size > 0) {
        const inFlight = Promise.allSettled([...this.#inFlight]);
        await Promise.race([inFlight, delay(this.#options.closeTimeoutMs)]);
      }
      const launching = this.#launching;
      if (launching) await launching.catch(() => undefined);
      await Promise.all([...this.#instances].map((instance) => this.#dispose(instance)));
    })();
    return this.#closing;
  }

  async #renderQueued(html: string, options: PdfRenderOptions): Promise<Buffer> {
    await this.#slots.acquire();
    try {
      // One retry: a browser that crashed (or was killed) between or during renders is replaced,
      // and the caller should not see that. A timeout is not retried: the document is the likely cause.
      for (let attempt = 1; ; attempt++) {
        try {
          const pdf = await this.#renderOnce(html, options);
          this.#stats.documents++;
          return pdf;
        } catch (err) {
          if (err instanceof PdfRenderTimeoutError || attempt >= 2 || this.#closing) {
            this.#stats.failures++;
            throw err;
          }
          this.#options.logger?.warn(
            { err: { message: (err as Error).message } },
            'PDF render failed; retrying on a fresh page',
          );
        }
      }
    } finally {
      this.#slots.release();
    }
  }

  async #renderOnce(html: string, options: PdfRenderOptions): Promise<Buffer> {
    const instance = await this.#instance();
    instance.assigned++;
    instance.busy++;
    let page: Page | undefined;
    let reusable = false;
    try {
      page = instance.idle.pop() ?? (await this.#newPage(instance));
      const pdf = await this.#withTimeout(instance, page, this.#timeoutFor(options), (p) =>
        this.#print(p, html, options),
      );
      reusable = true;
      return pdf;
    } catch (err) {
      if (!instance.chromium.browser.connected) this.#markDead(instance);
      throw err;
    } finally {
      if (page) {
        if (reusable && !instance.retiring && !instance.dead && !page.isClosed()) instance.idle.push(page);
        else await this.#closePage(instance, page);
      }
      instance.busy--;
      if (instance.retiring && instance.busy === 0) void this.#dispose(instance);
    }
  }

  async #print(page: Page, html: string, options: PdfRenderOptions): Promise<Buffer> {
    const state = this.#pageStates.get(page)!;
    const url = `${DOCUMENT_ORIGIN}/${randomUUID()}`;
    state.expected = { url, html };
    // A backstop only: the render's own timer (in #withTimeout) is the one that fires.
    const timeout = this.#timeoutFor(options) + 5000;
    try {
      const response = await page.goto(url, { waitUntil: 'load', timeout });
      if (!response || !response.ok())
        throw new Error(`the document did not load (${response?.status() ?? 'no response'})`);
    } finally {
      state.expected = undefined;
    }
    const header = options.headerTemplate;
    const footer = options.footerTemplate;
    const pdfOptions: PDFOptions = {
      format: 'A4',
      printBackground: true,
      preferCSSPageSize: true,
      landscape: options.landscape ?? false,
      margin: { ...A4_DEFAULT_MARGIN, ...options.margin },
      displayHeaderFooter: options.displayHeaderFooter ?? (header !== undefined || footer !== undefined),
      // An empty element, not Chromium's default header, which would print the internal URL.
      headerTemplate: header ?? '<span></span>',
      footerTemplate: footer ?? '<span></span>',
      // Bookmarks from the document's headings; a tagged PDF too, which the outline needs.
      outline: options.outline ?? false,
      tagged: true,
      timeout,
    };
    return Buffer.from(await page.pdf(pdfOptions));
  }

  async #withTimeout<T>(
    instance: BrowserInstance,
    page: Page,
    ms: number,
    work: (page: Page) => Promise<T>,
  ): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const running = work(page);
    const expired = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        this.#stats.timeouts++;
        // Closing the page abandons whatever Chromium is still doing for it; the page is not reused.
        void this.#closePage(instance, page);
        reject(new PdfRenderTimeoutError(ms));
      }, ms);
    });
    running.catch(() => undefined);
    try {
      return await Promise.race([running, expired]);
    } catch (err) {
      if (err instanceof TimeoutError) {
        this.#stats.timeouts++;
        throw new PdfRenderTimeoutError(ms);
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  #timeoutFor(options: PdfRenderOptions): number {
    return Math.min(options.timeoutMs ?? this.#options.renderTimeoutMs, this.#options.renderTimeoutMs);
  }

  /** A page that will not close in a few seconds means a wedged browser: it is replaced. */
  async #closePage(instance: BrowserInstance, page: Page): Promise<void> {
    if (page.isClosed()) return;
    const closed = await Promise.race([
      page.close().then(
        () => true,
        () => false,
      ),
      delay(PAGE_CLOSE_TIMEOUT_MS).then(() => false),
    ]);
    if (!closed && !instance.dead && instance.chromium.browser.connected)
      this.#retire(instance, 'a page would not close');
  }

  async #instance(): Promise<BrowserInstance> {
    if (this.#closing && !this.#current) throw new PdfRendererClosedError();
    const current = this.#current;
    if (current && (current.dead || !current.chromium.browser.connected)) this.#markDead(current);
    else if (current && current.assigned >= this.#options.maxDocumentsPerBrowser)
      this.#retire(current, 'document limit reached');
    if (this.#current) return this.#current;
    this.#launching ??= this.#launch().finally(() => {
      this.#launching = undefined;
    });
    return this.#launching;
  }

  async #launch(): Promise<BrowserInstance> {
    const executablePath = findChromium(this.#options.chromiumPath);
    const chromium = await launchChromium({
      executablePath,
      timeoutMs: this.#options.launchTimeoutMs,
      // No protocol call should outlive the render that made it by much; Puppeteer's default is 3 minutes.
      protocolTimeoutMs: this.#options.renderTimeoutMs + 10000,
    });
    this.#stats.launches++;
    const instance: BrowserInstance = { chromium, idle: [], busy: 0, assigned: 0, retiring: false, dead: false };
    this.#instances.add(instance);
    chromium.browser.on('disconnected', () => {
      if (!instance.retiring)
        this.#options.logger?.warn(
          { pid: chromium.browser.process()?.pid },
          'Chromium went away; the next PDF starts a new one',
        );
      this.#markDead(instance);
    });
    if (this.#closing) {
      await this.#dispose(instance);
      throw new PdfRendererClosedError();
    }
    this.#current = instance;
    this.#options.logger?.info(
      { pid: chromium.browser.process()?.pid, executablePath },
      'Chromium started for PDF rendering',
    );
    return instance;
  }

  async #newPage(instance: BrowserInstance): Promise<Page> {
    const page = await instance.chromium.browser.newPage();
    const state: PageState = {};
    this.#pageStates.set(page, state);
    try {
      await page.setJavaScriptEnabled(false);
      await page.setRequestInterception(true);
    } catch (err) {
      await page.close().catch(() => undefined);
      throw err;
    }
    page.on('request', (request: HTTPRequest) => this.#onRequest(state, request));
    return page;
  }

  #onRequest(state: PageState, request: HTTPRequest): void {
    const expected = state.expected;
    if (
      expected &&
      request.url() === expected.url &&
      request.isNavigationRequest() &&
      request.frame()?.parentFrame() === null
    ) {
      state.expected = undefined;
      this.#stats.allowedRequests++;
      request
        .respond({
          status: 200,
          contentType: 'text/html; charset=utf-8',
          headers: { 'Content-Security-Policy': DOCUMENT_CSP, 'Cache-Control': 'no-store' },
          body: expected.html,
        })
        .catch(() => undefined);
      return;
    }
    this.#stats.blockedRequests++;
    this.#options.onBlockedRequest?.(request.url());
    request.abort('blockedbyclient').catch(() => undefined);
  }

  #markDead(instance: BrowserInstance): void {
    instance.dead = true;
    instance.retiring = true;
    if (this.#current === instance) this.#current = undefined;
    instance.idle = [];
    if (instance.busy === 0) void this.#dispose(instance);
  }

  #retire(instance: BrowserInstance, reason: string): void {
    instance.retiring = true;
    if (this.#current === instance) this.#current = undefined;
    this.#options.logger?.info({ pid: instance.chromium.browser.process()?.pid, reason }, 'replacing Chromium');
    if (instance.busy === 0) void this.#dispose(instance);
  }

  async #dispose(instance: BrowserInstance): Promise<void> {
    instance.retiring = true;
    if (this.#current === instance) this.#current = undefined;
    instance.idle = [];
    await instance.chromium.dispose();
    this.#instances.delete(instance);
  }
}

/**
 * Launches Chromium, prints one document with the same protections, and closes it: the cold-start
 * baseline the benchmark compares the warm renderer against.
 */
export async function renderDirect(
  html: string,
  options: PdfRenderOptions & { chromiumPath?: string } = {},
): Promise<Buffer> {
  const { chromiumPath, ...renderOptions } = options;
  const renderer = new PdfRenderer({ chromiumPath, poolSize: 1 });
  try {
    return await renderer.render(html, renderOptions);
  } finally {
    await renderer.close();
  }
}
