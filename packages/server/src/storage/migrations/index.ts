import type { Kysely } from 'kysely';
import * as m0010 from './0010-create-accounts.js';
import * as m0020 from './0020-create-membership.js';
import * as m0030 from './0030-create-audit-and-mail.js';
import * as m0040 from './0040-seed-countries.js';
import * as m0050 from './0050-create-messaging.js';
import * as m0060 from './0060-create-channel-requests.js';
import * as m0070 from './0070-create-bookmarks.js';
import * as m0080 from './0080-add-presence.js';
import * as m0090 from './0090-create-attachments.js';
import * as m0100 from './0100-index-event-references.js';
import * as m0110 from './0110-create-e2ee.js';
import * as m0120 from './0120-create-delivery-positions.js';
import * as m0130 from './0130-create-recovery.js';
import * as m0140 from './0140-add-mls-removal-pending.js';
import * as m0150 from './0150-add-history-for-newcomers.js';
import * as m0160 from './0160-create-push-subscriptions.js';
import * as m0170 from './0170-create-passkeys.js';
import * as m0180 from './0180-add-mls-large-groups.js';
import * as m0190 from './0190-create-online-registry.js';
import * as m0200 from './0200-add-mls-batch-lease.js';

export interface MigrationModule {
  up(db: Kysely<unknown>): Promise<void>;
}

/**
 * Every migration, in order. Forward-only: a released migration is never edited, only followed. Names are
 * `NNNN-kebab-description` in steps of 10 (a test checks they are unique and ordered).
 */
export const MIGRATIONS: ReadonlyArray<readonly [string, MigrationModule]> = [
  ['0010-create-accounts', m0010],
  ['0020-create-membership', m0020],
  ['0030-create-audit-and-mail', m0030],
  ['0040-seed-countries', m0040],
  ['0050-create-messaging', m0050],
  ['0060-create-channel-requests', m0060],
  ['0070-create-bookmarks', m0070],
  ['0080-add-presence', m0080],
  ['0090-create-attachments', m0090],
  ['0100-index-event-references', m0100],
  ['0110-create-e2ee', m0110],
  ['0120-create-delivery-positions', m0120],
  ['0130-create-recovery', m0130],
  ['0140-add-mls-removal-pending', m0140],
  ['0150-add-history-for-newcomers', m0150],
  ['0160-create-push-subscriptions', m0160],
  ['0170-create-passkeys', m0170],
  ['0180-add-mls-large-groups', m0180],
  ['0190-create-online-registry', m0190],
  ['0200-add-mls-batch-lease', m0200],
];
