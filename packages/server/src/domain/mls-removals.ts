import type { SessionId, TimestampMs, UserId } from '@enlets/protocol';
import { listMemberIds } from '../storage/repositories/conversations.js';
import { listLiveDevices } from '../storage/repositories/e2ee-peers.js';
import {
  clearRemovalPending,
  isRemovalPending,
  listMlsLeaves,
  type MlsLeaf,
} from '../storage/repositories/mls-groups.js';
import { DomainError } from './errors.js';
import type { Trx } from './services.js';

/**
 * "Removal follows authorization" (ADR 0011): a leaf is authorized while its user is a member of the
 * conversation and its device is live (signed in, not expired, account active). Whatever ends that sets the
 * group's `removal_pending` flag in its own transaction (`flagRemovalPending`); an accepted commit recomputes
 * it. While it is set, nothing new may be encrypted to the group: sends with content are refused with
 * MLS_COMMIT_REQUIRED until a member commits the removal.
 */
export function isLeafAuthorized(
  leaf: MlsLeaf,
  members: ReadonlySet<string>,
  live: ReadonlyMap<UserId, readonly SessionId[]>,
): boolean {
  return members.has(leaf.userId) && (live.get(leaf.userId)?.includes(leaf.deviceId) ?? false);
}

/** The indexes of the group's leaves that are no longer authorized, in order. */
export async function listUnauthorizedLeaves(
  trx: Trx,
  conversationId: string,
  now: TimestampMs,
): Promise<number[]> {
  const leaves = await listMlsLeaves(trx, conversationId);
  const members = new Set<string>(await listMemberIds(trx, conversationId));
  const live = await listLiveDevices(
    trx,
    [...leaves.values()].map((l) => l.userId),
    now,
  );
  return [...leaves]
    .filter(([, leaf]) => !isLeafAuthorized(leaf, members, live))
    .map(([index]) => index)
    .sort((a, b) => a - b);
}

/**
 * Refuses an application message into a group that still holds unauthorized leaves. The common case costs one
 * primary-key lookup. A flag left set although every leaf is authorized again (a member removed and re-added
 * before anyone committed, a flag raised by a removal racing a commit) is cleared here rather than blocking
 * the conversation until some unrelated commit.
 *
 * Call it before the conversation's row is locked: it may write the group's row, and commits lock the group
 * first and the conversation second, so the same order here keeps PostgreSQL free of deadlocks.
 */
export async function checkNoRemovalPending(
  trx: Trx,
  conversationId: string,
  now: TimestampMs,
): Promise<void> {
  if (!(await isRemovalPending(trx, conversationId))) return;
  const leafIndexes = await listUnauthorizedLeaves(trx, conversationId, now);
  if (leafIndexes.length === 0) {
    await clearRemovalPending(trx, conversationId);
    return;
  }
  throw new DomainError(
    'MLS_COMMIT_REQUIRED',
    'the group still holds devices that may no longer read it: commit their removal, then send again',
    { leafIndexes },
  );
}
