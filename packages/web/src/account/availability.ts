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

export interface StoredChoice {
  readonly availability: Availability;
  readonly text: string;
}

/**
 * The server keeps the user's choice but has no call that reads it back (only contacts are told), so the
 * picker starts from the last choice made in this browser; a change on another device arrives as the user's
 * own presence frame and wins.
 */
export function storedChoice(userId: string): StoredChoice | undefined {
  try {
    const raw = window.localStorage.getItem(choiceKey(userId));
    if (raw === null) return undefined;
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { availability, text } = parsed as Record<string, unknown>;
    if (!CHOOSABLE.includes(availability as Availability) || typeof text !== 'string') return undefined;
    return { availability: availability as Availability, text };
  } catch {
    return undefined;
  }
}

export function storeChoice(userId: string, choice: StoredChoice): void {
  try {
    window.localStorage.setItem(choiceKey(userId), JSON.stringify(choice));
  } catch {
    // Private mode or full: the server has the choice anyway.
  }
}

function choiceKey(userId: string): string {
  return `enlets.presence.${userId}`;
}

/** The read-receipt setting as last set in this browser (the server has no call that reads it back). */
export function storedReadReceipts(userId: string): boolean {
  try {
    return window.localStorage.getItem(`enlets.readReceipts.${userId}`) !== 'off';
  } catch {
    return true;
  }
}

export function storeReadReceipts(userId: string, enabled: boolean): void {
  try {
    window.localStorage.setItem(`enlets.readReceipts.${userId}`, enabled ? 'on' : 'off');
  } catch {
    // As above.
  }
}
