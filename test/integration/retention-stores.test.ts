import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { simpleParser } from 'mailparser';
import { createTestContext, type TestContext } from '../support/context';
import { DEMO, postForm, signIn, type Agent } from '../support/http';
import { readPdf } from '../support/pdf';
import { recordedPanel, type RecordedPanel } from './minutes-builders';

/*
 * The proof that retention leaves nothing behind: a case heard at a panel whose minutes were
 * approved, printed, copied for each agency and e-mailed (.eml files), then destroyed after
 * review. Every column of every table (found through information_schema) and every file under
 * DATA_DIR is searched for the subject's name, date of birth, address and postcode.
 */

let ctx: TestContext;
let admin: Agent & { csrf: string };
let chair: Agent & { csrf: string };
let p: RecordedPanel;
const HEARD = '2019-03-12T10:00:00Z';
const NOW = '2026-11-23T10:00:00Z';
const PERSONAL = [
  'Morgan Testvictim',
  'Testvictim',
  'Riley Testperp',
  'Testperp',
  '12 Quay Street',
  'PE21 6AA',
  '1984-05-06',
  '6 May 1984',
];
const REPORTS = [
  '/reports/referrals-by-district.csv?from=2019-01&to=2026-11',
  '/reports/vulnerabilities.csv?from=2019-01&to=2026-11',
  '/reports/case-outcomes.csv?from=2019-01&to=2026-11',
];

const found = (text: string) => PERSONAL.filter((term) => text.toLowerCase().includes(term.toLowerCase()));

async function pdfText(bytes: Buffer): Promise<string> {
  return (await readPdf(bytes)).pages.join('\n');
}

/** Base64 PDFs inside JSON (outbox attachments), decoded and read. */
async function embeddedPdfText(value: unknown): Promise<string> {
  const texts: string[] = [];
  const walk = async (v: unknown): Promise<void> => {
    if (typeof v === 'string' && v.startsWith('JVBERi0')) texts.push(await pdfText(Buffer.from(v, 'base64')));
    else if (Array.isArray(v)) for (const x of v) await walk(x);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) await walk(x);
  };
  await walk(value);
  return texts.join('\n');
}

