import Handlebars from 'handlebars';
import type { Response } from 'supertest';
import type { TestContext } from '../support/context';
import type { Agent } from '../support/http';
import { encodeForm } from '../integration/referrals-builders';

/** The attacks a reviewer would type into a text field, one per line of this list. */
export const PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '<img src=file:///etc/passwd>',
  '{{7*7}}',
  '{{{constructor}}}',
  '${7*7}',
  "'; drop table referrals; --",
  "' or '1'='1",
] as const;

/** Every payload on one line (for single-line fields), marked so that it can be found again. */
export function payload(tag: string): string {
  return `[${tag}] ${PAYLOADS.join(' ')}`;
}

let rotation = 0;
/** One payload at a time, for fields with a short length limit. */
export function shortPayload(): string {
  rotation += 1;
  return PAYLOADS[rotation % PAYLOADS.length];
}

/** The id GOV.UK Frontend gives a control of this name: subjects[0][fullName] → subjects-0-fullName. */
export const idOfName = (name: string) => name.replace(/\]\[|\[|\]/g, '-').replace(/-+$/, '');

/**
 * Where a form refused a value as too long, the same control gets a single, shorter payload instead.
 * Returns the names changed (none when nothing was refused for its length).
 */
export function shortenRefused(html: string, typed: Record<string, string>): string[] {
  const tooLong = [
    ...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '').matchAll(
      /<a href="#([^"]+)">[^<]*characters or fewer<\/a>/g,
    ),
  ].map((m) => m[1]);
  const changed: string[] = [];
  for (const name of Object.keys(typed)) {
    if (tooLong.includes(idOfName(name))) {
      typed[name] = shortPayload();
      changed.push(name);
    }
  }
  return changed;
}

export const CRLF = 'line\r\nBcc: x@example.org';

/** What the text must look like in HTML: Handlebars' own escaping, nothing evaluated. */
export const escaped = (text: string) => Handlebars.escapeExpression(text);

/** Raw markup a payload could smuggle in, if any output were unescaped. */
const RAW = [/<script>alert/i, /<img src=x/i, /<img src=file/i, /onerror=alert\(1\)>/i];

/** The payload is in the page, escaped, and no raw markup from any payload is. */
export function expectLiteral(html: string, text: string, label = ''): void {
  expect({ label, shownEscaped: html.includes(escaped(text)) }).toEqual({ label, shownEscaped: true });
  expectNoRawMarkup(html, label);
}

export function expectNoRawMarkup(html: string, label = ''): void {
  for (const raw of RAW)
    expect({ label, raw: raw.source, found: raw.test(html) }).toEqual({ label, raw: raw.source, found: false });
}

/** In plain text (PDF, e-mail text), the payload appears as typed. */
export function expectPlainLiteral(text: string, value: string, label = ''): void {
  const flat = (s: string) => s.replace(/\s+/g, '');
  expect({ label, found: flat(text).includes(flat(value)) }).toEqual({ label, found: true });
  expect(text).not.toContain('49 ');
}

function decode(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

const attr = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decode(m[1]) : undefined;
};

export interface FormFields {
  /** Every successful control of the form as a browser would send it (checked boxes, selected options, hidden fields). */
  values: Record<string, string | string[]>;
  /** The names of the free-text controls: text inputs and textareas. */
  textNames: string[];
}

/** Reads the controls of the form that posts to `action` (or the first form with a CSRF token). */
export function readForm(html: string, action?: string): FormFields {
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)];
  const form =
    forms.find((f) => (action ? attr(f[1], 'action') === action : /name="_csrf"/.test(f[2]))) ??
    forms.find((f) => !attr(f[1], 'action') && /name="_csrf"/.test(f[2]));
  if (!form) throw new Error(`no form posting to ${action}`);
  const body = form[2];
  const values: Record<string, string | string[]> = {};
  const add = (name: string, value: string) => {
    const prev = values[name];
    values[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  };
  const textNames: string[] = [];
  for (const [tag] of body.matchAll(/<input\b[^>]*>/g)) {
    const name = attr(tag, 'name');
    if (!name || name === '_csrf') continue;
    const type = attr(tag, 'type') ?? 'text';
    if (type === 'radio' || type === 'checkbox') {
      if (/\schecked\b/.test(tag)) add(name, attr(tag, 'value') ?? 'on');
      continue;
    }
    if (type === 'submit' || type === 'button') continue;
    add(name, attr(tag, 'value') ?? '');
    if (type === 'text' && !/inputmode="numeric"/.test(tag) && !/autocomplete="(email|tel|postal-code)"/.test(tag))
      textNames.push(name);
  }
  for (const m of body.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
    const name = attr(m[1], 'name');
    if (!name) continue;
    add(name, decode(m[2].replace(/^\n/, '')));
    textNames.push(name);
  }
  for (const m of body.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
    const name = attr(m[1], 'name');
    if (!name) continue;
    const selected = /<option\b([^>]*)\sselected\b[^>]*>/.exec(m[2]) ?? /<option\b([^>]*)>/.exec(m[2]);
    if (selected) add(name, attr(selected[0], 'value') ?? '');
  }
  return { values, textNames: [...new Set(textNames)] };
}

/** Posts a form body already flattened to control names. */
export function postFields(
  agent: Agent & { csrf: string },
  url: string,
  values: Record<string, string | string[]> = {},
): Promise<Response> {
  const params = new URLSearchParams();
  params.append('_csrf', agent.csrf);
  for (const [name, value] of Object.entries(values))
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  return agent.post(url).type('form').send(params.toString());
}

export { encodeForm };

/**
 * Fills every free-text control of the form with a tagged payload (the tag is the control's name),
 * applies the overrides, posts it and returns the response with the payload each control got.
 */
export async function postPayloads(
  agent: Agent & { csrf: string },
  formUrl: string,
  action: string,
  overrides: Record<string, string | string[]> = {},
  options: { skip?: RegExp } = {},
): Promise<{ res: Response; typed: Record<string, string> }> {
  const page = await agent.get(formUrl);
  expect({ formUrl, status: page.status }).toEqual({ formUrl, status: 200 });
  const form = readForm(page.text, action);
  const typed: Record<string, string> = {};
  for (const name of form.textNames) {
    if (options.skip?.test(name) || name in overrides) continue;
    typed[name] = payload(name);
  }
  let res = await postFields(agent, action, { ...form.values, ...typed, ...overrides });
  if (res.status === 400 && shortenRefused(res.text, typed).length)
    res = await postFields(agent, action, { ...form.values, ...typed, ...overrides });
  return { res, typed };
}

/** The tables an SQL fragment would try to drop are there, with the rows counted before. */
export async function tableCounts(ctx: TestContext): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of [
    'referrals',
    'referralSubjects',
    'panels',
    'agencies',
    'users',
    'actions',
    'auditEvents',
  ] as const) {
    const row = await ctx.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

/** The messages of a page's error summary, to show why a form was refused. */
export const errorsOf = (html: string): string[] =>
  [
    ...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '').matchAll(/<a href="[^"]+">([^<]+)<\/a>/g),
  ].map((m) => m[1]);

/** The status, with the error summary when it is not the one expected. */
export function expectStatus(res: Response, status: number, label = ''): void {
  if (res.status !== status)
    expect({ label, status: res.status, errors: errorsOf(res.text) }).toEqual({ label, status, errors: [] });
}
