import {
  acceptAll,
  clientStateDecoder,
  contentTypes,
  createApplicationMessage,
  createCommit,
  createGroupInfoWithExternalPubAndRatchetTree,
  decode,
  defaultProposalTypes,
  encode,
  mlsMessageDecoder,
  mlsMessageEncoder,
  processMessage,
  protocolVersions,
  senderTypes,
  wireformats,
  type CiphersuiteImpl,
  type ClientState,
  type IncomingMessageCallback,
  type MlsContext,
  type MlsFramedMessage,
  type Proposal,
} from 'ts-mls';
import {
  createAuthenticationService,
  type AuthenticationFailure,
  type TrustLookup,
} from './authentication.js';
import { bytesEqual, fromUtf8, lengthPrefixed, splitLengthPrefixed, toHex, utf8, wipe } from './bytes.js';
import { decodeKeyPackageMessage } from './key-packages.js';
import { advancedLeaf, diffMembers, memberAt, membersOf, type MlsMember } from './members.js';
import { EpochEncodingCache, joinState } from './saved-state.js';
import { SecretBytes } from './secret.js';
import type { MlsSuiteName } from './suites.js';

/**
 * One MLS group (= one conversation, ADR 0011) as this device sees it. The interface is ours, not ts-mls's, so
 * the engine behind it can be swapped; `TsMlsGroup` is the ts-mls implementation.
 *
 * Handshakes go out as PublicMessage (the DS reads their proposals and enforces the membership rules);
 * application messages as PrivateMessage. A commit made here is only *pending* until the DS accepted it:
 * `confirmCommit()` adopts it, `discardCommit()` drops it, and processing another member's commit for the same
 * epoch (we lost the race) drops it too.
 */
export interface MlsGroup {
  /** The conversation id (the MLS group id, UTF-8). */
  readonly groupId: string;
  readonly suite: MlsSuiteName;
  /** The adopted epoch (a pending commit does not move it). */
  readonly epoch: bigint;
  readonly ownLeafIndex: number;
  /** False once a commit removed this device; it can then neither send nor read anything new. */
  readonly active: boolean;
  members(): readonly MlsMember[];
  readonly pendingCommit: CommitBundle | undefined;
  /**
   * True after a removal whose commit carried no update path: the removed device can still derive this epoch,
   * so nothing is encrypted in it until a member's `selfUpdate()` commit (any member may send it) moves the
   * group on. See `removeMembers`.
   */
  readonly updateRequired: boolean;

  /** Encrypts application bytes as an MLS PrivateMessage (MLSMessage bytes). */
  encrypt(plaintext: Uint8Array): Promise<Uint8Array>;
  /** Processes an incoming MLSMessage (a PrivateMessage with application data, or a PublicMessage commit). */
  process(message: Uint8Array): Promise<ProcessResult>;

  /** Adds the devices of claimed KeyPackages (MLSMessage bytes). Refused with MlsRefusedError if one fails. */
  addMembers(keyPackages: readonly Uint8Array[]): Promise<CommitBundle>;
  /**
   * Removes leaves by index or every leaf of a device. ts-mls 2.0.0-rc.10 gives a commit with exactly one
   * Remove no update path (RFC 9420 §12.4 requires one; fixed upstream in LukaJCB/ts-mls#436), so the removed
   * device could derive the next epoch. Until the library is upgraded, such a removal sets `updateRequired`:
   * `encrypt` refuses, and the remover follows up with `selfUpdate()` as soon as the DS accepted the removal.
   */
  removeMembers(targets: readonly MemberSelector[]): Promise<CommitBundle>;
  /** A commit with an update path and no proposals: fresh keys for this leaf (post-compromise security). */
  selfUpdate(): Promise<CommitBundle>;
  /** Adopts the pending commit after the DS accepted it. */
  confirmCommit(): CommitApplied;
  /** Drops the pending commit (the DS refused it). */
  discardCommit(): void;

