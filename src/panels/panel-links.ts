import type { CurrentUser } from '../http/context';
import type { PanelStatus } from '../db/schema';

export interface PanelLink {
  text: string;
  href: string;
  hint?: string;
}

/**
 * The links on a panel's overview page. Each feature of a panel (agenda, research, attendance,
 * register, meeting, minutes) adds its own here, for the users who may follow it.
 */
export function panelLinksFor(
  user: CurrentUser,
  panel: { id: number; status: PanelStatus; agendaVersion: number },
): PanelLink[] {
  const manages = user.role === 'administrator' || user.role === 'chair';
  const links: PanelLink[] = [];
  if (manages)
    links.push({
      text: 'Build the agenda',
      href: `/panels/${panel.id}/agenda`,
      hint: panel.agendaVersion > 0 ? `Version ${panel.agendaVersion} published` : 'Not yet published',
    });
  else if (panel.agendaVersion > 0)
    links.push({ text: 'Agenda', href: `/panels/${panel.id}/agenda`, hint: `Version ${panel.agendaVersion}` });
  if (panel.agendaVersion > 0) links.push({ text: 'Agenda (PDF)', href: `/panels/${panel.id}/agenda.pdf` });
  if (manages && panel.agendaVersion > 0) links.push({ text: 'Research matrix', href: `/panels/${panel.id}/research` });
  if (!manages && panel.agendaVersion > 0) links.push({ text: "Your agency's research", href: '/research' });
  if (panel.status !== 'cancelled') {
    links.push({
      text: 'Attendance',
      href: `/panels/${panel.id}/attendance`,
      hint: manages ? 'Who is coming, and quorum' : "Your agency's answer",
    });
  }
  if (manages && panel.status !== 'scheduled' && panel.status !== 'agenda-published' && panel.status !== 'cancelled') {
    links.push({
      text: 'Register',
      href: `/panels/${panel.id}/register`,
      hint: panel.status === 'in-progress' ? 'Take the register' : 'As recorded',
    });
  }
  if (
    manages &&
    (panel.status === 'agenda-published' ||
      panel.status === 'in-progress' ||
      panel.status === 'concluded' ||
      panel.status === 'minutes-approved' ||
      panel.status === 'minutes-circulated')
  ) {
    links.push({
      text: 'Meeting',
      href: `/panels/${panel.id}/meeting`,
      hint:
        panel.status === 'agenda-published'
          ? 'Start the meeting'
          : panel.status === 'in-progress'
            ? 'Record each case'
            : 'As recorded',
    });
  }
  if (manages && panel.status === 'in-progress')
    links.push({
      text: 'Conclude the meeting',
      href: `/panels/${panel.id}/conclude`,
      hint: 'Check every case has a decision',
    });
  if (panel.status !== 'scheduled' && panel.status !== 'agenda-published' && panel.status !== 'cancelled') {
    links.push({ text: 'Actions from this panel', href: `/actions?show=all&panel=${panel.id}` });
  }
  const hasMinutes = panel.status === 'minutes-approved' || panel.status === 'minutes-circulated';
  if (manages && (panel.status === 'concluded' || hasMinutes)) {
    links.push({
      text: 'Minutes',
      href: `/panels/${panel.id}/minutes`,
      hint: panel.status === 'concluded' ? 'Draft: edit and approve' : 'Approved; a correction makes a new version',
    });
  } else if (hasMinutes) links.push({ text: 'Minutes', href: `/panels/${panel.id}/minutes`, hint: 'Approved' });
  if (user.role === 'administrator' && hasMinutes) {
    links.push({ text: 'Circulate the minutes', href: `/panels/${panel.id}/minutes/circulate` });
    if (panel.status === 'minutes-circulated')
      links.push({ text: 'Minutes delivery log', href: `/panels/${panel.id}/minutes/deliveries` });
  }
  return links;
}
