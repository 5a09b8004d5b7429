import type { Availability, UserId } from '@enlets/protocol';
import { listContactPresence, updatePresence } from '../../storage/repositories/presence.js';
import { listMemberIds } from '../../storage/repositories/conversations.js';
import { accessConversationAsMember } from '../access/conversations.js';
import type { Actor } from '../actor.js';
import type { Services } from '../services.js';
import { chosenPresence, presenceAudience } from '../queries/presence.js';

/**
 * Presence and typing: short-lived signals that travel on the bus as `ephemeral` messages and are never part
 * of a conversation's log. Recipients are computed here, never by the gateway.
 */

/** Stores what the member chose and tells their contacts (and their own other devices). */
export async function setPresence(
  services: Services,
  actor: Actor,
  availability: Availability,
  text: string | null,
): Promise<void> {
  const statusText = text === null || text.trim() === '' ? null : text;
  await updatePresence(services.db, actor.user.id, availability, statusText);
  const audience = await presenceAudience(services, actor.user.id);
  publishPresence(services, actor.user.id, [...audience, actor.user.id], availability, statusText);
}

/**
 * A member came online (their first live connection) or went offline (their last one closed): tells their
 * contacts.
 */
export async function announcePresence(services: Services, userId: UserId, online: boolean): Promise<void> {
  const audience = await presenceAudience(services, userId);
  if (audience.length === 0) return;
  if (!online) {
    publishPresence(services, userId, audience, 'offline', null);
    return;
  }
  const chosen = await chosenPresence(services, userId);
  publishPresence(services, userId, audience, chosen.availability, chosen.text);
}

/** At most this many contacts in the snapshot a device gets on connecting (docs/protocol.md). */
export const PRESENCE_SNAPSHOT_LIMIT = 500;

export interface PresenceSnapshotEntry {
  readonly userId: UserId;
  readonly availability: Availability;
  readonly text: string | null;
}

export interface PresenceSnapshot {
  readonly users: readonly PresenceSnapshotEntry[];
  /** There were more contacts than the limit (`PRESENCE_SNAPSHOT_LIMIT`). */
  readonly truncated: boolean;
}

/**
 * What a device connecting as `userId` sees of its contacts right away: each contact's chosen availability and
 * text when they are online (`onlineAmong`: connected to any live process of the cluster), `offline` otherwise ("appear offline" looks
 * the same). Online contacts come first, so a cut keeps the ones worth showing.
 */
export async function presenceSnapshot(
  services: Services,
  userId: UserId,
  onlineAmong: (userIds: readonly string[]) => Promise<ReadonlySet<string>>,
  limit = PRESENCE_SNAPSHOT_LIMIT,
): Promise<PresenceSnapshot> {
  const contacts = await listContactPresence(services.db, userId);
  const online = await onlineAmong(contacts.map((c) => c.userId));
  const entries = contacts.map((c): PresenceSnapshotEntry => {
    const shown = online.has(c.userId) ? c.availability : 'offline';
    return { userId: c.userId, availability: shown, text: shown === 'offline' ? null : c.statusText };
  });
  const shownOnline = entries.filter((e) => e.availability !== 'offline');
  const shownOffline = entries.filter((e) => e.availability === 'offline');
  return {
    users: [...shownOnline, ...shownOffline].slice(0, limit),
    truncated: entries.length > limit,
  };
}

function publishPresence(
  services: Services,
  userId: UserId,
  recipients: readonly string[],
  availability: Availability,
  text: string | null,
): void {
  services.bus.publish({
    type: 'ephemeral',
    recipients,
    // "Appear offline" looks exactly like offline: no status text either.
    frame: {
      type: 'presence',
      userId,
      availability,
      text: availability === 'offline' ? null : text,
      at: services.clock.now(),
    },
  });
}

/** "Is typing…" to the other members of a conversation; NOT_FOUND for a conversation one is not in. */
export async function notifyTyping(services: Services, actor: Actor, conversationId: string): Promise<void> {
  await accessConversationAsMember(services.db, actor, conversationId);
  const members = await listMemberIds(services.db, conversationId);
  const recipients = members.filter((id) => id !== actor.user.id);
  if (recipients.length === 0) return;
  services.bus.publish({
    type: 'ephemeral',
    recipients,
    frame: { type: 'typing', conversationId, userId: actor.user.id, at: services.clock.now() },
  });
}