  /** A GroupInfo of the current epoch with ratchet tree and external_pub, as MLSMessage bytes. */
  groupInfo(): Promise<Uint8Array>;
  /** The whole state (with the pending commit) as opaque bytes; restore with `MlsDevice.restoreGroup`. */
  save(): SecretBytes;
  /**
   * The same state in two parts, for stores that keep them apart: the epoch part changes with commits only, the
   * ratchet part with every message (a few hundred bytes, where the whole state of a group of 1,000 is ~1 MB).
   * `joinSavedGroupParts` puts them back together for `MlsDevice.restoreGroup`.
   */
  saveParts(): SavedGroupParts;
}

/** A group's saved state in two parts (`MlsGroup.saveParts`). */
export interface SavedGroupParts {
  /** Everything but the message ratchets of the current state: the same object until a commit changes it. */
  readonly epoch: SecretBytes;
  /** Names `epoch`: equal tags, equal epoch parts. A store writes the epoch part only when the tag changed. */
  readonly epochTag: string;
  /** The current state's message ratchets, bound to the epoch part by its tag. */
  readonly ratchets: SecretBytes;
}

export type MemberSelector = { readonly leafIndex: number } | { readonly deviceId: string };

/** What to submit to the DS for one commit. */
export interface CommitBundle {
  /** The epoch the commit was made at: the DS moves the group from here to `epoch + 1` or refuses. */
  readonly epoch: bigint;
  /** MLSMessage bytes: a PublicMessage carrying the commit. */
  readonly commit: Uint8Array;
  /** MLSMessage bytes: a Welcome for the added devices (ratchet tree inside); undefined when none is added. */
  readonly welcome: Uint8Array | undefined;
  /** MLSMessage bytes: the GroupInfo of the new epoch, with ratchet tree and external_pub, signed by us. */
  readonly groupInfo: Uint8Array;
  readonly added: readonly MlsMember[];
  readonly removed: readonly MlsMember[];
}

export interface CommitApplied {
  readonly newEpoch: bigint;
  readonly added: readonly MlsMember[];
  readonly removed: readonly MlsMember[];
}

export type ProcessResult =
  | {
      readonly kind: 'application';
      readonly bytes: Uint8Array;
      readonly senderUserId: string;
      readonly senderDeviceId: string;
      readonly senderLeafIndex: number;
      readonly epoch: bigint;
    }
  | {
      readonly kind: 'commit';
      readonly newEpoch: bigint;
      readonly added: readonly MlsMember[];
      readonly removed: readonly MlsMember[];
      /** The member who committed (for an external join: the joiner). */
      readonly committer: MlsMember | undefined;
      /** True when this commit removed this device from the group. */
      readonly removedSelf: boolean;
      /** True when it was our own pending commit coming back (adopted as by `confirmCommit`). */
      readonly own: boolean;
    }
  | {
      readonly kind: 'refused';
      /** For people: why the message was not accepted. The group state is unchanged. */
      readonly reason: string;
      /** The leaves the AuthenticationService refused, when that was the cause. */
      readonly failures: readonly AuthenticationFailure[];
    };

/** A local operation (add, join) refused because a leaf failed authentication, or MLS validation failed. */
export class MlsRefusedError extends Error {
  override readonly name = 'MlsRefusedError';
  readonly failures: readonly AuthenticationFailure[];

  constructor(message: string, failures: readonly AuthenticationFailure[]) {
    super(failures.length === 0 ? message : `${message}: ${failures.map((f) => f.message).join(' ')}`);
    this.failures = failures;
  }
}

/** An operation that the group's state does not allow (a second pending commit, sending after removal, …). */
export class MlsStateError extends Error {
  override readonly name = 'MlsStateError';
}

interface PendingCommit {
  readonly bundle: CommitBundle;
  readonly state: ClientState;
  readonly updateRequired: boolean;
  /** Secrets of the adopted state that the commit supersedes: zeroed only when the commit is adopted. */
  readonly consumed: readonly Uint8Array[];
}

/** The DS takes proposals inline only; a standalone proposal would otherwise ride along in our next commit. */
const refuseStandaloneProposals: IncomingMessageCallback = (incoming) =>
  incoming.kind === 'proposal' ? 'reject' : acceptAll(incoming);

