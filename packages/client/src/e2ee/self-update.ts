import type { GroupPosition } from './e2ee-store.js';

/**
 * When a device renews its own leaf keys in a group (post-compromise security, ADR 0011 "Periodic
 * self-updates"): before its next send there, once `maxAgeMs` have passed since its leaf keys were last fresh
 * or it has encrypted `maxMessages` messages with them. Whichever comes first.
 */
export interface SelfUpdatePolicy {
  readonly maxAgeMs: number;
  readonly maxMessages: number;
}

export const DEFAULT_SELF_UPDATE_POLICY: SelfUpdatePolicy = {
  maxAgeMs: 7 * 24 * 60 * 60 * 1000,
  maxMessages: 500,
};

/**
 * True when this device should commit a self-update before encrypting. A position stored before these fields
 * existed has no age yet: its period starts at the next send (`countSend`), so an upgrade does not make every
 * device commit in every group at once.
 */
export function selfUpdateDue(position: GroupPosition, policy: SelfUpdatePolicy, now: number): boolean {
  const sent = position.sentSinceLeafUpdate ?? 0;
  if (sent >= policy.maxMessages) return true;
  return position.leafUpdatedAt !== undefined && now - position.leafUpdatedAt >= policy.maxAgeMs;
}

/** The position after this device's leaf keys became fresh (it created, joined or self-updated the group). */
export function leafUpdated(position: GroupPosition, now: number): GroupPosition {
  return { ...position, leafUpdatedAt: now, sentSinceLeafUpdate: 0 };
}

/** The position after this device encrypted one more message with its current leaf keys. */
export function countSend(position: GroupPosition, now: number): GroupPosition {
  return {
    ...position,
    leafUpdatedAt: position.leafUpdatedAt ?? now,
    sentSinceLeafUpdate: (position.sentSinceLeafUpdate ?? 0) + 1,
  };
}
