import { Kysely, sql } from 'kysely';

// Frozen: migrations never import application code. The default risk matrix below is part of the
// schema's history: later versions are made by administrators at /admin/risk-matrix.

const yesNo = (yes: number) => [
  { key: 'yes', label: 'Yes', weight: yes },
  { key: 'no', label: 'No', weight: 0 },
  { key: 'not-known', label: 'Not known', weight: 0 },
];

const DEFAULT_QUESTIONS: {
  code: string;
  text: string;
  hint: string | null;
  options: { key: string; label: string; weight: number }[];
}[] = [
  {
    code: 'repeat-victimisation',
    text: 'How often has the victim experienced anti-social behaviour in the last three months?',
    hint: 'Count every incident the victim tells you about, reported or not.',
    options: [
      { key: 'once', label: 'Once', weight: 0 },
      { key: 'two-to-four', label: '2 to 4 times', weight: 2 },
      { key: 'five-or-more', label: '5 times or more', weight: 4 },
      { key: 'not-known', label: 'Not known', weight: 0 },
    ],
  },
  {
    code: 'hate-motivated',
    text: 'Does the victim, or anyone else, believe the behaviour is motivated by hostility towards a disability, race, religion, sexual orientation or gender identity?',
    hint: null,
    options: yesNo(4),
  },
  {
    code: 'threats-of-violence',
    text: 'Has the victim been threatened with violence, or been assaulted?',
    hint: null,
    options: yesNo(4),
  },
  {
    code: 'perpetrator-violence',
    text: 'Is anyone causing the behaviour known to have a history of violence or of carrying weapons?',
    hint: null,
    options: yesNo(3),
  },
  {
    code: 'health-impact',
    text: "What impact is the behaviour having on the victim's physical or mental health?",
    hint: 'For example, loss of sleep, anxiety, depression, worsening of an existing condition.',
    options: [
      { key: 'none', label: 'No noticeable impact', weight: 0 },
      { key: 'some', label: 'Some impact', weight: 2 },
      { key: 'serious', label: 'Serious impact', weight: 4 },
      { key: 'not-known', label: 'Not known', weight: 0 },
    ],
  },
  {
    code: 'vulnerability',
    text: 'Does the victim have a disability, long-term illness or mental health condition that makes them more vulnerable?',
    hint: null,
    options: yesNo(3),
  },
  {
    code: 'age',
    text: 'Is the victim made more vulnerable by their age (an older person, or a child or young person)?',
    hint: null,
    options: yesNo(2),
  },
  {
    code: 'isolation',
    text: 'Is the victim isolated, for example living alone with no family or friends nearby?',
    hint: null,
    options: yesNo(2),
  },
  { code: 'fear', text: 'Is the victim afraid in their home, or afraid to leave it?', hint: null, options: yesNo(3) },
  {
    code: 'children-affected',
    text: 'Are children in the household affected by the behaviour?',
    hint: null,
    options: yesNo(2),
  },
  {
    code: 'targeted',
    text: 'Is the victim being targeted personally, rather than suffering general nuisance?',
    hint: null,
    options: yesNo(2),
  },
  {
    code: 'property-damage',
    text: "Has the victim's home, vehicle or property been damaged?",
    hint: null,
    options: yesNo(2),
  },
  {
    code: 'self-harm',
    text: 'Has the victim spoken of self-harm or suicide, or of having to move home, because of the behaviour?',
    hint: null,
    options: yesNo(4),
  },
  {
    code: 'getting-worse',
    text: 'Is the behaviour getting worse: more often or more serious?',
    hint: null,
    options: yesNo(2),
  },
  {
    code: 'retaliation',
    text: 'Has the victim, or their family, retaliated or threatened to?',
    hint: 'Retaliation can escalate a dispute and put the victim at risk.',
    options: yesNo(1),
  },
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);

  await db.schema
    .createTable('risk_matrix_versions')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('number', 'integer', (c) => c.notNull().unique())
    .addColumn('threshold', 'integer', (c) => c.notNull().check(sql`threshold > 0`))
    .addColumn('escalation_incidents', 'integer', (c) => c.notNull().defaultTo(3))
    .addColumn('escalation_months', 'integer', (c) => c.notNull().defaultTo(12))
    .addColumn('repeat_months', 'integer', (c) => c.notNull().defaultTo(12))
    .addColumn('change_note', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('risk_questions')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('matrix_version_id', 'integer', (c) => c.notNull().references('risk_matrix_versions.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('hint', 'text')
    .addColumn('options', 'jsonb', (c) => c.notNull())
    .addUniqueConstraint('risk_questions_version_code_key', ['matrix_version_id', 'code'])
    .addUniqueConstraint('risk_questions_version_position_key', ['matrix_version_id', 'position'])
    .execute();

  const version = await db
    .insertInto('risk_matrix_versions')
    .values({
      number: 1,
      threshold: 18,
      escalation_incidents: 3,
      escalation_months: 12,
      repeat_months: 12,
      change_note: 'Default partnership matrix',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('risk_questions')
    .values(
      DEFAULT_QUESTIONS.map((q, i) => ({
        matrix_version_id: version.id,
        position: i + 1,
        code: q.code,
        text: q.text,
        hint: q.hint,
        options: JSON.stringify(q.options),
      })),
    )
    .execute();

  await db.schema
    .createTable('referral_reference_counters')
    .addColumn('year', 'integer', (c) => c.primaryKey())
    .addColumn('last_number', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('referrals')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('reference', 'text', (c) => c.unique())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`status in ('draft', 'submitted', 'more-information-requested', 'rejected', 'awaiting-panel', 'active', 'closed')`,
        ),
    )
    .addColumn('district_id', 'integer', (c) => c.references('districts.id'))
    .addColumn('referring_agency_id', 'integer', (c) => c.notNull().references('agencies.id'))
    .addColumn('created_by', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('submitted_by', 'integer', (c) => c.references('users.id'))
    .addColumn('officer_name', 'text')
    .addColumn('officer_role', 'text')
    .addColumn('officer_phone', 'text')
    .addColumn('officer_email', 'text')
    .addColumn('reason', 'text')
    .addColumn('tried_actions', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('tried_other', 'text')
    .addColumn('tried_details', 'text')
    .addColumn('lawful_basis', 'text')
    .addColumn('consent', 'text', (c) => c.check(sql`consent in ('yes', 'no')`))
    .addColumn('consent_reason', 'text')
    .addColumn('risk_matrix_version_id', 'integer', (c) => c.notNull().references('risk_matrix_versions.id'))
    .addColumn('risk_score', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('risk_verdict', 'text', (c) =>
      c
        .notNull()
        .defaultTo('standard')
        .check(sql`risk_verdict in ('high', 'standard')`),
    )
    .addColumn('criteria', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('judgement', 'text', (c) => c.check(sql`judgement in ('agree', 'high', 'lower')`))
    .addColumn('judgement_reasons', 'text')
    .addColumn('escalation_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('subject_kinds', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('screening_note', 'text')
    .addColumn('screened_by', 'integer', (c) => c.references('users.id'))
    .addColumn('screened_at', 'timestamptz')
    .addColumn('closed_reason', 'text')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('last_submitted_at', 'timestamptz')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // The list sorts by submission date, newest first, drafts (never submitted) last; every filter
  // has an index leading with its column and ending in that order, so a page is an index range.
  const order = sql.raw('submitted_at desc nulls last, id desc');
  await sql`create index referrals_submitted_idx on referrals (${order})`.execute(db);
  await sql`create index referrals_status_idx on referrals (status, ${order})`.execute(db);
  await sql`create index referrals_district_idx on referrals (district_id, ${order})`.execute(db);
  await sql`create index referrals_agency_idx on referrals (referring_agency_id, ${order})`.execute(db);
  await sql`create index referrals_verdict_idx on referrals (risk_verdict, ${order})`.execute(db);
  await sql`create index referrals_score_idx on referrals (risk_score desc, id desc)`.execute(db);
  await sql`create index referrals_updated_idx on referrals (updated_at desc, id desc)`.execute(db);
  await sql`create index referrals_subject_kinds_idx on referrals using gin (subject_kinds)`.execute(db);
  await sql`create index referrals_search_idx on referrals using gin (search_text gin_trgm_ops)`.execute(db);

  await db.schema
    .createTable('referral_subjects')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('referral_id', 'integer', (c) => c.notNull().references('referrals.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.check(sql`kind in ('victim', 'perpetrator', 'location')`))
    .addColumn('full_name', 'text')
    .addColumn('name_key', 'text')
    .addColumn('date_of_birth', 'date')
    .addColumn('approximate_age', 'integer', (c) => c.check(sql`approximate_age between 0 and 120`))
    .addColumn('gender', 'text')
    .addColumn('address', 'text')
    .addColumn('address_key', 'text')
    .addColumn('postcode', 'text')
    .addColumn('postcode_key', 'text')
    .addColumn('description', 'text')
    .addColumn('vulnerabilities', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addUniqueConstraint('referral_subjects_position_key', ['referral_id', 'position'])
    .execute();
  await sql`create index referral_subjects_person_idx on referral_subjects (name_key, date_of_birth) where name_key is not null and date_of_birth is not null`.execute(
    db,
  );
  await sql`create index referral_subjects_place_idx on referral_subjects (postcode_key, address_key) where postcode_key is not null and address_key is not null`.execute(
    db,
  );

  await db.schema
    .createTable('referral_subject_links')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('referral_id', 'integer', (c) => c.notNull().references('referrals.id').onDelete('cascade'))
    .addColumn('from_subject_id', 'integer', (c) => c.notNull().references('referral_subjects.id').onDelete('cascade'))
    .addColumn('relation', 'text', (c) => c.notNull())
    .addColumn('to_subject_id', 'integer', (c) => c.notNull().references('referral_subjects.id').onDelete('cascade'))
    .execute();
  await db.schema
    .createIndex('referral_subject_links_referral_idx')
    .on('referral_subject_links')
    .column('referral_id')
    .execute();

  await db.schema
    .createTable('referral_incidents')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('referral_id', 'integer', (c) => c.notNull().references('referrals.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('incident_date', 'date')
    .addColumn('type', 'text')
    .addColumn('summary', 'text')
    .addColumn('agency_reference', 'text')
    .addUniqueConstraint('referral_incidents_position_key', ['referral_id', 'position'])
    .execute();

  await db.schema
    .createTable('referral_risk_answers')
    .addColumn('referral_id', 'integer', (c) => c.notNull().references('referrals.id').onDelete('cascade'))
    .addColumn('question_id', 'integer', (c) => c.notNull().references('risk_questions.id'))
    .addColumn('answer', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('referral_risk_answers_pkey', ['referral_id', 'question_id'])
    .execute();

  await db.schema
    .createTable('referral_links')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('referral_id', 'integer', (c) => c.notNull().references('referrals.id').onDelete('cascade'))
    .addColumn('linked_referral_id', 'integer', (c) => c.notNull().references('referrals.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('repeat', 'duplicate')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('referral_links_key', ['referral_id', 'linked_referral_id', 'kind'])
    .execute();
  await db.schema.createIndex('referral_links_linked_idx').on('referral_links').column('linked_referral_id').execute();

  await db.schema
    .createTable('referral_events')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('referral_id', 'integer', (c) => c.notNull().references('referrals.id').onDelete('cascade'))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.references('users.id'))
    .addColumn('agency_id', 'integer', (c) => c.references('agencies.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema
    .createIndex('referral_events_referral_idx')
    .on('referral_events')
    .columns(['referral_id', 'at'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('referral_events').execute();
  await db.schema.dropTable('referral_links').execute();
  await db.schema.dropTable('referral_risk_answers').execute();
  await db.schema.dropTable('referral_incidents').execute();
  await db.schema.dropTable('referral_subject_links').execute();
  await db.schema.dropTable('referral_subjects').execute();
  await db.schema.dropTable('referrals').execute();
  await db.schema.dropTable('referral_reference_counters').execute();
  await db.schema.dropTable('risk_questions').execute();
  await db.schema.dropTable('risk_matrix_versions').execute();
}