export class TsMlsGroup implements MlsGroup {
  readonly groupId: string;
  readonly suite: MlsSuiteName;
  readonly #cs: CiphersuiteImpl;
  readonly #trust: TrustLookup;
  #state: ClientState;
  #pending: PendingCommit | undefined;
  #updateRequired: boolean;
  /** Operations run one at a time: each one reads and replaces the whole state. */
  #queue: Promise<unknown> = Promise.resolve();
  /** `save()` after a message re-encodes only the secret trees (saved-state.ts). */
  readonly #savedState = new EpochEncodingCache();
  readonly #savedPending = new EpochEncodingCache();
  /** The last epoch part `saveParts` made, with what it was made of (reused while those are the same). */
  #epochPart:
    | { readonly sources: readonly unknown[]; readonly epoch: SecretBytes; readonly epochTag: string }
    | undefined;

  /** @internal Built by `MlsDevice`. */
  constructor(params: {
    suite: MlsSuiteName;
    cs: CiphersuiteImpl;
    trust: TrustLookup;
    state: ClientState;
    pending?: PendingCommit | undefined;
    updateRequired?: boolean;
  }) {
    this.suite = params.suite;
    this.#cs = params.cs;
    this.#trust = params.trust;
    this.#state = params.state;
    this.#pending = params.pending;
    this.#updateRequired = params.updateRequired ?? false;
    this.groupId = fromUtf8(params.state.groupContext.groupId);
  }

  get epoch(): bigint {
    return this.#state.groupContext.epoch;
  }

  get ownLeafIndex(): number {
    return this.#state.privatePath.leafIndex;
  }

  get active(): boolean {
    return this.#state.groupActiveState.kind === 'active';
  }

  get pendingCommit(): CommitBundle | undefined {
    return this.#pending?.bundle;
  }

  get updateRequired(): boolean {
    return this.#updateRequired;
  }

  members(): readonly MlsMember[] {
    return membersOf(this.#state.ratchetTree);
  }

  encrypt(plaintext: Uint8Array): Promise<Uint8Array> {
    return this.#exclusive(async () => {
      this.#requireActive();
      if (this.#updateRequired)
        throw new MlsStateError('a removal must be followed by a key update before anything is sent');
      const result = await createApplicationMessage({
        context: this.#context([]),
        state: this.#state,
        message: plaintext,
      });
      this.#state = result.newState;
      result.consumed.forEach(wipe);
      return encode(mlsMessageEncoder, result.message);
    });
  }

  process(message: Uint8Array): Promise<ProcessResult> {
    return this.#exclusive(() => this.#process(message));
  }

