import type { Availability, UserId } from '@enlets/protocol';
import { findPresence, listPresenceContacts } from '../../storage/repositories/presence.js';
import type { Services } from '../services.js';

export interface ChosenPresence {
  readonly availability: Availability;
  readonly text: string | null;
}

/** What a member chose to show (available when they never chose). */
export async function chosenPresence(services: Services, userId: string): Promise<ChosenPresence> {
  const found = await findPresence(services.db, userId);
  return { availability: found?.availability ?? 'available', text: found?.statusText ?? null };
}

/**
 * Who sees a member's presence: the members of their 1:1 and group
 * conversations (not channels or broadcasts, which would reach the whole network).
 */
export async function presenceAudience(services: Services, userId: string): Promise<readonly UserId[]> {
  return listPresenceContacts(services.db, userId);
}
