import type { Response } from 'supertest';
import type { TestContext } from '../support/context';
import type { Agent } from '../support/http';
import { flattenValues } from '../../src/http/forms';
import type { CurrentUser, Actor } from '../../src/http/context';
import type { Matrix } from '../../src/risk/scoring';
import { readRaw } from '../../src/referrals/referral-form';

/** Small builders for referral tests: each test makes the referrals it needs. */

/**
 * Encodes a form the way a browser does, with indexed row names (subjects[0][fullName]).
 * Superagent's own encoder drops the indexes of arrays of objects.
 */
export function encodeForm(fields: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(flattenValues(fields))) {
    for (const v of Array.isArray(value) ? (value as unknown[]) : [value]) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') params.append(name, String(v));
    }
  }
  return params.toString();
}

export function postReferral(
  agent: Agent & { csrf: string },
  url: string,
  fields: Record<string, unknown>,
): Promise<Response> {
  return agent
    .post(url)
    .type('form')
    .send(encodeForm({ _csrf: agent.csrf, ...fields }));
}

export interface SubjectFields {
  kind?: string;
  fullName?: string;
  dateOfBirth?: { day: string; month: string; year: string };
  approximateAge?: string;
  gender?: string;
  address?: string;
  postcode?: string;
  description?: string;
  vulnerabilities?: string[];
}

let counter = 0;

/** A unique invented name, so that tests do not find each other's subjects as repeats. */
export function uniqueName(first = 'Robin'): string {
  counter += 1;
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  // The counter has a fixed width, so no name is the start of another (a search for one finds only it).
  const n = `${Date.now().toString(36)}${String(counter).padStart(4, '0')}`.replace(/\d/g, (d) => letters[Number(d)]);
  return `${first} Testcase${n.charAt(0).toUpperCase()}${n.slice(1)}`;
}

/** Answers every question of the matrix with its lowest-weight answer, or as given by code. */
export function answers(matrix: Matrix, byCode: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(
    matrix.questions.map((q) => {
      const wanted = byCode[q.code];
      const lowest = [...q.options].sort((a, b) => a.weight - b.weight)[0];
      return [`q${q.id}`, wanted ?? lowest.key];
    }),
  );
}

/** Answers every question with its highest-weight answer. */
export function highAnswers(matrix: Matrix): Record<string, string> {
  return Object.fromEntries(
    matrix.questions.map((q) => [`q${q.id}`, [...q.options].sort((a, b) => b.weight - a.weight)[0].key]),
  );
}

export interface ReferralBody {
  districtId: string;
  officerName: string;
  officerEmail: string;
  officerRole?: string;
  officerPhone?: string;
  reason: string;
  subjects: SubjectFields[];
  incidents: {
    date: { day: string; month: string; year: string };
    type: string;
    summary: string;
    agencyReference?: string;
  }[];
  links?: { from: string; relation: string; to: string }[];
  triedActions?: string[];
  triedOther?: string;
  triedDetails?: string;
  matrixVersionId: string;
  risk: Record<string, string>;
  judgement: string;
  judgementReasons?: string;
  lawfulBasis: string;
  consent: string;
  consentReason?: string;
  [key: string]: unknown;
}

export async function districtId(ctx: TestContext, name: string): Promise<number> {
  const row = await ctx.db.selectFrom('districts').select('id').where('name', '=', name).executeTakeFirstOrThrow();
  return row.id;
}

/** A complete, valid referral form. */
export async function referralBody(ctx: TestContext, overrides: Partial<ReferralBody> = {}): Promise<ReferralBody> {
  const matrix = await ctx.services.referrals.riskMatrix.current();
  // Each referral on its own street, so that tests do not match each other's subjects by address.
  const street = `${uniqueName('x').split(' ')[1]} Lane`;
  return {
    districtId: String(await districtId(ctx, 'Boston')),
    officerName: 'PC Jordan Ellis',
    officerEmail: 'police@example.org',
    officerRole: 'ASB Officer',
    officerPhone: '01522 000000',
    reason: 'Repeated intimidation of an older neighbour.',
    subjects: [
      {
        kind: 'victim',
        fullName: uniqueName('Alex'),
        dateOfBirth: { day: '3', month: '4', year: '1948' },
        address: `12 ${street}\nBoston`,
        postcode: 'PE21 8QR',
        vulnerabilities: ['age', 'isolation'],
      },
      {
        kind: 'perpetrator',
        fullName: uniqueName('Sam'),
        approximateAge: '30',
        address: `14 ${street}`,
        postcode: 'PE21 8QR',
      },
    ],
    incidents: [
      {
        date: { day: '1', month: '2', year: '2026' },
        type: 'verbal-abuse',
        summary: 'Shouting and swearing at the door.',
      },
    ],
    links: [{ from: '1', relation: 'perpetrator-of', to: '0' }],
    triedActions: ['warning'],
    matrixVersionId: String(matrix.id),
    risk: answers(matrix),
    judgement: 'agree',
    lawfulBasis: 'crime-and-disorder',
    consent: 'yes',
    ...overrides,
  };
}

export async function userNamed(ctx: TestContext, email: string): Promise<CurrentUser> {
  const u = await ctx.db
    .selectFrom('users')
    .innerJoin('agencies', 'agencies.id', 'users.agencyId')
    .select([
      'users.id',
      'users.name',
      'users.email',
      'users.role',
      'users.agencyId',
      'agencies.name as agencyName',
      'agencies.shortName as agencyShortName',
    ])
    .where('users.email', '=', email)
    .executeTakeFirstOrThrow();
  return { ...u, spocForAgencyId: null };
}

export const actorFor = (user: CurrentUser): Actor => ({
  userId: user.id,
  agencyId: user.agencyId,
  ip: '127.0.0.1',
  requestId: null,
});

/** Makes a referral through the service (faster than the browser path) and, if asked, submits and screens it. */
export async function makeReferral(
  ctx: TestContext,
  email: string,
  overrides: Partial<ReferralBody> = {},
  steps: { submit?: boolean; screen?: 'accept' | 'reject' | 'request-information'; screener?: string } = {
    submit: true,
  },
): Promise<{ id: number; reference: string | null }> {
  const { referrals } = ctx.services;
  const user = await userNamed(ctx, email);
  const body = await referralBody(ctx, overrides);
  const { input, errors, matrix } = await referrals.validate(readRaw(body), steps.submit ? 'submit' : 'draft');
  if (Object.keys(errors).length) throw new Error(`test referral is not valid: ${JSON.stringify(errors)}`);
  const id = await referrals.createDraft(user, actorFor(user), input, matrix);
  let reference: string | null = null;
  if (steps.submit) {
    const { version } = await ctx.db
      .selectFrom('referrals')
      .select('version')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    ({ reference } = await referrals.submit(user, actorFor(user), id, version, []));
  }
  if (steps.screen) {
    const screener = await userNamed(ctx, steps.screener ?? 'admin@example.org');
    const note = steps.screen === 'accept' ? null : 'A note from screening.';
    await referrals.screen(screener, actorFor(screener), id, steps.screen, note);
  }
  return { id, reference };
}