  async #process(bytes: Uint8Array): Promise<ProcessResult> {
    // Nothing reaches ts-mls once we are removed: rc.10 processing a commit with our own leaf blank loops until
    // the process dies (a fatal "invalid array size", not an exception), and there is nothing left to read.
    if (!this.active) return refused('This device was removed from the group and reads nothing more.');
    const message = decodeFramed(bytes);
    if (message === undefined) return refused('The message is not an MLS message for a group.');
    if (!bytesEqual(groupIdOf(message), this.#state.groupContext.groupId))
      return refused('The message belongs to another group.');
    if (this.#pending !== undefined && bytesEqual(bytes, this.#pending.bundle.commit)) {
      const applied = this.#adoptPending();
      const committer = memberAt(this.#state.ratchetTree, this.ownLeafIndex);
      return { kind: 'commit', ...applied, committer, removedSelf: false, own: true };
    }
    if (message.wireformat === wireformats.mls_public_message) {
      if (message.publicMessage.content.contentType !== contentTypes.commit)
        return refused('Only commits are accepted as public messages.');
    } else if (message.privateMessage.contentType !== contentTypes.application) {
      return refused('Handshake messages must be public so that the server can check them.');
    }

    const failures: AuthenticationFailure[] = [];
    const before = this.#state;
    let result;
    try {
      result = await processMessage({
        context: this.#context(failures),
        state: before,
        message,
        callback: refuseStandaloneProposals,
      });
    } catch (error) {
      return refused(
        failures.length > 0
          ? 'A device in this change is not trusted.'
          : `The message could not be processed (${describe(error)}).`,
        failures,
      );
    }

    if (result.kind === 'applicationMessage') {
      const epoch =
        message.wireformat === wireformats.mls_private_message ? message.privateMessage.epoch : 0n;
      const receiver =
        epoch === before.groupContext.epoch ? before : before.historicalReceiverData.get(epoch);
      const after =
        epoch === before.groupContext.epoch
          ? result.newState
          : result.newState.historicalReceiverData.get(epoch);
      const leafIndex =
        receiver === undefined || after === undefined
          ? undefined
          : advancedLeaf(receiver.secretTree, after.secretTree);
      const sender =
        leafIndex === undefined || receiver === undefined
          ? undefined
          : memberAt(receiver.ratchetTree, leafIndex);
      if (sender === undefined) return refused('The sender of the message could not be identified.');
      this.#state = result.newState;
      result.consumed.forEach(wipe);
      return {
        kind: 'application',
        bytes: result.message,
        senderUserId: sender.userId,
        senderDeviceId: sender.deviceId,
        senderLeafIndex: sender.leafIndex,
        epoch,
      };
    }

    if (result.actionTaken === 'reject' || result.newState.groupContext.epoch === before.groupContext.epoch)
      return refused('Standalone proposals are not accepted; proposals travel inside commits.');
    const { added, removed } = diffMembers(
      membersOf(before.ratchetTree),
      membersOf(result.newState.ratchetTree),
    );
    const committer = committerOf(message, before, result.newState);
    this.#state = result.newState;
    this.#updateRequired = removesWithoutPath(message, removed);
    // Our own commit for that epoch can no longer be accepted by the DS: another member's won the race.
    this.#pending = undefined;
    result.consumed.forEach(wipe);
    this.#forgetSavedEncodings();
    return {
      kind: 'commit',
      newEpoch: this.epoch,
      added,
      removed,
      committer,
      removedSelf: !this.active,
      own: false,
    };
  }

  addMembers(keyPackages: readonly Uint8Array[]): Promise<CommitBundle> {
    return this.#exclusive(async () => {
      if (keyPackages.length === 0) throw new RangeError('no key packages to add');
      const proposals: Proposal[] = keyPackages.map((bytes) => ({
        proposalType: defaultProposalTypes.add,
        add: { keyPackage: decodeKeyPackageMessage(bytes) },
      }));
      return this.#commit(proposals);
    });
  }

