import { randomUUID } from 'node:crypto';
import type {
  CreateMlsGroupRequest,
  MlsGroupState,
  SubmitCommitRequest,
  SubmitCommitResponse,
  TimestampMs,
} from '@enlets/protocol';
import {
  contentTypes,
  defaultExtensionTypes,
  defaultProposalTypes,
  encode,
  mlsMessageEncoder,
  proposalOrRefTypes,
  senderTypes,
  wireformats,
  type CiphersuiteName,
  type Commit,
  type GroupInfo,
  type KeyPackage,
  type MlsWelcomeMessage,
  type Proposal,
  type Sender,
} from 'ts-mls';
import { insertEvent, type EventRecord } from '../../storage/repositories/events.js';
import { listMemberIds, takeNextSeq } from '../../storage/repositories/conversations.js';
import { listIdentityKeys } from '../../storage/repositories/e2ee-identities.js';
import { listLiveDevices } from '../../storage/repositories/e2ee-peers.js';
import {
  advanceMlsEpoch,
  findMlsGroup,
  insertMlsCommit,
  insertMlsGroup,
  insertWelcomes,
  listCommitSeqsSince,
  listMlsLeaves,
  storeGroupInfo,
  updateMlsLeaves,
  type MlsLeaf,
  type MlsLeafMap,
  type MlsWelcomeRecord,
} from '../../storage/repositories/mls-groups.js';
import { recordLeafSelfUpdate } from '../../storage/repositories/mls-large-groups.js';
import { accessConversationAsMember } from '../access/conversations.js';
import type { Actor } from '../actor.js';
import { DomainError } from '../errors.js';
import {
  checkLeafCredential,
  claimedUserOf,
  keyPackageRefOf,
  sameBytes,
  suiteId,
  type LeafOwner,
} from '../mls-credentials.js';
import { checkLargeGroupCommit, largeGroupPolicy, type CommitShape } from '../mls-large-groups.js';
import { isLeafAuthorized } from '../mls-removals.js';
import { decodeMlsMessage, deviceCredentialOf, MlsDecodeError, readRatchetTreeLeaves } from '../mls-wire.js';
import { inTransaction, type Services, type Trx } from '../services.js';
import { toWireEvent } from '../wire.js';
import { publishAfterCommit } from './events.js';

/** How many missed commits an MLS_EPOCH_MISMATCH lists; a client further behind syncs the log first. */
const MAX_MISSED_SEQS = 1000;

const invalidMessage = (reason: string, cause?: unknown): DomainError =>
  new DomainError('MLS_INVALID_MESSAGE', `invalid MLS message: ${reason}`, { reason }, { cause });
const memberNotAllowed = (reason: string, details: Readonly<Record<string, unknown>> = {}): DomainError =>
  new DomainError('MLS_MEMBER_NOT_ALLOWED', reason, { reason, ...details });
const groupInfoMismatch = (reason: string, details: Readonly<Record<string, unknown>> = {}): DomainError =>
  new DomainError('MLS_GROUP_INFO_MISMATCH', `the GroupInfo does not match the commit: ${reason}`, {
    reason,
    ...details,
  });

function bytesOf(base64url: string): Uint8Array {
  return new Uint8Array(Buffer.from(base64url, 'base64url'));
}

function decodeOrRefuse<T>(decode: () => T): T {
  try {
    return decode();
  } catch (cause) {
    if (cause instanceof MlsDecodeError) throw invalidMessage(cause.message, cause);
    throw cause;
  }
}

/** The group id of a conversation's group: the conversation id, UTF-8 (ADR 0011). */
function groupIdOf(conversationId: string): Uint8Array {
  return new TextEncoder().encode(conversationId);
}

/**
 * Registers the conversation's MLS group at epoch 0 from its creator's GroupInfo: the group of this
 * conversation, in the deployment's suite, whose ratchet tree holds exactly one leaf, the caller's device with
 * a credential signed by the caller's identity key. The first device wins; later ones get MLS_GROUP_EXISTS and
 * are added by a member, or join by external commit.
 */
