import type { Clock } from './clock';
import type { Db } from './db/database';
import type { PdfDocuments } from './pdf/documents';

/**
 * What every feature's service is built from, in the composition root (src/services.ts). A
 * service takes the parts it needs from this one object; features meet only through services.
 */
export interface ServiceDeps {
  /** The database, its time columns stamped from `clock`. */
  db: Db;
  clock: Clock;
  mail: {
    /** The sender of every message. */
    from: string;
    /** Wakes the mail worker once a transaction that queued messages has committed. */
    poke(): void;
  };
  links: {
    /** Where links in e-mails and calendar events point. */
    baseUrl: string;
  };
  documents: PdfDocuments;
}