  removeMembers(targets: readonly MemberSelector[]): Promise<CommitBundle> {
    return this.#exclusive(async () => {
      const members = this.members();
      const leaves = new Set<number>();
      for (const target of targets) {
        const matching = members.filter((m) =>
          'leafIndex' in target ? m.leafIndex === target.leafIndex : m.deviceId === target.deviceId,
        );
        if (matching.length === 0) throw new RangeError('no such member in the group');
        for (const member of matching) leaves.add(member.leafIndex);
      }
      if (leaves.has(this.ownLeafIndex)) throw new MlsStateError('a device cannot remove itself by commit');
      const proposals: Proposal[] = [...leaves].map((removed) => ({
        proposalType: defaultProposalTypes.remove,
        remove: { removed },
      }));
      return this.#commit(proposals);
    });
  }

  selfUpdate(): Promise<CommitBundle> {
    return this.#exclusive(() => this.#commit([]));
  }

  async #commit(proposals: Proposal[]): Promise<CommitBundle> {
    this.#requireActive();
    if (this.#pending !== undefined) throw new MlsStateError('a commit is already waiting for the server');
    const failures: AuthenticationFailure[] = [];
    let result;
    try {
      result = await createCommit({
        context: this.#context(failures),
        state: this.#state,
        extraProposals: proposals,
        wireAsPublicMessage: true,
        ratchetTreeExtension: true,
      });
    } catch (error) {
      throw new MlsRefusedError(`The change was refused (${describe(error)})`, failures);
    }
    const { added, removed } = diffMembers(this.members(), membersOf(result.newState.ratchetTree));
    const bundle: CommitBundle = {
      epoch: this.epoch,
      commit: encode(mlsMessageEncoder, result.commit),
      welcome: result.welcome === undefined ? undefined : encode(mlsMessageEncoder, result.welcome),
      groupInfo: await encodeGroupInfo(result.newState, this.#cs),
      added,
      removed,
    };
    this.#pending = {
      bundle,
      state: result.newState,
      consumed: result.consumed,
      updateRequired: removesWithoutPath(result.commit, removed),
    };
    return bundle;
  }

  confirmCommit(): CommitApplied {
    return this.#adoptPending();
  }

  #adoptPending(): CommitApplied {
    const pending = this.#pending;
    if (pending === undefined) throw new MlsStateError('no commit is pending');
    const before = this.#state;
    // Messages processed while the commit was pending advanced the old epoch's ratchets; the pending state kept
    // a copy of that epoch's receiver data from before, so it gets the current one (late messages of the old
    // epoch must still decrypt, and the secrets replaced since then are already zeroed).
    const history = new Map(pending.state.historicalReceiverData);
    const oldEpoch = history.get(before.groupContext.epoch);
    if (oldEpoch !== undefined)
      history.set(before.groupContext.epoch, { ...oldEpoch, secretTree: before.secretTree });
    this.#state = { ...pending.state, historicalReceiverData: history };
    this.#updateRequired = pending.updateRequired;
    this.#pending = undefined;
    pending.consumed.forEach(wipe);
    this.#forgetSavedEncodings();
    return { newEpoch: this.epoch, added: pending.bundle.added, removed: pending.bundle.removed };
  }

  discardCommit(): void {
    if (this.#pending === undefined) throw new MlsStateError('no commit is pending');
    this.#pending = undefined;
    this.#savedPending.clear();
  }

  groupInfo(): Promise<Uint8Array> {
    return this.#exclusive(() => encodeGroupInfo(this.#state, this.#cs));
  }

  save(): SecretBytes {
    const state = this.#savedState.split(this.#state);
    return new SecretBytes(
      lengthPrefixed([
        Uint8Array.of(SAVED_GROUP_FORMAT, this.#savedFlags()),
        state.epoch,
        state.ratchets,
        ...this.#pendingParts(),
      ]),
    );
  }

  /** Bit 0: this state needs a key update before sending; bit 1: the pending commit's state does. */
  #savedFlags(): number {
    return (this.#updateRequired ? 1 : 0) | (this.#pending?.updateRequired === true ? 2 : 0);
  }

  /** A pending commit as saved: its state (two parts) and its three messages; none without one. */
  #pendingParts(): Uint8Array[] {
    const pending = this.#pending;
    if (pending === undefined) return [];
    const next = this.#savedPending.split(pending.state);
    return [
      next.epoch,
      next.ratchets,
      pending.bundle.commit,
      pending.bundle.welcome ?? new Uint8Array(),
      pending.bundle.groupInfo,
    ];
  }

  saveParts(): SavedGroupParts {
    const flags = this.#savedFlags();
    const state = this.#savedState.split(this.#state);
    const pending = this.#pending;
    // The encoding cache hands back the same array while the state's epoch part is unchanged; a pending commit's
    // state does not change until it is confirmed or discarded (messages use the current state).
    const sources = [flags, state.epoch, pending?.bundle, pending?.state];
    let made = this.#epochPart;
    if (made === undefined || sources.some((source, i) => source !== made?.sources[i])) {
      const tag = randomTag();
      const parts = [
        Uint8Array.of(SPLIT_EPOCH_FORMAT, flags),
        utf8(tag),
        state.epoch,
        ...this.#pendingParts(),
      ];
      made = { sources, epoch: new SecretBytes(lengthPrefixed(parts)), epochTag: tag };
      this.#epochPart = made;
    }
    return {
      epoch: made.epoch,
      epochTag: made.epochTag,
      ratchets: new SecretBytes(lengthPrefixed([utf8(made.epochTag), state.ratchets])),
    };
  }

  /** After a commit: the cached encodings hold the secrets of an epoch that is over. */
  #forgetSavedEncodings(): void {
    this.#savedState.clear();
    this.#savedPending.clear();
    // Not wiped: a caller may still be writing it; the store's copy is what counts from here.
    this.#epochPart = undefined;
  }

  toString(): string {
    return `MlsGroup(${this.groupId}, epoch ${String(this.epoch)}, [redacted])`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  #context(failures: AuthenticationFailure[]): MlsContext {
    return {
      cipherSuite: this.#cs,
      authService: createAuthenticationService(this.#trust, (failure) => failures.push(failure)),
    };
  }

  #requireActive(): void {
    if (!this.active) throw new MlsStateError('this device is no longer a member of the group');
  }

  #exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(operation, operation);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/**
 * 2: the states are saved as an epoch part and a ratchet part (saved-state.ts); 1 (still read): each state
 * encoded whole by ts-mls.
 */
