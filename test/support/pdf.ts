import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** A poppler tool; its absence fails the test that needs it, saying what to install. */
function poppler(tool: 'pdftoppm' | 'pdftotext' | 'pdffonts' | 'pdfinfo'): string {
  const found = [`/usr/bin/${tool}`, `/usr/local/bin/${tool}`].find((p) => existsSync(p));
  if (!found)
    throw new Error(`${tool} is not installed: it comes with Debian's poppler-utils, which npm run setup installs`);
  return found;
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
 * gives text in drawing order, which says nothing about where on the page it is).
 */
export async function pdfLayoutPages(pdf: Buffer): Promise<string[][]> {
  const pdftotext = poppler('pdftotext');
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

/** Renders page 1 to `test-artifacts/<name>.png` with poppler's pdftoppm, so a person can look at it. */
export async function firstPageToPng(
  pdf: Buffer,
  name: string,
): Promise<{ file: string; width: number; height: number }> {
  const pdftoppm = poppler('pdftoppm');
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

export interface PdfFont {
  /** The font's name without its subset prefix ("ABCDEF+NotoSans-Regular" is "NotoSans-Regular"). */
  name: string;
  embedded: boolean;
}

/** The fonts a PDF uses, as poppler's pdffonts lists them. */
export async function pdfFonts(pdf: Buffer): Promise<PdfFont[]> {
  const pdffonts = poppler('pdffonts');
  return withTempPdf(pdf, async (input) => {
    const { stdout } = await exec(pdffonts, [input]);
    // The first two lines are the heading and its underline; columns: name type encoding emb sub uni object ID.
    return stdout
      .split('\n')
      .slice(2)
      .filter((line) => line.trim())
      .map((line) => {
        const columns = line.trim().split(/\s+/);
        const [emb] = columns.slice(-5, -4);
        return { name: columns[0].replace(/^[A-Z]{6}\+/, ''), embedded: emb === 'yes' };
      });
  });
}

/**
 * Renders every page to `test-artifacts/<name>-page-<n>.png` (n from 1), so that a person can look
 * at the whole document as it prints. Returns the files in page order.
 */
export async function pagesToPng(pdf: Buffer, name: string, resolution = 80): Promise<string[]> {
  const pdftoppm = poppler('pdftoppm');
  mkdirSync(ARTIFACTS, { recursive: true });
  // The pages of an earlier, longer print of the same document would otherwise be left beside these.
  for (const stale of readdirSync(ARTIFACTS).filter((f) => f.startsWith(`${name}-page-`) && f.endsWith('.png')))
    rmSync(path.join(ARTIFACTS, stale));
  return withTempPdf(pdf, async (input, dir) => {
    await exec(pdftoppm, ['-png', '-r', String(resolution), input, path.join(dir, 'page')]);
    const pages = readdirSync(dir)
      .filter((f) => /^page-\d+\.png$/.test(f))
      .sort((a, b) => Number(/\d+/.exec(a)?.[0]) - Number(/\d+/.exec(b)?.[0]));
    return pages.map((file, i) => {
      const target = path.join(ARTIFACTS, `${name}-page-${i + 1}.png`);
      writeFileSync(target, readFileSync(path.join(dir, file)));
      return target;
    });
  });
}

/** poppler's pdfinfo, as a map of its fields ("Tagged" is "yes" for a tagged PDF). */
export async function pdfInfo(pdf: Buffer): Promise<Record<string, string>> {
  const pdfinfo = poppler('pdfinfo');
  return withTempPdf(pdf, async (input) => {
    const { stdout } = await exec(pdfinfo, [input]);
    return Object.fromEntries(
      stdout
        .split('\n')
        .map((line) => /^([^:]+):\s*(.*)$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1].trim(), m[2].trim()]),
    );
  });
}

export interface OutlineEntry {
  title: string;
  items: OutlineEntry[];
}

/** The PDF's bookmarks (its outline), as PDF.js reads them; empty when there are none. */
export async function pdfOutline(pdf: Buffer): Promise<OutlineEntry[]> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    const info = await parser.getInfo();
    const walk = (nodes: Array<{ title: string; items: unknown[] }> | null | undefined): OutlineEntry[] =>
      (nodes ?? []).map((n) => ({
        title: n.title,
        items: walk(n.items as Array<{ title: string; items: unknown[] }>),
      }));
    return walk(info.outline);
  } finally {
    await parser.destroy();
  }
}

/** Every title in an outline, depth first. */
export const outlineTitles = (entries: OutlineEntry[]): string[] =>
  entries.flatMap((e) => [e.title, ...outlineTitles(e.items)]);
