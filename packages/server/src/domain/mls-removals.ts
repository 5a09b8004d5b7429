import type { SessionId, TimestampMs, UserId } from '@enlets/protocol';
import { listMemberIds } from '../storage/repositories/conversations.js';
import { listLiveDevices } from '../storage/repositories/e2ee-peers.js';
import { clearRemovalPending, listMlsLeaves, type MlsLeaf } from '../storage/repositories/mls-groups.js';
import { findRemovalState } from '../storage/repositories/mls-large-groups.js';
import { DomainError } from './errors.js';
import { isLargeGroup, withinRemovalGrace, type LargeGroupPolicy } from './mls-large-groups.js';
import { decodeMlsMessage, MlsDecodeError } from './mls-wire.js';
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
 * Checks content sent into a conversation with an MLS group: it must be an MLS PrivateMessage of that very group
 * (a plaintext client, or ciphertext filed under the wrong conversation, is refused with MLS_MESSAGE_REQUIRED,
 * so the server never stores a readable message of an encrypted conversation), and the group may hold no
 * unauthorized leaf (MLS_COMMIT_REQUIRED). The common case costs a header parse: the group's state comes with
 * the send's access check.
 * A flag left set although every leaf is authorized again (a member removed and re-added before anyone
 * committed, a flag raised by a removal racing a commit) is cleared here rather than blocking the conversation.
 *
 * In a large group (ADR 0021) content is accepted for `policy.removalGraceMs` after the removal became pending,
 * while a manager's device batches it; then the refusal applies again, and any member may commit the removal.
 *
 * Call it before the conversation's row is locked: it may write the group's row, and commits lock the group
 * first and the conversation second, so the same order here keeps PostgreSQL free of deadlocks.
 */
export async function checkEncryptedContent(
  trx: Trx,
  conversationId: string,
  /** The group's send state as the send read it with its access (`findSendContext`); undefined: no group. */
  group: { readonly removalPending: boolean } | undefined,
  payload: Uint8Array,
  now: TimestampMs,
  policy: LargeGroupPolicy,
): Promise<void> {
  if (group === undefined) return;
  if (!isPrivateMessageOf(payload, conversationId))
    throw new DomainError(
      'MLS_MESSAGE_REQUIRED',
      'this conversation is end-to-end encrypted: content must be an MLS PrivateMessage of its group',
    );
  if (!group.removalPending) return;
  // A large group keeps accepting content while a manager's batch removes the leaves, for a bounded grace.
  if (await withinLargeGroupGrace(trx, conversationId, policy, now)) return;
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

async function withinLargeGroupGrace(
  trx: Trx,
  conversationId: string,
  policy: LargeGroupPolicy,
  now: TimestampMs,
): Promise<boolean> {
  const removal = await findRemovalState(trx, conversationId);
  return withinRemovalGrace(removal, now, policy) && (await isLargeGroup(trx, conversationId, policy));
}

function isPrivateMessageOf(payload: Uint8Array, conversationId: string): boolean {
  try {
    const message = decodeMlsMessage(payload, 'mls_private_message');
    return Buffer.from(message.privateMessage.groupId).toString('utf8') === conversationId;
  } catch (error) {
    if (error instanceof MlsDecodeError) return false;
    throw error;
  }
}