const SAVED_GROUP_FORMAT = 2;
const WHOLE_STATE_FORMAT = 1;
/** The epoch part of `saveParts`: format 2's parts without the current ratchets, and the tag after the flags. */
const SPLIT_EPOCH_FORMAT = 3;

/** 128 random bits, hex: an epoch part's name. */
function randomTag(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(16)));
}

/**
 * Puts `saveParts` output back into one saved group, as `save()` writes it. Refuses parts that do not belong
 * together (a store that kept a ratchet part of another epoch part): restoring them would reuse message keys.
 * An `epoch` that is a whole saved group (written by `save()`, before a store split them) is returned as it is.
 */
export function joinSavedGroupParts(epoch: SecretBytes, ratchets: SecretBytes | undefined): SecretBytes {
  const parts = splitLengthPrefixed(epoch.exposeBytes());
  const head = parts?.[0];
  if (head?.[0] !== SPLIT_EPOCH_FORMAT) return epoch;
  const [, tag, stateEpoch, ...pending] = parts ?? [];
  const [ratchetTag, stateRatchets, ...extra] =
    ratchets === undefined ? [] : (splitLengthPrefixed(ratchets.exposeBytes()) ?? []);
  if (tag === undefined || stateEpoch === undefined || (pending.length !== 0 && pending.length !== 5))
    throw new SavedGroupFormatError('not a saved MLS group');
  if (
    ratchetTag === undefined ||
    stateRatchets === undefined ||
    extra.length > 0 ||
    !bytesEqual(tag, ratchetTag)
  )
    throw new SavedGroupFormatError('the saved parts of the group do not belong together');
  return new SecretBytes(
    lengthPrefixed([Uint8Array.of(SAVED_GROUP_FORMAT, head[1] ?? 0), stateEpoch, stateRatchets, ...pending]),
  );
}

export class SavedGroupFormatError extends Error {
  override readonly name = 'SavedGroupFormatError';
}

/** @internal Reads `MlsGroup.save()` output back into the parts `TsMlsGroup` is built from. */
export function readSavedGroup(saved: SecretBytes): {
  state: ClientState;
  pending: PendingCommit | undefined;
  updateRequired: boolean;
} {
  const parts = splitLengthPrefixed(saved.exposeBytes());
  const format = parts?.[0]?.[0];
  // Each state is one part in format 1, two in format 2; a pending commit adds its state and three messages.
  const partsPerState = format === WHOLE_STATE_FORMAT ? 1 : format === SAVED_GROUP_FORMAT ? 2 : undefined;
  if (
    parts?.[0] === undefined ||
    partsPerState === undefined ||
    (parts.length !== 1 + partsPerState && parts.length !== 4 + 2 * partsPerState)
  )
    throw new SavedGroupFormatError('not a saved MLS group');
  const stateAt = (index: number): ClientState =>
    partsPerState === 1 ? decodeState(parts[index]) : decodeSplitState(parts[index], parts[index + 1]);
  const state = stateAt(1);
  const flags = parts[0][1] ?? 0;
  const updateRequired = (flags & 1) !== 0;
  if (parts.length === 1 + partsPerState) return { state, pending: undefined, updateRequired };
  const [commit, welcome, groupInfo] = parts.slice(1 + 2 * partsPerState);
  if (commit === undefined || welcome === undefined || groupInfo === undefined)
    throw new SavedGroupFormatError('not a saved MLS group');
  const newState = stateAt(1 + partsPerState);
  const { added, removed } = diffMembers(membersOf(state.ratchetTree), membersOf(newState.ratchetTree));
  return {
    state,
    updateRequired,
    pending: {
      state: newState,
      updateRequired: (flags & 2) !== 0,
      consumed: [],
      bundle: {
        epoch: state.groupContext.epoch,
        commit: Uint8Array.from(commit),
        welcome: welcome.length === 0 ? undefined : Uint8Array.from(welcome),
        groupInfo: Uint8Array.from(groupInfo),
        added,
        removed,
      },
    },
  };
}

