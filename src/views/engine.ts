import { formatCalendarDate, formatDate, formatDateTime, formatTime } from '../time';
import path from 'node:path';
import type { Express } from 'express';
import { create } from 'express-handlebars';
import type { HelperOptions } from 'handlebars';
import { fieldId } from '../http/forms';
import { PROJECT_ROOT } from '../paths';
import { PANEL_STATUS_NAMES, PANEL_STATUS_TAGS } from '../panels/panel-codes';
import type { PanelStatus } from '../db/schema';

const root = PROJECT_ROOT;

type FormLike = { values?: Record<string, unknown>; errors?: Record<string, string> } | undefined;

export const helpers = {
  /** A panel's status in words, and the colour of its tag. */
  panelStatusName: (status: unknown) => PANEL_STATUS_NAMES[status as PanelStatus] ?? '',
  panelStatusTag: (status: unknown) => PANEL_STATUS_TAGS[status as PanelStatus] ?? 'govuk-tag--grey',
  eq: (a: unknown, b: unknown) => String(a) === String(b),
  not: (a: unknown) => !a,
  and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  gt: (a: unknown, b: unknown) => Number(a) > Number(b),
  includes: (list: unknown, value: unknown) => Array.isArray(list) && list.map(String).includes(String(value)),
  formatDate,
  formatDateTime,
  formatTime,
  formatCalendarDate,
  fieldId: (name: string) => fieldId(String(name)),
  fieldValue: (form: FormLike, name: string) => form?.values?.[name],
  fieldError: (form: FormLike, name: string) => form?.errors?.[name],
  /** A checked radio or checkbox: the submitted value equals (or, for lists, contains) this item's. */
  isChecked: (form: FormLike, name: string, value: unknown) => {
    const v = form?.values?.[name];
    return Array.isArray(v) ? v.map(String).includes(String(value)) : (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && String(v) === String(value);
  },
  concat: (...args: unknown[]) => args.slice(0, -1).join(''),
  plural: (n: unknown, one: string, many: string) => (Number(n) === 1 ? one : many),
  add: (a: unknown, b: unknown) => Number(a) + Number(b),
  /** Builds an object in a template, to pass several values to a partial. */
  obj: (options: HelperOptions) => options.hash,
  list: (...args: unknown[]) => args.slice(0, -1),
  json: (value: unknown) => JSON.stringify(value),
};

export function viewEngine() {
  return create({
    extname: '.hbs',
    layoutsDir: path.join(root, 'views', 'layouts'),
    partialsDir: path.join(root, 'views', 'partials'),
    defaultLayout: 'main',
    helpers,
    // A partial drawn on an indented line must not indent the lines of a value it shows (a text box
    // shown again would gain spaces each time).
    compilerOptions: { preventIndent: true },
  });
}

export function setUpViews(app: Express): void {
  const engine = viewEngine();
  // express-handlebars answers through the callback as well as the promise it returns.
  app.engine('hbs', (file, options, callback) => void engine.engine(file, options, callback));
  app.set('view engine', 'hbs');
  app.set('views', path.join(root, 'views', 'pages'));
  // Compiled templates are cached in every mode: Express enables it in production, we want it always.
  app.enable('view cache');
}
