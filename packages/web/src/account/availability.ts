import type { Availability } from '@enlets/protocol';
import type { MessageKey, PluralKey } from '../i18n/catalogue.js';

type Key = Exclude<MessageKey, PluralKey>;

/** What the user can choose, in the order offered; `offline` is "appear offline". */
export const CHOOSABLE: readonly Availability[] = ['available', 'busy', 'dnd', 'away', 'offline'];

/** How an availability reads when others see it. */
export const AVAILABILITY_LABELS: Readonly<Record<Availability, Key>> = {
  available: 'account.availability.available',
  busy: 'account.availability.busy',
  dnd: 'account.availability.dnd',
  away: 'account.availability.away',
  offline: 'account.availability.offline',
};

/** How the choice reads in the user's own picker (offline is a choice to look offline). */
export const CHOICE_LABELS: Readonly<Record<Availability, Key>> = {
  ...AVAILABILITY_LABELS,
  offline: 'account.availability.appearOffline',
};
