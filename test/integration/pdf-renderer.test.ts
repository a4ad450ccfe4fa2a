import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChromiumNotFoundError } from '../../src/pdf/chromium';
import { PdfRenderer, PdfRendererClosedError, PdfRenderTimeoutError, renderDirect } from '../../src/pdf/renderer';
import { readPdf } from '../support/pdf';

function html(body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Test</title></head><body>${body}</body></html>`;
}

/** Enough text for several pages, so that a render takes long enough to be interrupted. */
function longDocument(pages: number): string {
  const paragraphs = Array.from({ length: pages * 40 }, (_, i) => `<p>Paragraph ${i + 1} of a long document.</p>`).join(
    '',
  );
  return html(`<h1>Long document</h1>${paragraphs}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function eventually(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function currentPid(renderer: PdfRenderer): number {
  const pid = renderer.currentBrowser()?.pid;
  if (pid === undefined) throw new Error('no browser running');
  return pid;
}

describe('PdfRenderer', () => {
  const renderers: PdfRenderer[] = [];
  const renderer = (options: ConstructorParameters<typeof PdfRenderer>[0] = {}) => {
    const r = new PdfRenderer(options);
    renderers.push(r);
    return r;
  };

  afterAll(async () => {
    await Promise.all(renderers.map((r) => r.close()));
  });

  it('launches one browser on first use and reuses it', async () => {
    const r = renderer();
    expect(r.stats().launches).toBe(0);
    expect(r.currentBrowser()).toBeUndefined();
    for (let i = 1; i <= 4; i++) {
      const pdf = await r.render(html(`<p>Document ${i}</p>`));
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect((await readPdf(pdf)).pages.join('\n')).toContain(`Document ${i}`);
    }
    expect(r.stats()).toMatchObject({ launches: 1, documents: 4, failures: 0, allowedRequests: 4, openPages: 1 });
  });

  it('prints a document asked for ten times at once only once, and gives each request the same bytes', async () => {
    const r = renderer();
    const minutes = html('<h1>Minutes</h1><p>Asked for by ten people at once</p>');
    const pdfs = await Promise.all(Array.from({ length: 10 }, () => r.render(minutes, { outline: true })));
    expect(new Set(pdfs.map((pdf) => pdf.toString('base64'))).size).toBe(1);
    expect(pdfs[0]).not.toBe(pdfs[1]);
    expect((await readPdf(pdfs[9])).pages.join('\n')).toContain('Asked for by ten people at once');
    expect(r.stats()).toMatchObject({ documents: 1, shared: 9, allowedRequests: 1 });
    // Not the same document: other HTML, or the same HTML with other options, is printed on its own.
    await Promise.all([r.render(minutes, { outline: true }), r.render(minutes), r.render(html('<p>Other</p>'))]);
    expect(r.stats()).toMatchObject({ documents: 4, shared: 9 });
    // Nothing is kept: the same document asked for again later is printed again.
    await r.render(minutes, { outline: true });
    expect(r.stats()).toMatchObject({ documents: 5, shared: 9 });
  });

  it('loads nothing but the document: no network, no file://, no script, not even from the header', async () => {
    let requests = 0;
    let connections = 0;
    const server = http.createServer((_req, res) => {
      requests++;
      res.end('leaked');
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const blocked: string[] = [];
    const r = renderer({ onBlockedRequest: (url) => blocked.push(url) });
    try {
      const hostile = `<!doctype html><html><head>
        <meta http-equiv="refresh" content="0;url=${origin}/refresh">
        <link rel="stylesheet" href="${origin}/style.css">
        <link rel="prefetch" href="${origin}/prefetch">
        <link rel="preload" as="image" href="${origin}/preload.png">
        <link rel="preconnect" href="${origin}">
        <style>@import url(${origin}/import.css); body { background: url(${origin}/background.png) }
          @font-face { font-family: Leak; src: url(${origin}/font.woff) } p { font-family: Leak }</style>
        </head><body>
        <p>The document itself</p>
        <img src="${origin}/image.png"><img src="file:///etc/passwd"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
        <iframe src="${origin}/frame"></iframe><iframe src="file:///etc/passwd"></iframe>
        <object data="${origin}/object"></object><video poster="${origin}/poster.png"></video>
        <svg><image href="${origin}/svg.png"/></svg>
        <script>document.body.innerHTML = 'script ran'; fetch('${origin}/fetch');</script>
        <noscript>Scripts are off</noscript>
        </body></html>`;
      const pdf = await r.render(hostile, {
        headerTemplate: `<div style="font-size:8pt">Header<img src="${origin}/header.png"></div>`,
        footerTemplate: `<div style="font-size:8pt">Footer<img src="file:///etc/passwd"></div>`,
      });
      const text = (await readPdf(pdf)).pages.join('\n');
      // Still the document given: the refresh did not navigate away, and no script replaced it.
      expect(text).toContain('The document itself');
      expect(text).toContain('Scripts are off');
      expect(text).not.toContain('script ran');
      expect(text).not.toContain('root:');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(requests).toBe(0);
      expect(connections).toBe(0);
      expect(r.stats().allowedRequests).toBe(1);
      expect(blocked.filter((url) => url.startsWith(origin) || url.startsWith('file:'))).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('recovers when Chromium is killed between renders', async () => {
    const r = renderer();
    await r.render(html('<p>Before</p>'));
    const first = r.currentBrowser()!;
    process.kill(first.pid!, 'SIGKILL');
    const pdf = await r.render(html('<p>After the crash</p>'));
    expect((await readPdf(pdf)).pages.join('\n')).toContain('After the crash');
    expect(r.stats().launches).toBe(2);
    expect(currentPid(r)).not.toBe(first.pid);
    await eventually(() => !existsSync(first.userDataDir));
  });

  it('recovers when Chromium is killed during a render, and the render in flight is retried', async () => {
    const warnings: string[] = [];
    const r = renderer({ logger: { info: () => undefined, warn: (_obj, msg) => warnings.push(msg) } });
    await r.render(html('<p>Warm</p>'));
    const pid = currentPid(r);
    const inFlight = r.render(longDocument(30));
    await new Promise((resolve) => setTimeout(resolve, 60));
    process.kill(pid, 'SIGKILL');
    const pdf = await inFlight;
    expect(warnings).toContain('PDF render failed; retrying on a fresh page');
    expect((await readPdf(pdf)).pages.length).toBeGreaterThan(20);
    const next = await r.render(html('<p>Next</p>'));
    expect((await readPdf(next)).pages.join('\n')).toContain('Next');
    expect(r.stats().launches).toBe(2);
    expect(isAlive(pid)).toBe(false);
  });

  it('prints six documents at once with two pages, in one browser', async () => {
    const r = renderer({ poolSize: 2 });
    let peakPages = 0;
    const sampler = setInterval(() => {
      peakPages = Math.max(peakPages, r.stats().openPages);
    }, 5);
    try {
      const pdfs = await Promise.all(
        Array.from({ length: 6 }, (_, i) => r.render(longDocument(2).replace('Long document', `Concurrent ${i}`))),
      );
      for (const [i, pdf] of pdfs.entries()) expect((await readPdf(pdf)).pages[0]).toContain(`Concurrent ${i}`);
    } finally {
      clearInterval(sampler);
    }
    expect(r.stats()).toMatchObject({ launches: 1, documents: 6, failures: 0 });
    expect(peakPages).toBeGreaterThan(0);
    expect(peakPages).toBeLessThanOrEqual(2);
  });

  it('replaces the browser after a number of documents', async () => {
    const r = renderer({ maxDocumentsPerBrowser: 3 });
    const pids = new Set<number>();
    for (let i = 0; i < 7; i++) {
      await r.render(html(`<p>${i}</p>`));
      pids.add(currentPid(r));
    }
    expect(r.stats().launches).toBe(3);
    expect(pids.size).toBe(3);
    const current = currentPid(r);
    await eventually(() => [...pids].filter((pid) => pid !== current).every((pid) => !isAlive(pid)));
  });

  it('abandons a render that takes too long, and the next one works on a fresh page', async () => {
    const r = renderer({ poolSize: 1 });
    await r.render(html('<p>Warm</p>'));
    await expect(r.render(longDocument(40), { timeoutMs: 1 })).rejects.toBeInstanceOf(PdfRenderTimeoutError);
    const pdf = await r.render(html('<p>After the timeout</p>'));
    expect((await readPdf(pdf)).pages.join('\n')).toContain('After the timeout');
    expect(r.stats()).toMatchObject({ timeouts: 1, failures: 1, openPages: 1 });
    // On a busy machine the abandoned page may not close in time, and the renderer then replaces
    // its browser (a wedged page must not hold the pool): one launch, or two, never more.
    expect(r.stats().launches).toBeLessThanOrEqual(2);
  });

  it('closes after the render in flight, once, and refuses renders afterwards', async () => {
    const r = renderer();
    await r.render(html('<p>Warm</p>'));
    const browser = r.currentBrowser()!;
    const inFlight = r.render(longDocument(5));
    const closing = [r.close(), r.close()];
    await expect(r.render(html('<p>Too late</p>'))).rejects.toBeInstanceOf(PdfRendererClosedError);
    expect((await readPdf(await inFlight)).pages.length).toBeGreaterThan(3);
    await Promise.all(closing);
    expect(isAlive(browser.pid!)).toBe(false);
    expect(existsSync(browser.userDataDir)).toBe(false);
    await expect(r.render(html('<p>Still too late</p>'))).rejects.toBeInstanceOf(PdfRendererClosedError);
  });

  it('names CHROMIUM_PATH when the browser cannot be found', async () => {
    const r = renderer({ chromiumPath: '/nonexistent/chromium' });
    await expect(r.render(html('<p>x</p>'))).rejects.toThrow(ChromiumNotFoundError);
    await expect(r.render(html('<p>x</p>'))).rejects.toThrow(/CHROMIUM_PATH/);
  });

  it('prints the same HTML with a cold browser for comparison', async () => {
    const pdf = await renderDirect(html('<p>Cold</p>'));
    expect((await readPdf(pdf)).pages.join('\n')).toContain('Cold');
  });
});