export async function createMlsGroup(
  services: Services,
  actor: Actor,
  conversationId: string,
  request: CreateMlsGroupRequest,
): Promise<MlsGroupState> {
  await accessConversationAsMember(services.db, actor, conversationId);
  const bytes = bytesOf(request.groupInfo);
  const { groupInfo } = decodeOrRefuse(() => decodeMlsMessage(bytes, 'mls_group_info'));
  const suite = services.config.mlsCiphersuite as CiphersuiteName;
  const context = groupInfo.groupContext;
  if (!sameBytes(context.groupId, groupIdOf(conversationId)))
    throw invalidMessage('the group is not this conversation’s');
  if (context.cipherSuite !== suiteId(suite)) throw invalidMessage(`the group is not of the suite ${suite}`);
  if (context.epoch !== 0n) throw invalidMessage('a new group starts at epoch 0');
  const creator: LeafOwner = { userId: actor.user.id, deviceId: actor.session.id };
  return inTransaction(services, async (trx) => {
    await accessConversationAsMember(trx, actor, conversationId);
    const identityKeys = await listIdentityKeys(trx, [actor.user.id]);
    const treeLeaves = checkedTreeLeaves(groupInfo, new Map([[0, creator]]), 0);
    const leaf = treeLeaves.get(0);
    if (leaf === undefined) throw new Error('checkedTreeLeaves let a tree without leaf 0 through');
    const verdict = checkLeafCredential(leaf.credential, leaf.signaturePublicKey, identityKeys);
    if (!verdict.ok) throw memberNotAllowed(verdict.reason, { leafIndex: 0 });
    const now = services.clock.now();
    const inserted = await insertMlsGroup(trx, { conversationId, cipherSuite: suite, groupInfo: bytes }, now);
    if (!inserted) throw new DomainError('MLS_GROUP_EXISTS', 'this conversation has an MLS group already');
    await updateMlsLeaves(trx, conversationId, [], new Map([[0, creator]]));
    return { conversationId, cipherSuite: suite, epoch: 0 };
  });
}

interface PlannedAdd {
  readonly owner: LeafOwner;
  readonly keyPackageRef: string;
}

/** What a commit does to the leaf map, once every rule checked out. */
interface CommitPlan {
  /** The committer's leaf index in the new epoch (for an external commit: where the joiner lands). */
  readonly committerIndex: number;
  readonly removed: readonly number[];
  readonly added: ReadonlyMap<number, PlannedAdd>;
  readonly leaves: MlsLeafMap;
  /** Leaves the commit keeps that are no longer authorized: sends stay refused until they go too. */
  readonly removalPending: boolean;
}

/**
 * Accepts a commit made at `request.epoch` (ADR 0011, "One commit per epoch"). In one transaction: the epoch
 * moves by compare-and-set (a loser gets MLS_EPOCH_MISMATCH with the seqs it missed), the commit is checked
 * against the conversation's membership rules and the GroupInfo against the commit, the commit is appended to
 * the conversation's log as an `mls.commit` event, the leaf map and GroupInfo are updated, and each added
 * device gets its Welcome. Events and wake-ups go out after the commit.
 */
