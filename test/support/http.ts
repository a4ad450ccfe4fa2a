import request from 'supertest';
import type { Response } from 'supertest';
import type { TestContext } from './context';
import { DEMO_PASSWORD } from './paths';

export type Agent = ReturnType<typeof request.agent>;

export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1];
}

/** A browser-like agent: keeps cookies and knows the session's CSRF token. */
export async function anonymous(ctx: TestContext): Promise<Agent & { csrf: string }> {
  const agent = request.agent(ctx.app) as Agent & { csrf: string };
  const page = await agent.get('/login');
  agent.csrf = csrfFrom(page.text);
  return agent;
}

export async function signIn(
  ctx: TestContext,
  email: string,
  password = DEMO_PASSWORD,
): Promise<Agent & { csrf: string }> {
  const agent = await anonymous(ctx);
  const res = await agent.post('/login').type('form').send({ _csrf: agent.csrf, email, password });
  if (res.status !== 303) throw new Error(`sign-in as ${email} failed with ${res.status}`);
  const home = await agent.get('/');
  agent.csrf = csrfFrom(home.text);
  return agent;
}

/** Posts a form with the agent's CSRF token. */
export function postForm(
  agent: Agent & { csrf: string },
  url: string,
  fields: Record<string, unknown> = {},
): Promise<Response> {
  return agent
    .post(url)
    .type('form')
    .send({ _csrf: agent.csrf, ...fields });
}

/** The text of an element with this id, without tags, whitespace collapsed. */
export function textOf(html: string, id: string): string | undefined {
  const match = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</`).exec(html);
  return match?.[1]
    .replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

export const DEMO = {
  admin: 'admin@example.org',
  chair: 'chair@example.org',
  police: 'police@example.org',
  lpft: 'lpft@example.org',
  housing: 'housing@example.org',
  council: 'council@example.org',
} as const;
