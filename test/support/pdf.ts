import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PDFParse } from 'pdf-parse';
import { ARTIFACTS } from './paths';

export interface PdfSummary {
  /** Each page's text, in page order. */
  pages: string[];
  /** Each page's size in PDF points. */
  sizes: Array<{ width: number; height: number }>;
}

/** Reads a PDF with pdf-parse (no system tools needed). */
export async function readPdf(pdf: Buffer): Promise<PdfSummary> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    const text = await parser.getText();
    const info = await parser.getInfo({ parsePageInfo: true });
    return {
      pages: text.pages.sort((a, b) => a.num - b.num).map((p) => p.text),
      sizes: info.pages.map((p) => ({ width: p.width, height: p.height })),
    };
  } finally {
    await parser.destroy();
  }
}

export const A4_POINTS = { width: 595.28, height: 841.89 };

const exec = promisify(execFile);

function poppler(tool: 'pdftoppm' | 'pdftotext'): string | undefined {
  return [`/usr/bin/${tool}`, `/usr/local/bin/${tool}`].find((p) => existsSync(p));
}

async function withTempPdf<T>(pdf: Buffer, work: (input: string, dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'asbrac-pdf-'));
  try {
    const input = path.join(dir, 'in.pdf');
    writeFileSync(input, pdf);
    return await work(input, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Each page's text laid out as it is printed, top to bottom, with poppler's pdftotext (pdf-parse
 * gives text in drawing order, which says nothing about where on the page it is). Undefined, with
 * the reason printed, where poppler is not installed.
 */
export async function pdfLayoutPages(pdf: Buffer): Promise<string[][] | undefined> {
  const pdftotext = poppler('pdftotext');
  if (!pdftotext) {
    console.log('pdftotext is not installed (Debian: poppler-utils): positions on the page not checked');
    return undefined;
  }
  return withTempPdf(pdf, async (input) => {
    const { stdout } = await exec(pdftotext, ['-layout', '-enc', 'UTF-8', input, '-']);
    const pages = stdout.split('\f');
    if (pages[pages.length - 1].trim() === '') pages.pop();
    return pages.map((page) =>
      page
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean),
    );
  });
}

/**
 * Renders page 1 to `test-artifacts/<name>.png` with poppler's pdftoppm, so a person can look at it.
 * Returns undefined (and says why) where pdftoppm is not installed.
 */
export async function firstPageToPng(pdf: Buffer, name: string): Promise<{ file: string; width: number; height: number } | undefined> {
  const pdftoppm = poppler('pdftoppm');
  if (!pdftoppm) {
    console.log(`pdftoppm is not installed (Debian: poppler-utils): page image for ${name} not made`);
    return undefined;
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return withTempPdf(pdf, async (input, dir) => {
    await exec(pdftoppm, ['-png', '-r', '100', '-f', '1', '-l', '1', '-singlefile', input, path.join(dir, 'page')]);
    const png = readFileSync(path.join(dir, 'page.png'));
    const file = path.join(ARTIFACTS, `${name}.png`);
    writeFileSync(file, png);
    // IHDR: width and height are the first two big-endian words after the 8-byte signature and chunk header.
    return { file, width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
  });
}