export async function submitCommit(
  services: Services,
  actor: Actor,
  conversationId: string,
  request: SubmitCommitRequest,
): Promise<SubmitCommitResponse> {
  await accessConversationAsMember(services.db, actor, conversationId);
  const commitBytes = bytesOf(request.commit);
  const { publicMessage } = decodeOrRefuse(() => decodeMlsMessage(commitBytes, 'mls_public_message'));
  const { content } = publicMessage;
  if (content.contentType !== contentTypes.commit) throw invalidMessage('not a commit');
  if (!sameBytes(content.groupId, groupIdOf(conversationId))) {
    throw invalidMessage('the commit is for another group');
  }
  if (content.epoch !== BigInt(request.epoch)) throw invalidMessage('the commit was made at another epoch');
  const groupInfoBytes = bytesOf(request.groupInfo);
  const { groupInfo } = decodeOrRefuse(() => decodeMlsMessage(groupInfoBytes, 'mls_group_info'));
  const welcome =
    request.welcome === undefined
      ? undefined
      : decodeOrRefuse(() => decodeMlsMessage(bytesOf(request.welcome ?? ''), 'mls_welcome'));
  const { commit } = content;
  checkProposalTypes(commit, content.sender);

  return inTransaction(services, async (trx, afterCommit) => {
    const { conversation, membership } = await accessConversationAsMember(trx, actor, conversationId);
    const group = await findMlsGroup(trx, conversationId);
    if (group === undefined)
      throw new DomainError('MLS_GROUP_NOT_FOUND', 'this conversation has no MLS group yet');
    const now = services.clock.now();
    if (!(await advanceMlsEpoch(trx, conversationId, request.epoch, now))) {
      const current = (await findMlsGroup(trx, conversationId))?.epoch ?? group.epoch;
      const missedSeqs = await listCommitSeqsSince(trx, conversationId, request.epoch, MAX_MISSED_SEQS);
      throw new DomainError(
        'MLS_EPOCH_MISMATCH',
        `the group is at epoch ${String(current)}: process the missed commits and commit again`,
        { epoch: current, missedSeqs },
      );
    }
    const shape = commitShapeOf(commit, content.sender);
    await checkLargeGroupCommit(
      trx,
      conversationId,
      membership,
      shape,
      largeGroupPolicy(services.config),
      now,
    );
    const suite = group.cipherSuite as CiphersuiteName;
    const plan = await planCommit(services, trx, actor, conversationId, suite, commit, content.sender, now);
    checkGroupInfo(groupInfo, conversationId, request.epoch + 1, suiteId(suite), plan);
    const welcomes = routeWelcome(welcome, suiteId(suite), plan, conversationId, request.epoch + 1, now);

    const seq = await takeNextSeq(trx, conversationId, now);
    const event: EventRecord = {
      conversationId,
      seq,
      kind: 'mls.commit',
      senderId: actor.user.id,
      senderDeviceId: actor.session.id,
      clientMessageId: null,
      refSeq: null,
      threadRootSeq: null,
      tlp: conversation.tlp,
      mentions: [],
      mentionsAll: false,
      attachments: [],
      payload: commitBytes,
      system: null,
      createdAt: now,
      expiresAt: null,
      deletedAt: null,
      deletedByManager: false,
    };
    await insertEvent(trx, event);
    await insertMlsCommit(trx, conversationId, request.epoch, seq);
    await updateMlsLeaves(
      trx,
      conversationId,
      plan.removed,
      new Map([...plan.added].map(([index, add]) => [index, add.owner])),
    );
    if (content.sender.senderType === senderTypes.new_member_commit) {
      await updateMlsLeaves(trx, conversationId, [], new Map([[plan.committerIndex, ownerOf(actor)]]));
    }
    // Recorded in every group, enforced in large ones: a group that grows past the threshold knows already.
    if (shape.selfUpdate) await recordLeafSelfUpdate(trx, conversationId, plan.committerIndex, now);
    // A removal without an UpdatePath (ts-mls rc.10 makes one for a single Remove) must be followed by the
    // committer's self-update before it may send: the rate limit must not stand in its way.
    else if (shape.removes > 0 && commit.path === undefined)
      await recordLeafSelfUpdate(trx, conversationId, plan.committerIndex, null);
    await storeGroupInfo(trx, conversationId, groupInfoBytes, plan.removalPending, now);
    await insertWelcomes(trx, welcomes);

    const recipients = await listMemberIds(trx, conversationId);
    publishAfterCommit(services, afterCommit, {
      type: 'event.created',
      event: toWireEvent(event),
      recipients,
    });
    for (const w of welcomes) {
      // A wake-up only: the Welcome itself is fetched by the device it is for (GET /e2ee/welcomes).
      publishAfterCommit(services, afterCommit, {
        type: 'ephemeral',
        recipients: [w.userId],
        frame: { type: 'welcome', conversationId, deviceId: w.deviceId, welcomeId: w.id, epoch: w.epoch },
      });
    }
    return { epoch: request.epoch + 1, seq };
  });
}