/** Every text, JSON, date and binary column of every table, as "table.column: term" for each hit. */
async function personalDataInTables(): Promise<string[]> {
  const { rows: columns } = await sql<{ table: string; column: string; type: string }>`
    select table_name as "table", column_name as "column", data_type as "type"
    from information_schema.columns
    where table_schema = current_schema()
      and data_type in ('text', 'character varying', 'json', 'jsonb', 'date', 'bytea', 'ARRAY')
    order by table_name, column_name`.execute(ctx.db);
  expect(columns.length).toBeGreaterThan(100);
  const hits: string[] = [];
  for (const { table, column, type } of columns) {
    const { rows } = await sql<{
      v: unknown;
    }>`select ${sql.ref(column)} as v from ${sql.table(table)} where ${sql.ref(column)} is not null`.execute(ctx.db);
    for (const { v } of rows) {
      let text: string;
      if (type === 'bytea')
        text =
          Buffer.from(v as Uint8Array)
            .subarray(0, 5)
            .toString() === '%PDF-'
            ? await pdfText(Buffer.from(v as Uint8Array))
            : Buffer.from(v as Uint8Array).toString('latin1');
      else if (type === 'json' || type === 'jsonb') text = `${JSON.stringify(v)}\n${await embeddedPdfText(v)}`;
      else text = v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : JSON.stringify(v);
      for (const term of found(text)) hits.push(`${table}.${column}: ${term}`);
    }
  }
  return [...new Set(hits)];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

/** Every file under DATA_DIR: e-mails parsed with their attachments, PDFs read, anything else as text. */
async function personalDataInFiles(): Promise<string[]> {
  const hits: string[] = [];
  for (const file of filesUnder(ctx.dataDir)) {
    const bytes = readFileSync(file);
    let text = bytes.toString('utf8');
    if (file.endsWith('.eml')) {
      const mail = await simpleParser(bytes);
      text += `\n${mail.text ?? ''}\n${typeof mail.html === 'string' ? mail.html : ''}`;
      for (const a of mail.attachments)
        text += `\n${a.contentType === 'application/pdf' ? await pdfText(a.content) : a.content.toString('utf8')}`;
    }
    if (bytes.subarray(0, 5).toString() === '%PDF-') text = await pdfText(bytes);
    for (const term of found(text)) hits.push(`${path.relative(ctx.dataDir, file)}: ${term}`);
  }
  return hits;
}

async function pdfOf(agent: Agent, url: string): Promise<Buffer> {
  const res = await agent
    .get(url)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  expect(res.status).toBe(200);
  return res.body as Buffer;
}

beforeAll(async () => {
  ctx = await createTestContext({ now: '2019-03-12T15:00:00Z' });
  [admin, chair] = await Promise.all([signIn(ctx, DEMO.admin), signIn(ctx, DEMO.chair)]);
  p = await recordedPanel(ctx, {
    startsAt: HEARD,
    discussion: 'Morgan Testvictim is frightened of Riley Testperp, who lives at 12 Quay Street.',
  });
  const [caseId, otherId] = p.referralIds;
  const [itemId] = p.itemIds;
  await ctx.db
    .updateTable('referralSubjects')
    .set({
      dateOfBirth: '1984-05-06',
      address: '12 Quay Street, Boston',
      postcode: 'PE21 6AA',
      nameKey: 'morgan testvictim',
    })
    .where('referralId', '=', caseId)
    .where('position', '=', 1)
    .execute();
  await ctx.db
    .updateTable('referrals')
    .set({ submittedAt: new Date('2019-02-01T10:00:00Z') })
    .where('id', 'in', [caseId, otherId])
    .execute();
  await ctx.db
    .updateTable('referrals')
    .set({ reason: 'Riley Testperp shouts at Morgan Testvictim.', searchText: 'morgan testvictim riley testperp' })
    .where('id', '=', caseId)
    .execute();
  await ctx.db
    .insertInto('referralIncidents')
    .values({
      referralId: caseId,
      position: 1,
      incidentDate: '2019-01-05',
      type: 'verbal-abuse',
      summary: 'Testperp shouted at the door of 12 Quay Street.',
    })
    .execute();
  await ctx.db
    .insertInto('researchRequests')
    .values({
      panelId: p.panelId,
      agendaItemId: itemId,
      agencyId: (
        await ctx.db.selectFrom('agencies').select('id').where('shortName', '=', 'LPFT').executeTakeFirstOrThrow()
      ).id,
      status: 'information-held',
      summary: 'Morgan Testvictim (born 6 May 1984) is known to the crisis team.',
    })
    .execute();
  // A published agenda as an older version stored it, naming the subject, and a draft introduction that does too.
  await ctx.db
    .insertInto('agendaVersions')
    .values({
      panelId: p.panelId,
      version: 1,
      publishedAt: new Date('2019-02-20T10:00:00Z'),
      changes: JSON.stringify(['Added: Morgan Testvictim (item 1, 10:00)']),
      items: JSON.stringify([
        {
          key: `case:${caseId}`,
          label: 'Morgan Testvictim',
          kind: 'review',
          position: 1,
          startsAt: '10:00',
          minutes: 20,
          referralId: caseId,
          reference: p.references[0],
          title: 'Morgan Testvictim',
          presentingAgency: 'Police',
        },
        {
          key: `case:${otherId}`,
          label: p.references[1],
          kind: 'new',
          position: 2,
          startsAt: '10:20',
          minutes: 20,
          referralId: otherId,
          reference: p.references[1],
          title: null,
          presentingAgency: null,
        },
      ]),
    })
    .execute();
  await ctx.db
    .insertInto('minutesDrafts')
    .values({
      panelId: p.panelId,
      introduction: 'The chair welcomed everyone; Testvictim’s case was taken first.',
      itemSummaries: JSON.stringify({ [itemId]: 'Morgan Testvictim feels safer.' }),
    })
    .execute();

  // The check on a young person that led to the case, naming them.
  const requester = await ctx.db
    .selectFrom('users')
    .select(['id', 'agencyId'])
    .where('email', '=', DEMO.police)
    .executeTakeFirstOrThrow();
  await ctx.db
    .insertInto('youthChecks')
    .values({
      requestedBy: requester.id,
      requesterAgencyId: requester.agencyId,
      districtId: (
        await ctx.db.selectFrom('districts').select('id').where('name', '=', 'Boston').executeTakeFirstOrThrow()
      ).id,
      youngPersonName: 'Morgan Testvictim',
      dateOfBirth: '1984-05-06',
      address: '12 Quay Street, Boston',
      concern: 'Shouting at Riley Testperp.',
      requestedAt: new Date('2019-01-20T10:00:00Z'),
      dueOn: '2019-01-25',
      status: 'requested',
      referralId: caseId,
    })
    .execute();
  // Approved, printed, copied for each agency, e-mailed and written to .eml files.
  const page = await chair.get(`/panels/${p.panelId}/minutes`);
  const draftVersion = /name="draftVersion" value="(\d+)"/.exec(page.text)![1];
  expect((await postForm(chair, `/panels/${p.panelId}/minutes/approve`, { draftVersion })).status).toBe(303);
  const police = (
    await ctx.db.selectFrom('users').select('id').where('email', '=', DEMO.police).executeTakeFirstOrThrow()
  ).id;
  const lpft = (await ctx.db.selectFrom('users').select('id').where('email', '=', DEMO.lpft).executeTakeFirstOrThrow())
    .id;
  expect(
    (
      await postForm(admin, `/panels/${p.panelId}/minutes/circulate`, {
        version: '1',
        recipients: [String(police), String(lpft)],
      })
    ).status,
  ).toBe(303);
  await ctx.services.mailWorker.drain();
  await ctx.db
    .updateTable('referrals')
    .set({ status: 'closed', closedAt: new Date('2019-04-01T10:00:00Z') })
    .where('id', '=', caseId)
    .execute();
  ctx.clock.set(NOW);
  // Sent e-mails keep their bodies for ten years here, so only the case's destruction clears them.
  await ctx.db.updateTable('retentionSettings').set({ outboxBodyDays: 3650 }).execute();
  admin = await signIn(ctx, DEMO.admin);
}, 120_000);
afterAll(() => ctx.close());

test('before destruction, the subject is in the tables, the minutes PDFs, the agency copies, the outbox and the .eml files', async () => {
  const tables = await personalDataInTables();
  for (const store of [
    'youth_checks.young_person_name',
    'referral_subjects.full_name',
    'minutes_versions.pdf',
    'minutes_copies.pdf',
    'outbox.attachments',
    'agenda_versions.items',
    'minutes_versions.content',
  ])
    expect(tables.some((hit) => hit.startsWith(`${store}:`))).toBe(true);
  const files = await personalDataInFiles();
  expect(files.filter((f) => f.startsWith('mail/')).length).toBeGreaterThanOrEqual(2);
}, 120_000);

test('when the coordinator destroys the reviewed case, then no table and no file holds its subjects, the other case is kept and the reports count the same', async () => {
  const reportsBefore = await Promise.all(REPORTS.map(async (url) => (await admin.get(url)).text));
  expect((await postForm(admin, '/admin/retention/run')).status).toBe(303);
  const review = await admin.get(`/admin/retention/reviews/${p.referralIds[0]}`);
  expect(review.status).toBe(200);
  const version = /name="version" value="(\d+)"/.exec(review.text)![1];
  const res = await postForm(admin, `/admin/retention/reviews/${p.referralIds[0]}`, {
    decision: 'destroy',
    confirm: 'true',
    version,
  });
  expect(res.status).toBe(303);

  expect(await personalDataInTables()).toEqual([]);
  expect(await personalDataInFiles()).toEqual([]);

  const approved = await pdfText(await pdfOf(admin, `/panels/${p.panelId}/minutes/versions/1.pdf`));
  expect(approved).toContain('[anonymised]');
  expect(approved).toContain('Avery Testsubject');
  expect(approved).toContain(p.references[0]);
  const sent = await ctx.db
    .selectFrom('outbox')
    .select(['toAddress', 'status', 'subject', 'textBody', 'attachments', 'bodyClearedAt'])
    .where('kind', '=', 'minutes')
    .execute();
  expect(sent.length).toBe(2);
  for (const m of sent)
    expect(m).toMatchObject({ status: 'sent', textBody: '', attachments: [], bodyClearedAt: new Date(NOW) });
  expect(sent.map((m) => m.toAddress).sort()).toEqual([DEMO.lpft, DEMO.police]);

  const reportsAfter = await Promise.all(REPORTS.map(async (url) => (await admin.get(url)).text));
  expect(reportsAfter).toEqual(reportsBefore);
}, 180_000);
