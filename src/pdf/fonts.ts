import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The one typeface of every document: Noto Sans (SIL Open Font License 1.1), shipped with the
 * project as the @fontsource/noto-sans package. It is embedded in each document as data: URLs, so a
 * document prints the same on every machine and the renderer still fetches nothing.
 */
export const PDF_FONT_FAMILY = 'Noto Sans';

const PACKAGE_DIR = path.dirname(require.resolve('@fontsource/noto-sans/package.json'));
const UNICODE_RANGES = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'unicode.json'), 'utf8')) as Record<
  string,
  string
>;

type Subset = 'latin' | 'latin-ext';
type Weight = 400 | 700;
type Style = 'normal' | 'italic';

function fontFace(subset: Subset, weight: Weight, style: Style): string {
  const file = path.join(PACKAGE_DIR, 'files', `noto-sans-${subset}-${weight}-${style}.woff2`);
  const data = readFileSync(file).toString('base64');
  return (
    `@font-face { font-family: '${PDF_FONT_FAMILY}'; font-style: ${style}; font-weight: ${weight}; ` +
    `src: url(data:font/woff2;base64,${data}) format('woff2'); unicode-range: ${UNICODE_RANGES[subset]}; }`
  );
}

function faces(subsets: Subset[], weights: Weight[], styles: Style[]): string {
  return subsets
    .flatMap((subset) => weights.flatMap((weight) => styles.map((style) => fontFace(subset, weight, style))))
    .join('\n');
}

/** Every face a document body may use: Latin and Latin Extended (names such as Wiśniewski), regular and bold, upright and italic. */
export const DOCUMENT_FONT_FACES = faces(['latin', 'latin-ext'], [400, 700], ['normal', 'italic']);

/**
 * The faces of the running header and footer, which Chromium draws apart from the document and for
 * every page: only what they print (Latin, regular and bold), to keep each page's margin small.
 */
export const MARGIN_FONT_FACES = faces(['latin', 'latin-ext'], [400, 700], ['normal']);