/** What the large-group rules look at (ADR 0021); a member commit without proposals is a self-update. */
function commitShapeOf(commit: Commit, sender: Sender): CommitShape & { readonly selfUpdate: boolean } {
  const proposals = proposalsOf(commit);
  const external = sender.senderType === senderTypes.new_member_commit;
  return {
    external,
    adds: proposals.filter((p) => 'add' in p).length,
    removes: proposals.filter((p) => 'remove' in p).length,
    committerIndex: sender.senderType === senderTypes.member ? sender.leafIndex : -1,
    selfUpdate: !external && proposals.length === 0,
  };
}

function ownerOf(actor: Actor): LeafOwner {
  return { userId: actor.user.id, deviceId: actor.session.id };
}

const PROPOSAL_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(defaultProposalTypes).map(([name, value]) => [value, name]),
);

/**
 * Proposals the Delivery Service accepts: inline (by value), Add and Remove from members, ExternalInit (and
 * Removes of one's own leaves) in an external commit. Updates go in the commit's UpdatePath instead; ReInit,
 * PSKs, GroupContextExtensions and custom proposals are refused.
 */
function checkProposalTypes(commit: Commit, sender: Sender): void {
  const external = sender.senderType === senderTypes.new_member_commit;
  if (!external && sender.senderType !== senderTypes.member) {
    throw invalidMessage('a commit comes from a member or, externally, from a joining device');
  }
  let externalInits = 0;
  for (const item of commit.proposals) {
    if (item.proposalOrRefType === proposalOrRefTypes.reference) {
      throw notAllowed('reference', 'proposals must be inline (by value), not by reference');
    }
    const { proposalType } = item.proposal;
    if (proposalType === defaultProposalTypes.remove) continue;
    if (proposalType === defaultProposalTypes.add && !external) continue;
    if (proposalType === defaultProposalTypes.external_init && external) {
      externalInits += 1;
      continue;
    }
    const name = PROPOSAL_NAMES[proposalType] ?? `custom(${String(proposalType)})`;
    throw notAllowed(
      name,
      proposalType === defaultProposalTypes.update
        ? 'an Update proposal is not accepted: update your leaf with the commit’s UpdatePath'
        : `a ${name} proposal is not accepted here`,
    );
  }
  if (external && externalInits !== 1)
    throw invalidMessage('an external commit carries exactly one ExternalInit');
  if (external && commit.path === undefined) throw invalidMessage('an external commit needs an UpdatePath');
}

function notAllowed(proposal: string, message: string): DomainError {
  return new DomainError('MLS_PROPOSAL_NOT_ALLOWED', message, { proposal });
}

function proposalsOf(commit: Commit): Proposal[] {
  return commit.proposals.flatMap((p) =>
    p.proposalOrRefType === proposalOrRefTypes.proposal ? [p.proposal] : [],
  );
}

/**
 * Checks who the commit comes from and whom it adds and removes against the conversation's membership
 * (ADR 0011, "Rules the DS enforces"), and computes the leaf map of the next epoch the way RFC 9420 places
 * leaves: removals blank their leaves, then each addition (and an external joiner) takes the leftmost blank
 * leaf or extends the tree.
 */
