import type { GroupPosition } from './e2ee-store.js';

/**
 * When a device renews its own leaf keys in a group (post-compromise security, ADR 0011 "Periodic
 * self-updates"): before its next send there, once `maxAgeMs` have passed since its leaf keys were last fresh
 * or it has encrypted `maxMessages` messages with them. Whichever comes first.
 * A device that only reads renews them too (ADR 0021, `renewalDue`): once they are `maxAgeMs` old or it has
 * processed `maxEpochs` commits of others since (at least four times the group's leaf count, so self-updates
 * cannot feed on each other in a large group), after a random delay of up to `jitterMs`, so thousands of
 * readers whose period ends together do not all commit in the same minute.
 */
export interface SelfUpdatePolicy {
  readonly maxAgeMs: number;
  readonly maxMessages: number;
  readonly maxEpochs: number;
  readonly jitterMs: number;
}

export const DEFAULT_SELF_UPDATE_POLICY: SelfUpdatePolicy = {
  maxAgeMs: 7 * 24 * 60 * 60 * 1000,
  maxMessages: 500,
  maxEpochs: 1000,
  jitterMs: 30 * 60 * 1000,
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
  return { ...position, leafUpdatedAt: now, sentSinceLeafUpdate: 0, epochsSinceLeafUpdate: 0 };
}

/**
 * True when a device should renew its leaf even without sending: its keys are `maxAgeMs` old, or it has
 * processed enough other devices' commits since. In a group of N leaves where every device renews after E
 * epochs, about N/E of all commits are renewals, so E is at least 4N: renewals stay a minority and do not make
 * the epochs that make more renewals due.
 */
export function renewalDue(
  position: GroupPosition,
  policy: SelfUpdatePolicy,
  now: number,
  leafCount: number,
): boolean {
  if (position.leafUpdatedAt !== undefined && now - position.leafUpdatedAt >= policy.maxAgeMs) return true;
  return (position.epochsSinceLeafUpdate ?? 0) >= Math.max(policy.maxEpochs, 4 * leafCount);
}

/** The position after this device processed another device's commit (its own leaf stayed as it was). */
export function countEpoch(position: GroupPosition, now: number): GroupPosition {
  return {
    ...position,
    leafUpdatedAt: position.leafUpdatedAt ?? now,
    epochsSinceLeafUpdate: (position.epochsSinceLeafUpdate ?? 0) + 1,
  };
}

/** The position after this device encrypted one more message with its current leaf keys. */
export function countSend(position: GroupPosition, now: number): GroupPosition {
  return {
    ...position,
    leafUpdatedAt: position.leafUpdatedAt ?? now,
    sentSinceLeafUpdate: (position.sentSinceLeafUpdate ?? 0) + 1,
  };
}
