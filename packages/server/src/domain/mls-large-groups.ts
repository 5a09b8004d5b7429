import type { MlsMembershipCommits, TimestampMs } from '@enlets/protocol';
import type { Config } from '../config/config.js';
import type { MembershipRecord } from '../storage/repositories/conversations.js';
import {
  countMembers,
  findLeafSelfUpdatedAt,
  findRemovalState,
  type RemovalState,
} from '../storage/repositories/mls-large-groups.js';
import type { Db } from '../storage/repositories/users.js';
import { isManager } from './access/conversations.js';
import { DomainError } from './errors.js';

/**
 * Large groups (docs/decisions/0021-mls-large-groups.md). In a conversation of thousands, one commit per join
 * or leave, each processed by every device, and every sender blocked after each leave, do not scale. From
 * `memberThreshold` members on, a group is "large": only its owner and managers commit Adds and Removes (a
 * manager's device batches them), other devices only self-update (at most once per `selfUpdateMinIntervalMs`
 * each), new devices wait for a Welcome instead of joining by external commit, and content is accepted for
 * `removalGraceMs` while a removal waits for its batch. Smaller groups keep the rules of ADR 0011 unchanged.
 */
export interface LargeGroupPolicy {
  readonly memberThreshold: number;
  readonly removalGraceMs: number;
  readonly selfUpdateMinIntervalMs: number;
}

/**
 * How long a device's batch lease lasts: longer than the batching interval of the client (10 s ±25 %, ADR 0021),
 * so the device that batches keeps it from one batch to the next, and short enough that another manager's device
 * takes over soon once it is gone.
 */
export const BATCH_LEASE_MS = 30_000;

export function largeGroupPolicy(config: Config): LargeGroupPolicy {
  return {
    memberThreshold: config.mlsLargeGroupMembers,
    removalGraceMs: config.mlsRemovalGraceMs,
    selfUpdateMinIntervalMs: config.mlsSelfUpdateMinIntervalMs,
  };
}

/**
 * Counted per request rather than stored: membership changes in many places, and a count of one conversation's
 * members is an index range. A group near the threshold may switch modes as people come and go; both modes keep
 * every rule of who may read, they differ only in who commits and how long a removal may wait.
 */
export async function isLargeGroup(
  db: Db,
  conversationId: string,
  policy: LargeGroupPolicy,
): Promise<boolean> {
  return (await countMembers(db, conversationId)) >= policy.memberThreshold;
}

/**
 * True while a large group's pending removal is still within its grace: content is accepted, and only managers
 * commit the removal. A removal flagged before migration 0180 (no start time) has no grace left.
 */
export function withinRemovalGrace(state: RemovalState, now: TimestampMs, policy: LargeGroupPolicy): boolean {
  return state.pending && state.since !== null && now < state.since + policy.removalGraceMs;
}

/**
 * A non-manager of a large group may commit a removal only once a flagged removal has outlived its grace.
 * Unflagged unauthorized leaves (a session that merely expired) wait for the managers' next batch.
 */
function graceRunOut(state: RemovalState, now: TimestampMs, policy: LargeGroupPolicy): boolean {
  return state.pending && !withinRemovalGrace(state, now, policy);
}

const refusal = (action: 'external-commit' | 'add' | 'remove', policy: LargeGroupPolicy): DomainError =>
  new DomainError(
    'MLS_LARGE_GROUP_MANAGERS_ONLY',
    action === 'external-commit'
      ? 'in a large group a device is added by a manager’s batch commit: wait for its Welcome'
      : 'in a large group only the owner and managers add or remove devices',
    { action, memberThreshold: policy.memberThreshold },
  );

/** What a commit does, as far as the large-group rules care. */
export interface CommitShape {
  readonly external: boolean;
  readonly adds: number;
  readonly removes: number;
  /** The committer's leaf (a member commit). */
  readonly committerIndex: number;
}

/**
 * The large-group rules on a commit, run in the commit's transaction after the epoch's compare-and-set (so
 * under the group's row lock). Managers commit anything ADR 0011 allows. Others: no external commit, no Add;
 * a Remove only once the pending removal's grace has run out (so a stuck manager cannot keep a removed device
 * reading); a commit without proposals (a self-update) at most once per interval per device.
 */
export async function checkLargeGroupCommit(
  db: Db,
  conversationId: string,
  membership: MembershipRecord,
  commit: CommitShape,
  policy: LargeGroupPolicy,
  now: TimestampMs,
): Promise<void> {
  if (isManager(membership) || !(await isLargeGroup(db, conversationId, policy))) return;
  if (commit.external) throw refusal('external-commit', policy);
  if (commit.adds > 0) throw refusal('add', policy);
  if (commit.removes > 0) {
    if (!graceRunOut(await findRemovalState(db, conversationId), now, policy))
      throw refusal('remove', policy);
    return;
  }
  const last = await findLeafSelfUpdatedAt(db, conversationId, commit.committerIndex);
  if (last !== null && now - last < policy.selfUpdateMinIntervalMs) {
    throw new DomainError(
      'MLS_SELF_UPDATE_TOO_SOON',
      'your device renewed its leaf in this group recently: the next self-update may wait',
      { retryAfterMs: last + policy.selfUpdateMinIntervalMs - now },
    );
  }
}

/** What the caller may commit in the group now, for the live-devices answer (ADR 0021). */
export async function membershipCommitsFor(
  db: Db,
  conversationId: string,
  membership: MembershipRecord,
  policy: LargeGroupPolicy,
  now: TimestampMs,
): Promise<MlsMembershipCommits> {
  if (!(await isLargeGroup(db, conversationId, policy)))
    return { largeGroup: false, mayAdd: true, mayRemove: true };
  if (isManager(membership)) return { largeGroup: true, mayAdd: true, mayRemove: true };
  const removal = await findRemovalState(db, conversationId);
  return { largeGroup: true, mayAdd: false, mayRemove: graceRunOut(removal, now, policy) };
}

/** Whether the caller may join by external commit (false for non-managers of a large group). */
export async function mayJoinExternally(
  db: Db,
  conversationId: string,
  membership: MembershipRecord,
  policy: LargeGroupPolicy,
): Promise<boolean> {
  return isManager(membership) || !(await isLargeGroup(db, conversationId, policy));
}

/** Refuses the batch claim to a non-manager of a large group (they may not commit its Adds anyway). */
export async function checkMayBatch(
  db: Db,
  conversationId: string,
  membership: MembershipRecord,
  policy: LargeGroupPolicy,
): Promise<void> {
  if (!(await mayJoinExternally(db, conversationId, membership, policy))) throw refusal('add', policy);
}
