import type { CurrentUser } from './context';
import { ADMIN, ADMIN_OR_CHAIR, allows, type Access } from './routes';

interface NavItem {
  text: string;
  href: string;
  access: Access;
  /** A further condition on the user, beyond the role. */
  only?: (user: CurrentUser) => boolean;
}

/** The service navigation; each user sees the sections their role may use. */
const NAVIGATION: NavItem[] = [
  { text: 'Home', href: '/', access: 'signed-in' },
  { text: 'Referrals', href: '/referrals', access: 'signed-in' },
  { text: 'Attendance', href: '/attendance', access: 'signed-in' },
  { text: 'Actions', href: '/actions', access: 'signed-in' },
  { text: 'Panels', href: '/panels', access: 'signed-in' },
  { text: 'Research', href: '/research', access: 'signed-in' },
  { text: 'Youth checks', href: '/youth-checks', access: 'signed-in' },
  { text: 'Case studies', href: '/case-studies', access: 'signed-in' },
  { text: 'Agencies', href: '/admin/agencies', access: ADMIN },
  { text: 'Users', href: '/admin/users', access: ADMIN },
  { text: 'Sent mail', href: '/admin/mail', access: ADMIN },
  { text: 'Risk matrix', href: '/admin/risk-matrix', access: ADMIN },
  { text: 'Reports', href: '/reports', access: ADMIN_OR_CHAIR },
  { text: 'Retention', href: '/admin/retention', access: ADMIN },
  { text: 'Subject access', href: '/admin/subject-access', access: ADMIN },
  { text: 'Audit trail', href: '/admin/audit', access: ADMIN },
  { text: 'Staff access', href: '/audit', access: 'signed-in', only: (user) => user.spocForAgencyId !== null },
];

export function navigationFor(user: CurrentUser | undefined, path: string) {
  if (!user) return [];
  const visible = NAVIGATION.filter((item) => allows(item.access, user.role) && (item.only?.(user) ?? true));
  // The longest matching prefix is the current section.
  const current = visible
    .filter((item) => (item.href === '/' ? path === '/' : path === item.href || path.startsWith(`${item.href}/`)))
    .sort((a, b) => b.href.length - a.href.length)[0];
  return visible.map((item) => ({ text: item.text, href: item.href, active: item === current }));
}
