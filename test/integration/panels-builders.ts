import type { TestContext } from '../support/context';

/** Small builders for panel and agenda tests: cases and panels written straight to the database. */

let counter = 0;

export async function agencyId(ctx: TestContext, shortName: string): Promise<number> {
  return (await ctx.db.selectFrom('agencies').select('id').where('shortName', '=', shortName).executeTakeFirstOrThrow())
    .id;
}

export async function districtId(ctx: TestContext, name: string): Promise<number> {
  return (await ctx.db.selectFrom('districts').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
}

export async function userId(ctx: TestContext, email: string): Promise<number> {
  return (await ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
}

export interface CaseOptions {
  districtId: number;
  referringAgencyId: number;
  status?: 'awaiting-panel' | 'active' | 'submitted';
  riskScore?: number;
  children?: boolean;
  /** A subject's date of birth, 'YYYY-MM-DD'. */
  dateOfBirth?: string;
  name?: string;
}

/** A screened case with one subject, as screening leaves it. */
export async function makeCase(ctx: TestContext, o: CaseOptions) {
  counter += 1;
  const matrix = await ctx.db
    .selectFrom('riskMatrixVersions')
    .select('id')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  const createdBy =
    (await ctx.db.selectFrom('users').select('id').where('agencyId', '=', o.referringAgencyId).executeTakeFirst())
      ?.id ?? (await ctx.db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id;
  // Each test file has a database of its own, so a counter keeps references unique.
  const reference = `ASB-2026-${9000 + counter}`;
  const name = o.name ?? `Robin Agendatest${counter}`;
  const row = await ctx.db
    .insertInto('referrals')
    .values({
      reference,
      status: o.status ?? 'awaiting-panel',
      districtId: o.districtId,
      referringAgencyId: o.referringAgencyId,
      createdBy,
      reason: 'Repeated noise and intimidation of neighbours.',
      riskMatrixVersionId: matrix.id,
      riskScore: o.riskScore ?? 30,
      riskVerdict: 'high',
      submittedAt: new Date('2026-10-01T10:00:00Z'),
      createdAt: new Date('2026-10-01T10:00:00Z'),
      updatedAt: new Date('2026-10-01T10:00:00Z'),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await ctx.db
    .insertInto('referralSubjects')
    .values({
      referralId: row.id,
      position: 1,
      kind: 'perpetrator',
      fullName: name,
      dateOfBirth: o.dateOfBirth ?? '1980-05-17',
      address: `${counter} Agenda Street, Boston`,
      postcode: 'PE21 1AA',
      vulnerabilities: o.children ? ['children-in-household'] : [],
    })
    .execute();
  return { id: row.id, reference, name };
}

/** A panel written directly, for history (concluded panels) or to build an agenda on. */
export async function makePanel(
  ctx: TestContext,
  o: { districtId: number; startsAt: string; status?: 'scheduled' | 'concluded'; agencyIds?: number[] },
) {
  const chair = await userId(ctx, 'chair@example.org');
  const startsAt = new Date(o.startsAt);
  const row = await ctx.db
    .insertInto('panels')
    .values({
      districtId: o.districtId,
      startsAt,
      endsAt: new Date(startsAt.getTime() + 150 * 60_000),
      venue: 'Municipal Buildings',
      chairUserId: chair,
      researchClosesOn: o.startsAt.slice(0, 10),
      status: o.status ?? 'scheduled',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (o.agencyIds?.length)
    await ctx.db
      .insertInto('panelInvitations')
      .values(o.agencyIds.map((agencyId) => ({ panelId: row.id, agencyId, reason: 'core' as const })))
      .execute();
  return row.id;
}

/** A case heard at an earlier, concluded panel and kept open for review, with open actions. */
export async function heardCase(ctx: TestContext, o: CaseOptions & { heardAt: string; openActions?: number }) {
  const c = await makeCase(ctx, { ...o, status: 'active' });
  const panelId = await makePanel(ctx, { districtId: o.districtId, startsAt: o.heardAt, status: 'concluded' });
  const item = await ctx.db
    .insertInto('agendaItems')
    .values({ panelId, position: 1, kind: 'new', referralId: c.id, minutesAllotted: 15 })
    .returning('id')
    .executeTakeFirstOrThrow();
  await ctx.db
    .insertInto('meetingRecords')
    .values({ agendaItemId: item.id, decision: 'review', discussed: true })
    .execute();
  for (let n = 0; n < (o.openActions ?? 0); n += 1) {
    await ctx.db
      .insertInto('actions')
      .values({
        referralId: c.id,
        panelId,
        agendaItemId: item.id,
        description: 'Visit the household',
        ownerAgencyId: o.referringAgencyId,
        dueOn: '2026-11-01',
      })
      .execute();
  }
  return c;
}

/** The iCalendar text of an outbox row's attachment, unfolded, as a map of its first property values. */
export function parseIcs(base64: string): { lines: string[]; get(name: string): string | undefined } {
  const text = Buffer.from(base64, 'base64')
    .toString('utf8')
    .replace(/\r\n[ \t]/g, '');
  const lines = text.split(/\r\n/).filter(Boolean);
  return { lines, get: (name) => lines.find((l) => l.split(/[:;]/)[0] === name)?.replace(/^[^:]*:/, '') };
}

const unescapeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

const attrOf = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? unescapeHtml(m[1]) : undefined;
};

/**
 * The fields a browser would send from the form with this id, as name/value pairs in page order:
 * text and hidden inputs, ticked boxes, each select's chosen option. Buttons are left out: the test adds the one pressed.
 */
export function formFieldsOf(html: string, formId: string): [string, string][] {
  const start = html.indexOf(`id="${formId}"`);
  if (start < 0) throw new Error(`No form ${formId} on the page`);
  const form = html.slice(start, html.indexOf('</form>', start));
  const fields: [string, string][] = [];
  for (const m of form.matchAll(
    /<input\b[^>]*>|<select\b[^>]*>[\s\S]*?<\/select>|<textarea\b[^>]*>[\s\S]*?<\/textarea>/g,
  )) {
    const element = m[0];
    const tag = /^<[^>]*>/.exec(element)![0];
    const name = attrOf(tag, 'name');
    if (!name || /\sdisabled[\s>]/.test(tag)) continue;
    if (element.startsWith('<select')) {
      const options = [...element.matchAll(/<option\b[^>]*>/g)].map((o) => o[0]);
      const chosen = options.find((o) => /\sselected[\s>]/.test(o)) ?? options[0];
      fields.push([name, chosen ? (attrOf(chosen, 'value') ?? '') : '']);
    } else if (element.startsWith('<textarea')) {
      fields.push([name, unescapeHtml(element.slice(tag.length, element.lastIndexOf('</textarea>')))]);
    } else {
      const type = attrOf(tag, 'type') ?? 'text';
      if ((type === 'checkbox' || type === 'radio') && !/\schecked[\s>]/.test(tag)) continue;
      if (type === 'submit' || type === 'button') continue;
      fields.push([name, attrOf(tag, 'value') ?? (type === 'checkbox' ? 'on' : '')]);
    }
  }
  return fields;
}

/** Replaces the value of each named field (adding it when absent), as a user typing would. */
export function typeInto(fields: [string, string][], typed: Record<string, string>): [string, string][] {
  const out = fields.map(([name, value]): [string, string] => [name, name in typed ? typed[name] : value]);
  for (const [name, value] of Object.entries(typed)) if (!fields.some(([n]) => n === name)) out.push([name, value]);
  return out;
}