function decodeState(bytes: Uint8Array | undefined): ClientState {
  let state: ClientState | undefined;
  try {
    // A copy: the decoder returns views into its input, which the caller may destroy after restoring.
    state = bytes === undefined ? undefined : decode(clientStateDecoder, Uint8Array.from(bytes));
  } catch {
    state = undefined;
  }
  if (state === undefined) throw new SavedGroupFormatError('group state unreadable');
  return state;
}

function decodeSplitState(epoch: Uint8Array | undefined, ratchets: Uint8Array | undefined): ClientState {
  let state: ClientState | undefined;
  try {
    state = epoch === undefined || ratchets === undefined ? undefined : joinState(epoch, ratchets);
  } catch {
    state = undefined;
  }
  if (state === undefined) throw new SavedGroupFormatError('group state unreadable');
  return state;
}

/** @internal */
export async function encodeGroupInfo(state: ClientState, cs: CiphersuiteImpl): Promise<Uint8Array> {
  const groupInfo = await createGroupInfoWithExternalPubAndRatchetTree(state, [], cs);
  return encode(mlsMessageEncoder, {
    wireformat: wireformats.mls_group_info,
    groupInfo,
    version: protocolVersions.mls10,
  });
}

function decodeFramed(bytes: Uint8Array): MlsFramedMessage | undefined {
  let message;
  try {
    message = decode(mlsMessageDecoder, bytes);
  } catch {
    return undefined;
  }
  if (
    message?.wireformat === wireformats.mls_public_message ||
    message?.wireformat === wireformats.mls_private_message
  )
    return message;
  return undefined;
}

/** The committer: a member, or for an external commit the joiner's new leaf (found by its signature key). */
function committerOf(
  message: MlsFramedMessage,
  before: ClientState,
  after: ClientState,
): MlsMember | undefined {
  if (message.wireformat !== wireformats.mls_public_message) return undefined;
  const content = message.publicMessage.content;
  if (content.sender.senderType === senderTypes.member)
    return memberAt(before.ratchetTree, content.sender.leafIndex);
  if (
    content.sender.senderType !== senderTypes.new_member_commit ||
    content.contentType !== contentTypes.commit
  )
    return undefined;
  const joinerKey = content.commit.path?.leafNode.signaturePublicKey;
  return joinerKey === undefined
    ? undefined
    : membersOf(after.ratchetTree).find((m) => bytesEqual(m.signatureKey, joinerKey));
}

/** A commit that removed someone without an update path (see `MlsGroup.removeMembers`). */
function removesWithoutPath(message: MlsFramedMessage, removed: readonly MlsMember[]): boolean {
  if (removed.length === 0 || message.wireformat !== wireformats.mls_public_message) return false;
  const content = message.publicMessage.content;
  return content.contentType === contentTypes.commit && content.commit.path === undefined;
}

function groupIdOf(message: MlsFramedMessage): Uint8Array {
  return message.wireformat === wireformats.mls_public_message
    ? message.publicMessage.content.groupId
    : message.privateMessage.groupId;
}

function refused(reason: string, failures: readonly AuthenticationFailure[] = []): ProcessResult {
  return { kind: 'refused', reason, failures };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : 'unknown error';
}
