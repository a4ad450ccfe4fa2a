import { formatCalendarDate, formatDate } from '../time';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { helpers } from '../views/engine';

import type { PdfRenderer } from './renderer';
import { PROJECT_ROOT } from '../paths';
import { DOCUMENT_FONT_FACES, MARGIN_FONT_FACES } from './fonts';

export const PDF_TEMPLATES_DIR = path.join(PROJECT_ROOT, 'templates', 'pdf');

/** The protective marking printed at the top and bottom of every page. */
export const MARKING = 'OFFICIAL-SENSITIVE';

export interface PdfDocumentData {
  /** The running header's title on every page, and the PDF's title. */
  title: string;
  /** The running header's date: a Date is shown in Europe/London; a `YYYY-MM-DD` calendar date as it is; other text literally. */
  date?: Date | string;
  [key: string]: unknown;
}

export interface PdfDocumentOptions {
  /** The agency this copy is made for, named at the foot of every page. */
  recipientAgency?: string;
  /** What the document is, such as a draft or an approved version, printed on the foot of every page. */
  statusLine?: string;
}

export interface PdfDocuments {
  /** Prints `templates/pdf/<name>.hbs` inside the shared layout, with the marking, running header and page numbers. */
  renderDocument(name: string, data: PdfDocumentData, options?: PdfDocumentOptions): Promise<Buffer>;
  /** The HTML that renderDocument prints (without the header and footer, which Chromium draws in the margins). */
  documentHtml(name: string, data: PdfDocumentData, options?: PdfDocumentOptions): string;
}

export interface PdfDocumentsOptions {
  renderer: Pick<PdfRenderer, 'render'>;
  /** Where document templates are looked up, in order; the layout always comes from templates/pdf. */
  templateDirs?: string[];
}

const RESERVED = new Set(['layout', 'header', 'footer']);
const NAME = /^[a-z0-9][a-z0-9-]*$/;

function headerDate(value: Date | string | undefined): string {
  if (value === undefined) return '';
  if (value instanceof Date) return formatDate(value);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return formatCalendarDate(value);
  if (/^\d{4}-\d{2}-\d{2}T/.test(value)) return formatDate(value);
  return value;
}

function read(file: string): string {
  return readFileSync(file, 'utf8');
}

export function pdfDocuments(options: PdfDocumentsOptions): PdfDocuments {
  const templateDirs = options.templateDirs ?? [PDF_TEMPLATES_DIR];
  // An instance of its own, so nothing registered for the web views (or by another feature) can
  // change how these documents escape. Only {{ }} is used on data: everything comes out escaped.
  const hbs = Handlebars.create();
  hbs.registerHelper(helpers);
  // The stylesheet goes in as a partial: a partial is inserted as it is, which a <style> element
  // needs (escaping would turn `>` into `&gt;`), without a triple-stash anywhere.
  hbs.registerPartial('pdf-print-css', read(path.join(PDF_TEMPLATES_DIR, 'print.css')));
  hbs.registerPartial('pdf-font-faces', DOCUMENT_FONT_FACES);
  hbs.registerPartial('pdf-margin-font-faces', MARGIN_FONT_FACES);
  hbs.registerPartial('pdf-layout', read(path.join(PDF_TEMPLATES_DIR, 'layout.hbs')));
  const partialsDir = path.join(PDF_TEMPLATES_DIR, 'partials');
  if (existsSync(partialsDir)) {
    for (const file of readdirSync(partialsDir).filter((f) => f.endsWith('.hbs'))) {
      hbs.registerPartial(path.basename(file, '.hbs'), read(path.join(partialsDir, file)));
    }
  }
  const compileOptions = { preventIndent: true };
  const header = hbs.compile(read(path.join(PDF_TEMPLATES_DIR, 'header.hbs')), compileOptions);
  const footer = hbs.compile(read(path.join(PDF_TEMPLATES_DIR, 'footer.hbs')), compileOptions);
  const documents = new Map<string, HandlebarsTemplateDelegate>();

  function template(name: string): HandlebarsTemplateDelegate {
    const cached = documents.get(name);
    if (cached) return cached;
    if (!NAME.test(name) || RESERVED.has(name)) throw new Error(`"${name}" is not a PDF document name`);
    const dir = templateDirs.find((d) => existsSync(path.join(d, `${name}.hbs`)));
    if (!dir) throw new Error(`no PDF template "${name}.hbs" in ${templateDirs.join(', ')}`);
    // Every document is wrapped in the layout here, so that no template can leave it out.
    const source = `{{#> pdf-layout}}${read(path.join(dir, `${name}.hbs`))}{{/pdf-layout}}`;
    const compiled = hbs.compile(source, compileOptions);
    documents.set(name, compiled);
    return compiled;
  }

  function runtimeData(documentOptions: PdfDocumentOptions) {
    return {
      data: {
        marking: MARKING,
        recipientAgency: documentOptions.recipientAgency?.trim() || undefined,
        statusLine: documentOptions.statusLine?.trim() || undefined,
      },
    };
  }

  function documentHtml(name: string, data: PdfDocumentData, documentOptions: PdfDocumentOptions = {}): string {
    return template(name)(data, runtimeData(documentOptions));
  }

  async function renderDocument(
    name: string,
    data: PdfDocumentData,
    documentOptions: PdfDocumentOptions = {},
  ): Promise<Buffer> {
    const html = documentHtml(name, data, documentOptions);
    const meta = { title: data.title, date: headerDate(data.date) };
    return options.renderer.render(html, {
      displayHeaderFooter: true,
      outline: true,
      headerTemplate: header(meta, runtimeData(documentOptions)),
      footerTemplate: footer(meta, runtimeData(documentOptions)),
    });
  }

  return { renderDocument, documentHtml };
}