async function planCommit(
  services: Services,
  trx: Trx,
  actor: Actor,
  conversationId: string,
  suite: CiphersuiteName,
  commit: Commit,
  sender: Sender,
  now: TimestampMs,
): Promise<CommitPlan> {
  const current = await listMlsLeaves(trx, conversationId);
  const external = sender.senderType === senderTypes.new_member_commit;
  const proposals = proposalsOf(commit);
  const adds: KeyPackage[] = proposals.flatMap((p) => ('add' in p ? [p.add.keyPackage] : []));
  const removes: number[] = proposals.flatMap((p) => ('remove' in p ? [p.remove.removed] : []));

  let committerIndex: number | undefined;
  if (sender.senderType === senderTypes.member) {
    const own = current.get(sender.leafIndex);
    if (own?.deviceId !== actor.session.id || own.userId !== actor.user.id) {
      throw memberNotAllowed('the commit’s sender is not your device’s leaf', {
        leafIndex: sender.leafIndex,
      });
    }
    committerIndex = sender.leafIndex;
  }

  const addUsers = adds.flatMap((kp) => claimedUserOf(kp.leafNode.credential) ?? []);
  const identityKeys = await listIdentityKeys(trx, [actor.user.id, ...addUsers]);
  if (commit.path !== undefined) {
    const { leafNode } = commit.path;
    const verdict = checkLeafCredential(leafNode.credential, leafNode.signaturePublicKey, identityKeys);
    if (
      !verdict.ok ||
      verdict.owner.deviceId !== actor.session.id ||
      verdict.owner.userId !== actor.user.id
    ) {
      throw memberNotAllowed(
        verdict.ok ? 'the UpdatePath leaf is not your device' : `the UpdatePath leaf: ${verdict.reason}`,
      );
    }
  }

  const members = new Set<string>(await listMemberIds(trx, conversationId));
  const involved = [...current.values()].map((l) => l.userId);
  const live = await listLiveDevices(trx, [...involved, ...addUsers, actor.user.id], now);
  const isLive = (leaf: MlsLeaf): boolean => live.get(leaf.userId)?.includes(leaf.deviceId) ?? false;

  const leaves = new Map(current);
  const removed: number[] = [];
  for (const index of removes) {
    const leaf = leaves.get(index);
    if (leaf === undefined) throw invalidMessage(`leaf ${String(index)} is blank or removed twice`);
    if (index === committerIndex) throw invalidMessage('a committer cannot remove its own leaf');
    const ownUser = leaf.userId === actor.user.id;
    const authorized = isLeafAuthorized(leaf, members, live);
    if (external ? !ownUser : !ownUser && authorized) {
      throw memberNotAllowed(
        external
          ? 'an external commit may remove only your own leaves'
          : 'removes a live device of another member of the conversation',
        { leafIndex: index },
      );
    }
    leaves.delete(index);
    removed.push(index);
  }

  const added = new Map<number, PlannedAdd>();
  for (const keyPackage of adds) {
    if (keyPackage.cipherSuite !== suiteId(suite))
      throw invalidMessage('an added KeyPackage is of another suite');
    const { leafNode } = keyPackage;
    const verdict = checkLeafCredential(leafNode.credential, leafNode.signaturePublicKey, identityKeys);
    if (!verdict.ok) throw memberNotAllowed(`an added device: ${verdict.reason}`);
    const { owner } = verdict;
    if (!members.has(owner.userId)) {
      throw memberNotAllowed('adds a device of someone who is not a member of the conversation', {
        userId: owner.userId,
      });
    }
    if (!isLive(owner))
      throw memberNotAllowed('adds a device that is not signed in', { userId: owner.userId });
    if ([...leaves.values()].some((l) => l.deviceId === owner.deviceId)) {
      throw memberNotAllowed('adds a device that is in the group already', { userId: owner.userId });
    }
    const index = leftmostBlank(leaves);
    leaves.set(index, owner);
    added.set(index, { owner, keyPackageRef: await keyPackageRefOf(suite, keyPackage) });
  }

  if (external) {
    if ([...leaves.values()].some((l) => l.deviceId === actor.session.id)) {
      throw memberNotAllowed(
        'your device is in the group already: commit as a member, or remove its old leaf',
      );
    }
    committerIndex = leftmostBlank(leaves);
    leaves.set(committerIndex, ownerOf(actor));
  }
  if (committerIndex === undefined) throw new Error('a commit without a committer passed the sender check');
  const removalPending = [...leaves.values()].some((leaf) => !isLeafAuthorized(leaf, members, live));
  return { committerIndex, removed, added, leaves, removalPending };
}

function leftmostBlank(leaves: MlsLeafMap): number {
  let index = 0;
  while (leaves.has(index)) index += 1;
  return index;
}

interface CheckedTreeLeaf {
  readonly credential: Parameters<typeof deviceCredentialOf>[0];
  readonly signaturePublicKey: Uint8Array;
}

/**
 * The GroupInfo of the next epoch must be this group's, at that epoch, signed by the committer's leaf, and carry
 * a ratchet tree whose leaves are exactly the devices of the server's leaf map: a member cannot publish, for
 * joiners, a tree that disagrees with the membership rules.
 */
