import type { RequestHandler } from 'express';
import type { Role } from '../db/schema';

/**
 * Who may use a route. Every route of the application is declared with one of these; there is no
 * other way to add a route, so a route without a rule cannot exist (deny by default).
 * - 'public': anyone, signed in or not
 * - 'signed-in': any signed-in user (object-level checks still apply inside)
 * - a list of roles: only those
 */
export type Access = 'public' | 'signed-in' | readonly Role[];

export type Method = 'get' | 'post';

export interface RouteDef {
  method: Method;
  path: string;
  access: Access;
  handlers: RequestHandler[];
}

export const get = (path: string, access: Access, ...handlers: RequestHandler[]): RouteDef => ({
  method: 'get',
  path,
  access,
  handlers,
});

export const post = (path: string, access: Access, ...handlers: RequestHandler[]): RouteDef => ({
  method: 'post',
  path,
  access,
  handlers,
});

export const ADMIN: readonly Role[] = ['administrator'];
export const ADMIN_OR_CHAIR: readonly Role[] = ['administrator', 'chair'];

export function allows(access: Access, role: Role | undefined): boolean {
  if (access === 'public') return true;
  if (!role) return false;
  if (access === 'signed-in') return true;
  return access.includes(role);
}
