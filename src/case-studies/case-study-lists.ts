import type { Services } from '../services';

/** The agencies to choose from (active ones), or to name (all of them, for studies written before one was deactivated). */
export async function activeAgencyItems(services: Services): Promise<{ value: number; text: string }[]>;
export async function activeAgencyItems(services: Services, forNames: true): Promise<{ id: number; name: string }[]>;
export async function activeAgencyItems(services: Services, forNames?: true) {
  const agencies = await services.agencies.list();
  if (forNames) return agencies.map((a) => ({ id: a.id, name: a.name }));
  return agencies.filter((a) => a.active).map((a) => ({ value: a.id, text: a.name }));
}
