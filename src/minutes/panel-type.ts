import type { Selectable } from 'kysely';
import type { PanelTable } from '../db/schema';

export type Panel = Selectable<PanelTable>;
