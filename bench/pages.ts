import type { Scene } from './scene';

export const BARE = 'bare route (/ping)';
export const SAVE = 'saving a meeting item';

/** Every main page, as a chair reaches it, in the order of their work. */
export function pagesOf(scene: Scene, items: { register: string; item: string }): [string, string][] {
  return [
    [BARE, '/ping'],
    ['home (things to do)', '/'],
    ['case list', '/referrals'],
    ['case list with a search', `/referrals?q=${encodeURIComponent(scene.searchTerm)}`],
    ['case record', `/referrals/${scene.referralId}`],
    ['screening', '/referrals?status=submitted'],
    ['panel overview', `/panels/${scene.publishedPanelId}`],
    ['agenda builder', `/panels/${scene.builderPanelId}/agenda`],
    ['published agenda', `/panels/${scene.publishedPanelId}/agenda/published`],
    ['research view', `/panels/${scene.publishedPanelId}/research`],
    ['attendance', `/panels/${scene.publishedPanelId}/attendance`],
    ['register', items.register],
    ['meeting item', items.item],
    ['minutes page', `/panels/${scene.minutesPanelId}/minutes`],
    ['actions page', '/actions'],
    ['reports dashboard', '/reports'],
  ];
}