function checkGroupInfo(
  groupInfo: GroupInfo,
  conversationId: string,
  epoch: number,
  suite: number,
  plan: CommitPlan,
): void {
  const context = groupInfo.groupContext;
  if (!sameBytes(context.groupId, groupIdOf(conversationId)))
    throw groupInfoMismatch('it is for another group');
  if (context.epoch !== BigInt(epoch)) {
    throw groupInfoMismatch(`it is for epoch ${context.epoch.toString()}, not ${String(epoch)}`);
  }
  if (context.cipherSuite !== suite) throw groupInfoMismatch('it is of another cipher suite');
  checkedTreeLeaves(groupInfo, plan.leaves, plan.committerIndex);
}

/** The GroupInfo's tree leaves, after checking that they and the signer match `expected`. */
function checkedTreeLeaves(
  groupInfo: GroupInfo,
  expected: ReadonlyMap<number, LeafOwner>,
  signer: number,
): ReadonlyMap<number, CheckedTreeLeaf> {
  if (groupInfo.signer !== signer) throw groupInfoMismatch('it is not signed by the committer’s leaf');
  const extension = groupInfo.extensions.find((e) => e.extensionType === defaultExtensionTypes.ratchet_tree);
  if (extension === undefined || !(extension.extensionData instanceof Uint8Array)) {
    throw groupInfoMismatch('it has no ratchet_tree extension');
  }
  const leaves = decodeOrRefuse(() => readRatchetTreeLeaves(extension.extensionData));
  const checked = new Map<number, CheckedTreeLeaf>();
  for (const [index, leaf] of leaves) {
    const credential = { credentialType: 1 as const, identity: leaf.basicIdentity ?? new Uint8Array() };
    const device = deviceCredentialOf(credential);
    const want = expected.get(index);
    if (typeof device === 'string' || want?.userId !== device.userId || want.deviceId !== device.deviceId) {
      throw groupInfoMismatch('its ratchet tree’s leaves differ from the group’s', { leafIndex: index });
    }
    checked.set(index, { credential, signaturePublicKey: leaf.signaturePublicKey });
  }
  if (checked.size !== expected.size) {
    const missing = [...expected.keys()].find((index) => !checked.has(index));
    throw groupInfoMismatch('its ratchet tree lacks a leaf of the group', { leafIndex: missing });
  }
  return checked;
}

/**
 * Splits the commit's Welcome into one per added device, each holding only that device's encrypted group
 * secrets (found by the KeyPackageRef of the package the commit added for it). A Welcome for packages the
 * commit does not add, or a missing one, is refused.
 */
function routeWelcome(
  welcome: MlsWelcomeMessage | undefined,
  suite: number,
  plan: CommitPlan,
  conversationId: string,
  epoch: number,
  now: TimestampMs,
): MlsWelcomeRecord[] {
  if (plan.added.size === 0) {
    if (welcome !== undefined) throw invalidMessage('a commit that adds no device has no Welcome');
    return [];
  }
  if (welcome === undefined) throw invalidMessage('a commit that adds devices needs its Welcome');
  if (welcome.welcome.cipherSuite !== suite) throw invalidMessage('the Welcome is of another suite');
  const byRef = new Map([...plan.added.values()].map((add) => [add.keyPackageRef, add.owner]));
  const routed = new Map<string, MlsWelcomeRecord>();
  for (const secret of welcome.welcome.secrets) {
    const ref = Buffer.from(secret.newMember).toString('base64url');
    const owner = byRef.get(ref);
    if (owner === undefined || routed.has(ref)) {
      throw invalidMessage('the Welcome names a key package the commit does not add');
    }
    const single: MlsWelcomeMessage = {
      version: welcome.version,
      wireformat: wireformats.mls_welcome,
      welcome: { ...welcome.welcome, secrets: [secret] },
    };
    routed.set(ref, {
      id: randomUUID(),
      userId: owner.userId,
      deviceId: owner.deviceId,
      conversationId,
      epoch,
      bytes: encode(mlsMessageEncoder, single),
      createdAt: now,
    });
  }
  if (routed.size !== byRef.size) throw invalidMessage('the Welcome lacks an added device’s secrets');
  return [...routed.values()];
}
