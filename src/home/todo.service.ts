import type { ServiceDeps } from '../service-deps';
import type { CurrentUser } from '../http/context';
import { londonDate } from '../time';
import { ACTION_COUNT_CAP } from '../actions/overdue';
import * as repo from './todo.repository';

// The home page: what is waiting for this person, by role, each with a count and a link.

export interface TodoEntry {
  /** Stable, for tests and the page's ids. */
  key: string;
  /** What is waiting, as a sentence that reads with its count. */
  label: string;
  count: number;
  /** The count stopped at its cap: there are more than `count`. */
  capped?: boolean;
  href: string;
  /** What the link lists, when its text alone would not say. */
  details?: Array<{ text: string; href: string }>;
}

export interface TodoGroup {
  heading: string;
  entries: TodoEntry[];
}

const SHOWN_WAITING = 5;

/** Whole London days between two instants, by calendar date. */
function daysBetween(from: Date, to: Date): number {
  const day = (d: Date) => Date.parse(`${londonDate(d)}T00:00:00Z`);
  return Math.max(0, Math.round((day(to) - day(from)) / 86_400_000));
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

async function screening(deps: Pick<ServiceDeps, 'db'>, now: Date): Promise<TodoEntry> {
  const { count: n, oldest } = await repo.referralsToScreen(deps.db, SHOWN_WAITING);
  return {
    key: 'screen',
    label: plural(n, 'referral to screen', 'referrals to screen'),
    count: n,
    href: '/referrals?status=submitted&sort=submitted-asc',
    details: oldest.map((r) => {
      const days = r.submittedAt ? daysBetween(r.submittedAt, now) : 0;
      return {
        text: `${r.reference ?? `Referral ${r.id}`}: waiting ${days} ${plural(days, 'day', 'days')}`,
        href: `/referrals/${r.id}`,
      };
    }),
  };
}

async function panelWork(db: ServiceDeps['db'], now: Date, chairId: number | null, admin: boolean) {
  const { toBuild, toApprove, toCirculate } = await repo.panelWork(db, now, chairId);
  const entries: TodoEntry[] = [
    {
      key: 'agendas',
      label: plural(toBuild, 'agenda to build and publish', 'agendas to build and publish'),
      count: toBuild,
      href: '/panels',
    },
    {
      key: 'minutes-approve',
      label: plural(toApprove, 'set of minutes to approve', 'sets of minutes to approve'),
      count: toApprove,
      href: '/panels',
    },
  ];
  if (admin)
    entries.push({
      key: 'minutes-circulate',
      label: plural(toCirculate, 'set of approved minutes to circulate', 'sets of approved minutes to circulate'),
      count: toCirculate,
      href: '/panels',
    });
  return entries;
}

async function agencyWork(db: ServiceDeps['db'], user: CurrentUser, now: Date): Promise<TodoEntry[]> {
  const agencies = [user.agencyId, ...(user.spocForAgencyId ? [user.spocForAgencyId] : [])];
  const today = londonDate(now);
  const [research, attendance] = await Promise.all([
    repo.researchDue(db, [...new Set(agencies)], today),
    repo.attendanceUnanswered(db, [...new Set(agencies)], now),
  ]);
  return [
    {
      key: 'research',
      label: plural(research, 'case to research for your agency', 'cases to research for your agency'),
      count: research,
      href: '/research',
    },
    {
      key: 'attendance',
      label: plural(
        attendance,
        'panel whose attendance is not yet answered',
        'panels whose attendance is not yet answered',
      ),
      count: attendance,
      href: '/attendance',
    },
  ];
}

/** An entry of overdue actions, whose count stops at the actions list's cap as the list does. */
function overdueEntry(key: string, counted: number, one: string, many: string): TodoEntry {
  const count = Math.min(counted, ACTION_COUNT_CAP);
  return { key, label: plural(count, one, many), count, capped: counted > count, href: '/actions?show=overdue' };
}

async function overdue(db: ServiceDeps['db'], user: CurrentUser, now: Date): Promise<TodoEntry[]> {
  const today = londonDate(now);
  if (user.role !== 'representative') {
    const all = await repo.overdueActions(db, today, null, ACTION_COUNT_CAP);
    return [overdueEntry('overdue', all, 'action overdue', 'actions overdue')];
  }
  const [mine, agency] = await Promise.all([
    repo.overdueActions(db, today, { agencyId: user.agencyId, name: user.name }, ACTION_COUNT_CAP),
    repo.overdueActions(db, today, { agencyId: user.agencyId }, ACTION_COUNT_CAP),
  ]);
  return [
    overdueEntry('overdue-mine', mine, 'of your actions overdue', 'of your actions overdue'),
    overdueEntry('overdue-agency', agency, "of your agency's actions overdue", "of your agency's actions overdue"),
  ];
}

/** What is waiting for this user, grouped as the home page shows it. */
async function forUser(deps: Pick<ServiceDeps, 'db' | 'clock'>, user: CurrentUser): Promise<TodoGroup[]> {
  const { db } = deps;
  const now = deps.clock.now();
  const admin = user.role === 'administrator';
  if (user.role === 'representative')
    return [
      { heading: 'For your agency', entries: await agencyWork(db, user, now) },
      { heading: 'Actions', entries: await overdue(db, user, now) },
    ];
  const groups: TodoGroup[] = [];
  groups.push({ heading: 'Referrals', entries: [await screening(deps, now)] });
  groups.push({ heading: 'Panels', entries: await panelWork(db, now, admin ? null : user.id, admin) });
  groups.push({ heading: 'Actions', entries: await overdue(db, user, now) });
  if (admin) {
    const failed = await repo.failedDeliveries(db);
    groups.push({
      heading: 'Mail',
      entries: [
        {
          key: 'failed-mail',
          label: plural(failed, 'message not delivered', 'messages not delivered'),
          count: failed,
          href: '/admin/mail?status=failed',
        },
      ],
    });
  }
  return groups;
}

export function todoService(deps: Pick<ServiceDeps, 'db' | 'clock'>) {
  return { forUser: (user: CurrentUser) => forUser(deps, user) };
}

export type TodoService = ReturnType<typeof todoService>;
