import {
  createMlsDevice,
  decodeDeviceList,
  encodeDeviceList,
  exportLocalKeyPackage,
  fromBase64Url,
  generateArchiveKey,
  IdentityKeyPair,
  importLocalKeyPackage,
  isMlsSuiteName,
  joinSavedGroupParts,
  nextDeviceList,
  peekMlsEpoch,
  restoreMlsDevice,
  SecretBytes,
  signDeviceList,
  toBase64Url,
  TrustStore,
  verifyDeviceList,
  type AuthenticationFailure,
  type CommitBundle,
  type LocalKeyPackage,
  type MlsDevice,
  type MlsGroup,
  type RecoveryKdfParams,
} from '@enlets/crypto';
import type {
  ClaimKeyPackagesResponse,
  ConversationDetail,
  ConversationEvent,
  E2eeConfig,
  KeyPackageCount,
  MlsBatchResponse,
  MlsGroupInfoResponse,
  PendingWelcomesResponse,
  SendEventAck,
  SendEventRequest,
  SubmitCommitResponse,
  UserDevicesResponse,
} from '@enlets/protocol';
import { EnletsApiError } from '../api/http.js';
import { classifyFailure } from '../errors.js';
import { base64ToBytes, bytesToBase64 } from '../base64.js';
import { Emitter } from '../emitter.js';
import type { PendingSend } from '../outbox.js';
import { randomUuid } from '../runtime.js';
import type { HistoryQuery, MessengerSession, OutgoingEvent } from '../session.js';
import type { OutboxEntry } from '../store/client-store.js';
import { decodeContent } from './content.js';
import type { ContentStatus, E2eeStore, StoredContent } from './e2ee-store.js';
import {
  HistorySharingOffError,
  importSharedHistory,
  shareHistory,
  type HistoryImport,
  type HistoryShareResult,
  type HistorySharingHost,
} from './history-sharing.js';
import {
  BatchCommitScheduler,
  DEFAULT_BATCH_COMMIT_POLICY,
  WelcomePendingError,
  type BatchCommitPolicy,
} from './batch-commits.js';
import { LeafRenewalScheduler } from './leaf-renewal.js';
import { fetchLiveDevices, formerLeaves } from './live-devices.js';
import {
  currentBackupVersion,
  HistoryArchive,
  RecoveryUnavailableError,
  restoreDeviceKeys,
  uploadRecoveryBackup,
} from './recovery.js';
import {
  countEpoch,
  countSend,
  DEFAULT_SELF_UPDATE_POLICY,
  leafUpdated,
  renewalDue,
  selfUpdateDue,
  type SelfUpdatePolicy,
} from './self-update.js';
import { HttpTrustDirectory } from './trust-directory.js';

/** One event of a conversation as the app shows it: the event's metadata and, for messages, the plaintext. */
export interface SecureEvent {
  readonly event: ConversationEvent;
  /** The decrypted content; null for system events, handshakes and unreadable or deleted messages. */
  readonly content: Uint8Array | null;
  readonly status: ContentStatus | 'system' | 'handshake' | 'deleted';
  readonly reason?: string;
  /** For `shared` content: the user whose device shared it with this one (ADR 0016). */
  readonly sharedBy?: string;
}

/** Something the user must see: a refused message or handshake, a device that failed authentication. */
export interface SecurityWarning {
  readonly conversationId: string;
  readonly seq?: number;
  readonly reason: string;
  readonly failures: readonly AuthenticationFailure[];
}

export interface SecureMessengerEvents {
  /** Every event of every conversation, once and in seq order, with its plaintext when it has one. */
  event: SecureEvent;
  warning: SecurityWarning;
  /** A history share addressed to this user was verified and imported (`history` now shows it). */
  historyShared: HistoryImport;
  /** This device entered the conversation's group (created it, or joined by Welcome or external commit). */
  joined: { readonly conversationId: string };
}

export interface SecureMessengerOptions {
  readonly session: MessengerSession;
  readonly store: E2eeStore;
  readonly userId: string;
  /** This device: the id of the signed-in session (`LoginResponse.sessionId`). */
  readonly deviceId: string;
  /** One-time KeyPackages kept on the server (refilled when fewer than half are left). */
  readonly keyPackagePool?: number;
  /**
   * For a device without keys whose user has an identity already (a new device, a wiped browser): the recovery
   * passphrase that opens the user's backup (ADR 0012). A wrong one rejects `open` with WrongPassphraseError.
   */
  readonly recovery?: { readonly passphrase: string };
  /**
   * When this device renews its leaf keys in a group by a self-update commit, before its next send there
   * (post-compromise security): after `maxAgeMs` (default 7 days) or `maxMessages` sent (default 500).
   */
  readonly selfUpdate?: Partial<SelfUpdatePolicy>;
  /** The clock of the self-update period, in ms (default `Date.now`). */
  readonly now?: () => number;
  /**
   * How often this device, when it manages a large group (ADR 0021), commits the group's pending joins and
   * removals in one batch: every `intervalMs` (default 10 s), or at once when `maxPending` (default 50) wait.
   */
  readonly batchCommits?: Partial<BatchCommitPolicy>;
}

/** This device has no identity key, but the server knows one for the user: it must be restored (recovery). */
export class IdentityUnavailableError extends Error {
  override readonly name = 'IdentityUnavailableError';
}

const MAX_COMMIT_ATTEMPTS = 8;
/** Batches one manager device commits in a row for a group before it waits for the next tick. */
const MAX_BATCHES_IN_A_ROW = 5;
/** A reader checks whether its leaf is due for renewal at most this often per group (ms of its clock). */
const RENEWAL_CHECK_INTERVAL_MS = 60_000;

/** A batch found nothing left to change once this device caught up with the group. */
class NothingToCommit extends Error {}

/**
 * Kinds that may travel without content: a delete or a pin says everything in its routing metadata (the
 * message it refers to), which the server must read anyway to act on it. Sent with an empty payload.
 */
const CONTENTLESS_KINDS: ReadonlySet<string> = new Set(['delete', 'pin', 'unpin']);

function isContentless(event: ConversationEvent): boolean {
  return event.payload === '' && CONTENTLESS_KINDS.has(event.kind);
}

/**
 * End-to-end encryption on top of a `MessengerSession` (ADR 0011): every conversation is an MLS group, this
 * device one of its members. `send` encrypts before the outbox stores anything, so only ciphertext is ever
 * queued, retried or sent; every received event goes through one ordered pipeline per conversation that
 * applies handshakes, decrypts messages and checks that the MLS sender is the device the server names.
 *
 * How a device gets into a group: the first sender of a conversation creates it and adds every member's
 * devices (Welcome); anyone else whose device is not in it (a new device, a newcomer) joins by external commit
 * from the server's GroupInfo, except in a large group, where a manager's device adds it (ADR 0021). Before encrypting, the sender removes the leaves of users who are no longer
 * members, so nothing new is ever readable by them.
 */
export class SecureMessenger {
  readonly #session: MessengerSession;
  readonly #store: E2eeStore;
  readonly #userId: string;
  readonly #deviceId: string;
  readonly #device: MlsDevice;
  readonly #pool: number;
  readonly #selfUpdatePolicy: SelfUpdatePolicy;
  readonly #now: () => number;
  readonly #events = new Emitter<SecureMessengerEvents>();
  readonly #groups = new Map<string, MlsGroup>();
  /** The tag of the epoch part last written for each group (`#saveGroup`). */
  readonly #savedEpochTags = new Map<string, string>();
  /** Group operations and event handling of one conversation run one at a time, in order. */
  readonly #chains = new Map<string, Promise<unknown>>();
  readonly #unsubscribe: Array<() => void> = [];
  /** Where what this device reads is archived for the user's future devices; absent without an archive key. */
  #archive: HistoryArchive | undefined;
  /** Sends refused with MLS_COMMIT_REQUIRED → their new send, made once the removal is committed. */
  readonly #resent = new Map<string, Promise<PendingSend | undefined>>();
  /** The clientMessageIds of such new sends: one refused again stays failed rather than loop. */
  readonly #resends = new Set<string>();
  /** The batch commits of the large groups this device manages (ADR 0021). */
  readonly #batches: BatchCommitScheduler;
  /** The self-updates of groups where this device reads more than it sends (ADR 0021). */
  readonly #renewals: LeafRenewalScheduler;
  /** When this device last checked each group's leaf for renewal (its clock). */
  readonly #renewalCheckedAt = new Map<string, number>();

  private constructor(options: SecureMessengerOptions, device: MlsDevice) {
    this.#session = options.session;
    this.#store = options.store;
    this.#userId = options.userId;
    this.#deviceId = options.deviceId;
    this.#device = device;
    this.#pool = options.keyPackagePool ?? 20;
    this.#selfUpdatePolicy = { ...DEFAULT_SELF_UPDATE_POLICY, ...options.selfUpdate };
    this.#now = options.now ?? Date.now;
    this.#batches = new BatchCommitScheduler(
      { ...DEFAULT_BATCH_COMMIT_POLICY, ...options.batchCommits },
      (conversationId) => this.#batchInBackground(conversationId),
    );
    this.#renewals = new LeafRenewalScheduler(this.#selfUpdatePolicy.jitterMs, (conversationId) =>
      this.#inOrder(conversationId, () => this.#renewLeaf(conversationId)),
    );
    this.#unsubscribe.push(
      this.#session.on('event', (event) => {
        void this.#inOrder(event.conversationId, () => this.#handle(event));
      }),
      this.#session.on('ack', ({ ack }) => {
        void this.#inOrder(ack.conversationId, () => this.#ownAcknowledged(ack.clientMessageId, ack));
      }),
      this.#session.on('outboxFailed', (entry) => {
        if (entry.error?.code === 'MLS_COMMIT_REQUIRED') this.#resendAfterRemoval(entry);
      }),
    );
  }

  /**
   * Opens this device's end-to-end encryption: loads (or on the user's first device creates and registers) the
   * identity key, loads or creates the device's MLS keys, lists the device in the user's signed device list and
   * tops up its KeyPackages on the server. Call before `session.start()` so no event passes unprocessed.
   */
  static async open(options: SecureMessengerOptions): Promise<SecureMessenger> {
    const http = options.session.http;
    const config = await http.get<E2eeConfig>('/e2ee/config');
    if (!isMlsSuiteName(config.cipherSuite))
      throw new Error(`the server's cipher suite ${config.cipherSuite} is not supported by this client`);
    const identity = await loadOrCreateIdentity(options);
    const trust = new TrustStore(options.store, new HttpTrustDirectory(http));
    const savedDevice = await options.store.getSecret('device');
    const device =
      savedDevice === undefined
        ? await createMlsDevice({
            userId: options.userId,
            deviceId: options.deviceId,
            suite: config.cipherSuite,
            identity,
            trust,
          })
        : await restoreMlsDevice(new SecretBytes(savedDevice), trust);
    if (savedDevice === undefined) await options.store.putSecret('device', device.save().exposeBytes());
    const messenger = new SecureMessenger(options, device);
    const archiveKey = await options.store.getSecret('archive');
    if (archiveKey !== undefined) messenger.#archive = new HistoryArchive(http, new SecretBytes(archiveKey));
    await messenger.#publishDevice(identity);
    await messenger.#topUpKeyPackages();
    return messenger;
  }

  on<K extends keyof SecureMessengerEvents>(
    type: K,
    listener: (payload: SecureMessengerEvents[K]) => void,
  ): () => void {
    return this.#events.on(type, listener);
  }

  get deviceId(): string {
    return this.#deviceId;
  }

  /**
   * Encrypts `content` for the conversation's current members and queues it in the outbox. Resolves once the
   * ciphertext is stored (it survives a restart); `acknowledged` settles when the server has it.
   */
  send(
    conversationId: string,
    content: Uint8Array,
    meta: Omit<OutgoingEvent, 'payload' | 'clientMessageId'> = {},
  ): Promise<PendingSend> {
    return this.#inOrder(conversationId, async () => {
      const group = await this.#readyToSend(conversationId);
      const payload = await group.encrypt(content);
      await this.#saveGroup(group);
      await this.#countSend(conversationId);
      const clientMessageId = randomUuid();
      await this.#store.putOwnPending(clientMessageId, content);
      const pending = await this.#session.send(conversationId, { ...meta, payload, clientMessageId });
      // A removal that raced this send is committed and the content sent again: the caller learns the outcome.
      const acknowledged = pending.acknowledged.catch(async (error: unknown) => {
        const resent = this.#resent.get(clientMessageId);
        const again = isCode(error, 'MLS_COMMIT_REQUIRED') ? await resent : undefined;
        if (again === undefined) throw error;
        return again.acknowledged;
      });
      acknowledged.catch(() => undefined);
      return { clientMessageId, acknowledged };
    });
  }

  /**
   * Forwards a message into another conversation (`POST …/events/:seq/forward`): `content` is encrypted for the
   * target's group here, and the server checks the TLP rules on the source's marking before it stores the copy
   * (a refusal rejects with TLP_VIOLATION and the rule in its details). Not queued: the caller learns at once.
   * `attachments`: blob ids of the source message's files that `content` references again; the server links
   * them to the copy only if the source message carries them, so the target's members may download them.
   */
  async forward(
    sourceConversationId: string,
    seq: number,
    targetConversationId: string,
    content: Uint8Array,
    options: { readonly attachments?: readonly string[] } = {},
  ): Promise<SendEventAck> {
    const clientMessageId = randomUuid();
    const payload = await this.#inOrder(targetConversationId, async () => {
      const group = await this.#readyToSend(targetConversationId);
      const encrypted = await group.encrypt(content);
      await this.#saveGroup(group);
      await this.#countSend(targetConversationId);
      await this.#store.putOwnPending(clientMessageId, content);
      return encrypted;
    });
    try {
      return await this.#session.http.post<SendEventAck>(
        `/conversations/${encodeURIComponent(sourceConversationId)}/events/${String(seq)}/forward`,
        {
          targetConversationId,
          clientMessageId,
          payload: bytesToBase64(payload),
          ...(options.attachments === undefined || options.attachments.length === 0
            ? {}
            : { attachments: [...options.attachments] }),
        },
      );
    } catch (error) {
      await this.#store.takeOwnPending(clientMessageId);
      throw error;
    }
  }

  /**
   * Makes sure this device is in the conversation's group (joining by Welcome or external commit, or creating
   * the group), so it can read what is sent from now on. A new device calls it for each of its conversations.
   * Resolves to `awaiting-welcome` in a large group this device may not join by itself: a manager's batch adds
   * it, and its Welcome arrives with that commit (the `joined` event says when; ADR 0021).
   */
  ensureJoined(conversationId: string): Promise<'member' | 'awaiting-welcome'> {
    return this.#inOrder(conversationId, async () => {
      try {
        await this.#readyToSend(conversationId);
        return 'member';
      } catch (error) {
        if (!(error instanceof WelcomePendingError)) throw error;
        return 'awaiting-welcome';
      }
    });
  }

  /**
   * Commits the pending changes of a large group this device manages (ADR 0021), in batches of at most
   * MAX_BATCH_ADDS devices, each an Add commit (with its Welcome) for members' live devices not in the group and
   * a Remove commit for the leaves that lost their right to read. The server computes both and claims the KeyPackages in
   * one request. Runs by itself every few seconds once this device knows it manages the group; the app may call
   * it too (after approving joins, say). Resolves to how many devices were added and removed.
   */
  async commitPendingChanges(
    conversationId: string,
  ): Promise<{ readonly added: number; readonly removed: number }> {
    const { added, removed, newcomers } = await this.#inOrder(conversationId, () =>
      this.#commitBatches(conversationId),
    );
    // After the chain: a share sends a message, which waits for the chain itself.
    if (newcomers.length > 0) await this.#shareWithNewcomers(conversationId, newcomers);
    return { added, removed };
  }

  /**
   * In a large group nobody but a manager's device adds devices, so the member who let a newcomer in (or the
   * newcomer, joining an open channel) cannot share history with them (ADR 0016): the batch that brought their
   * devices in shares it, when the conversation's setting is on. Each share is recorded and audited as any other;
   * one that fails is reported and does not hold up the others or the batches.
   */
  async #shareWithNewcomers(conversationId: string, newcomers: readonly string[]): Promise<void> {
    const detail = await this.#session.http.get<ConversationDetail>(
      `/conversations/${encodeURIComponent(conversationId)}`,
    );
    if (detail.historyForNewcomers !== 'on') return;
    for (const userId of newcomers) {
      try {
        await shareHistory(this.#sharingHost(), conversationId, userId);
      } catch (error) {
        this.#warn(conversationId, undefined, 'Sharing history with a newcomer failed', error);
      }
    }
  }

  /** Joins every conversation this device was added to while away (Welcomes waiting on the server). */
  async acceptWelcomes(): Promise<number> {
    const { welcomes } = await this.#session.http.get<PendingWelcomesResponse>('/e2ee/welcomes');
    let joined = 0;
    for (const pending of welcomes) {
      const ok = await this.#inOrder(pending.conversationId, async () => {
        const existing = await this.#group(pending.conversationId);
        if (existing?.active === true && existing.epoch >= BigInt(pending.epoch)) return false;
        const keyPackages = await this.#localKeyPackages();
        try {
          const { group, keyPackage } = await this.#device.joinFromWelcome(
            fromBase64Url(pending.welcome),
            keyPackages,
          );
          if (!keyPackage.lastResort) await this.#store.deleteKeyPackage(keyPackage.refHex);
          await this.#adopt(group, 0, !keyPackage.lastResort);
          return true;
        } catch (error) {
          this.#warn(pending.conversationId, undefined, `A Welcome was refused: ${describe(error)}`, error);
          return false;
        }
      });
      await this.#session.http.delete(`/e2ee/welcomes/${pending.id}`);
      if (ok) joined++;
    }
    if (joined > 0) await this.#topUpKeyPackages();
    return joined;
  }

  /** Stops listening to the session (the store keeps everything). */
  close(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#batches.close();
    this.#renewals.close();
    void this.#archive?.close();
  }

  // ---- recovery (ADR 0012) ------------------------------------------------------------------------------

  /**
   * Creates or replaces the user's recovery backup under `passphrase` (prefer `generateRecoveryCode()`; show
   * RECOVERY_LOSS_NOTICE). The first backup also starts the history archive. Takes one Argon2id derivation.
   */
  async setUpRecovery(
    passphrase: string,
    options: { readonly kdf?: RecoveryKdfParams } = {},
  ): Promise<{ readonly version: number }> {
    const seed = await this.#store.getSecret('identity');
    if (seed === undefined) throw new Error('this device has no identity key');
    let archiveKey = await this.#store.getSecret('archive');
    if (archiveKey === undefined) {
      // A backup made elsewhere holds the user's archive key; a new one would orphan that device's archive.
      if ((await currentBackupVersion(this.#session.http)) > 0)
        throw new RecoveryUnavailableError(
          'a recovery backup from another device exists: open this device with its passphrase first',
        );
      archiveKey = generateArchiveKey().exposeBytes();
      await this.#store.putSecret('archive', archiveKey);
      this.#archive = new HistoryArchive(this.#session.http, new SecretBytes(Uint8Array.from(archiveKey)));
    }
    const identity = IdentityKeyPair.fromPrivateKey(new SecretBytes(seed));
    const key = new SecretBytes(archiveKey);
    try {
      const version = await uploadRecoveryBackup(this.#session.http, {
        userId: this.#userId,
        identity,
        archiveKey: key,
        passphrase,
        ...(options.kdf === undefined ? {} : { kdf: options.kdf }),
      });
      return { version };
    } finally {
      identity.destroy();
      key.destroy();
    }
  }

  /**
   * Gives this device the conversation's history from the user's archive: each message a device of the user
   * read shows its text here too, through `history`. Entries that fail to open at their place or name another
   * sender than the server's event are refused (and warned about), never shown.
   */
  restoreHistory(conversationId: string): Promise<{ readonly restored: number; readonly refused: number }> {
    return this.#inOrder(conversationId, async () => {
      if (this.#archive === undefined) return { restored: 0, refused: 0 };
      const result = await this.#archive.restore(conversationId, this.#store);
      if (result.refused > 0)
        this.#warn(
          conversationId,
          undefined,
          'Archived messages were altered or attributed to someone else.',
          [],
        );
      return result;
    });
  }

  /**
   * A page of older history (a new device does not receive it as news): each event with the content this
   * device has for it — what it decrypted or wrote, or what `restoreHistory` brought back — or unavailable.
   */
  async history(conversationId: string, query: HistoryQuery = {}): Promise<SecureEvent[]> {
    const events = await this.#session.history(conversationId, query);
    const stored = await this.#contents(
      conversationId,
      events
        .filter((e) => e.kind !== 'system' && e.kind !== 'mls.commit' && e.payload !== null)
        .map((e) => e.seq),
    );
    const shown: SecureEvent[] = [];
    for (const event of events) {
      if (event.kind === 'system') shown.push({ event, content: null, status: 'system' });
      else if (event.payload === null) shown.push({ event, content: null, status: 'deleted' });
      else if (event.kind === 'mls.commit') shown.push({ event, content: null, status: 'handshake' });
      else if (isContentless(event)) shown.push({ event, content: null, status: 'system' });
      else {
        const content = stored.get(event.seq);
        shown.push(
          content === undefined
            ? { event, content: null, status: 'unavailable', reason: 'sent before this device joined' }
            : { event, ...content, content: content.content },
        );
      }
    }
    return shown;
  }

  // ---- history for newcomers (ADR 0016) ------------------------------------------------------------------

  /**
   * Gives `newcomerUserId`, just added to the conversation, what this device can read of what came before
   * (the newest messages, bounded). Brings the newcomer's devices into the group first, so they can read the
   * bundle's key. Throws HistorySharingOffError, without sending anything, when the conversation's setting is
   * off. Resolves to undefined when this device has nothing to share.
   */
  async shareHistory(
    conversationId: string,
    newcomerUserId: string,
  ): Promise<HistoryShareResult | undefined> {
    const detail = await this.#session.http.get<ConversationDetail>(
      `/conversations/${encodeURIComponent(conversationId)}`,
    );
    if (detail.historyForNewcomers !== 'on')
      throw new HistorySharingOffError('history for newcomers is off in this conversation');
    await this.#inOrder(conversationId, () => this.#addDevicesOf(conversationId, newcomerUserId));
    return shareHistory(this.#sharingHost(), conversationId, newcomerUserId);
  }

  /** The stored content of these events, in one read where the store offers it. */
  async #contents(
    conversationId: string,
    seqs: readonly number[],
  ): Promise<ReadonlyMap<number, StoredContent>> {
    if (this.#store.getContents !== undefined) return this.#store.getContents(conversationId, seqs);
    const found = new Map<number, StoredContent>();
    for (const seq of seqs) {
      const content = await this.#store.getContent(conversationId, seq);
      if (content !== undefined) found.set(seq, content);
    }
    return found;
  }

  /** Uploads what waits for the archive now (before quitting; the archive otherwise batches on its own). */
  async flushArchive(): Promise<void> {
    await this.#archive?.flush();
  }

  // ---- sending side -------------------------------------------------------------------------------------

  /**
   * The conversation's group with this device in it, without leaves of former members, with fresh enough own
   * leaf keys (a periodic self-update, `self-update.ts`), ready to encrypt.
   */
  async #readyToSend(conversationId: string): Promise<MlsGroup> {
    let group = await this.#group(conversationId);
    if (group?.active !== true) {
      await this.#acceptWelcomesFor(conversationId);
      group = await this.#group(conversationId);
    }
    group ??= await this.#joinOrCreate(conversationId);
    let live: Awaited<ReturnType<typeof fetchLiveDevices>>;
    try {
      live = await fetchLiveDevices(this.#session.http, conversationId);
    } catch (error) {
      // Offline: encrypt for the group as this device knows it, and let the outbox wait for the network. A
      // removal this device missed makes the server refuse with MLS_COMMIT_REQUIRED, and the send is redone.
      if (group.active && classifyFailure(error) === 'transient') return group;
      throw error;
    }
    this.#batches.watch(conversationId, live.commits.largeGroup && live.commits.mayAdd);
    const former = formerLeaves(group.members(), live.devices, this.#deviceId);
    // In a large group a removal waits for a manager's batch, within the server's grace (ADR 0021).
    if (former.length > 0 && live.commits.mayRemove) {
      group = await this.#commit(conversationId, (g) =>
        g.removeMembers(former.map((m) => ({ leafIndex: m.leafIndex }))),
      );
    }
    const position = await this.#store.getGroupPosition(conversationId);
    const due = position !== undefined && selfUpdateDue(position, this.#selfUpdatePolicy, this.#now());
    if (group.updateRequired || due) {
      try {
        group = await this.#selfUpdate(conversationId);
      } catch (error) {
        // A large group's rate limit: this device renewed its leaf there recently, so the send goes ahead.
        if (!this.#holdRenewalIfTooSoon(conversationId, error)) throw error;
      }
    }
    return group;
  }

  // ---- large groups and leaf renewal (ADR 0021) -----------------------------------------------------------

  /** The scheduler's batch run: in the group's chain, its failures left for the next tick. */
  async #batchInBackground(conversationId: string): Promise<void> {
    try {
      await this.commitPendingChanges(conversationId);
    } catch (error) {
      // No longer a manager, no longer a member, or the group is gone: stop; anything else: the next tick.
      if (isCode(error, 'MLS_LARGE_GROUP_MANAGERS_ONLY') || isCode(error, 'NOT_FOUND'))
        this.#batches.watch(conversationId, false);
    }
  }

  /**
   * One batch is at most two commits, the additions (with their Welcome) and then the removals (with an
   * UpdatePath, so the removed devices cannot read the epochs after it), back to back in the group's chain.
   * Not one commit: ts-mls 2.0.0-rc.10 cannot make an UpdatePath in a commit that adds devices (it looks up the
   * added leaves' keys in the tree from before the commit: the commit fails, or, where an Add takes a removed
   * leaf's slot, the path secret would go to the removed device's old key). Additions first: rc.10 refuses a
   * Welcome whose tree has leaves "unmerged" at some non-blank parents but not at others, which a removal's
   * UpdatePath just before the additions would cause (ADR 0021 has both library defects).
   */
  async #commitBatches(
    conversationId: string,
  ): Promise<{ added: number; removed: number; newcomers: readonly string[] }> {
    const path = `/conversations/${encodeURIComponent(conversationId)}/mls/batch`;
    let added = 0;
    let removed = 0;
    /** Users who had no device in the group before a batch added theirs: whom history is shared with. */
    const newcomers = new Set<string>();
    for (let round = 0; round < MAX_BATCHES_IN_A_ROW; round++) {
      const group = await this.#group(conversationId);
      if (group?.active !== true) break;
      const batch = await this.#session.http.post<MlsBatchResponse>(path);
      if (batch.keyPackages.length === 0 && batch.removeLeaves.length === 0) break;
      // After losing a race the group may hold some of these devices already, or have removed some leaves.
      let arriving: readonly string[] = [];
      const addition = await this.#commitUnlessEmpty(conversationId, (g) => {
        const present = new Set(g.members().map((m) => m.deviceId));
        const presentUsers = new Set(g.members().map((m) => m.userId));
        const fresh = batch.keyPackages.filter((k) => !present.has(k.deviceId));
        // Set on every attempt: after a lost race the winner may have brought some of them in already.
        arriving = fresh.map((k) => k.userId).filter((userId) => !presentUsers.has(userId));
        return fresh.length === 0 ? undefined : g.addMembers(fresh.map((k) => fromBase64Url(k.keyPackage)));
      });
      if (addition !== undefined) for (const userId of arriving) newcomers.add(userId);
      const removal = await this.#commitUnlessEmpty(conversationId, (g) => {
        const members = g.members();
        const targets = batch.removeLeaves.filter((r) =>
          members.some((m) => m.leafIndex === r.leafIndex && m.deviceId === r.deviceId),
        );
        return targets.length === 0
          ? undefined
          : g.removeMembers(targets.map((r) => ({ leafIndex: r.leafIndex })));
      });
      if (removal?.group.updateRequired === true) await this.#selfUpdate(conversationId);
      added += addition?.bundle.added.length ?? 0;
      removed += removal?.bundle.removed.length ?? 0;
      if (!batch.more) break;
    }
    return { added, removed, newcomers: [...newcomers] };
  }

  /** `#commit` for a change that may have become empty once this device caught up (`make` answers undefined). */
  async #commitUnlessEmpty(
    conversationId: string,
    make: (group: MlsGroup) => Promise<CommitBundle> | undefined,
  ): Promise<{ readonly group: MlsGroup; readonly bundle: CommitBundle } | undefined> {
    let bundle: CommitBundle | undefined;
    try {
      const group = await this.#commit(conversationId, async (g) => {
        const made = make(g);
        if (made === undefined) throw new NothingToCommit();
        bundle = await made;
        return bundle;
      });
      return bundle === undefined ? undefined : { group, bundle };
    } catch (error) {
      if (error instanceof NothingToCommit) return undefined;
      throw error;
    }
  }

  /**
   * After this device processed an event of the group: when its leaf is due (old, or many epochs behind), a
   * renewal is scheduled with jitter. Checked at most once a minute per group; a position from before these
   * fields existed starts its period now.
   */
  async #considerRenewal(conversationId: string): Promise<void> {
    const now = this.#now();
    if (!this.#renewals.mayRenew(conversationId, now)) return;
    const checked = this.#renewalCheckedAt.get(conversationId);
    if (checked !== undefined && now - checked < RENEWAL_CHECK_INTERVAL_MS) return;
    this.#renewalCheckedAt.set(conversationId, now);
    const group = await this.#group(conversationId);
    const position = await this.#store.getGroupPosition(conversationId);
    if (group?.active !== true || position === undefined) return;
    if (position.leafUpdatedAt === undefined) {
      await this.#store.putGroupPosition(conversationId, { ...position, leafUpdatedAt: now });
      return;
    }
    if (renewalDue(position, this.#selfUpdatePolicy, now, group.members().length))
      this.#renewals.schedule(conversationId);
  }

  /** The scheduled renewal, in the group's chain: still due (a send may have renewed it meanwhile)? Commit. */
  async #renewLeaf(conversationId: string): Promise<void> {
    const group = await this.#group(conversationId);
    const position = await this.#store.getGroupPosition(conversationId);
    if (group?.active !== true || position === undefined) return;
    if (!renewalDue(position, this.#selfUpdatePolicy, this.#now(), group.members().length)) return;
    try {
      await this.#selfUpdate(conversationId);
    } catch (error) {
      if (this.#holdRenewalIfTooSoon(conversationId, error)) return;
      // Offline or a lost race beyond the retries: try again at the next check, not in a tight loop.
      this.#renewals.holdUntil(conversationId, this.#now() + RENEWAL_CHECK_INTERVAL_MS);
    }
  }

  /** True when the server refused a self-update as too soon; no renewal is tried before it allows one. */
  #holdRenewalIfTooSoon(conversationId: string, error: unknown): boolean {
    if (!isCode(error, 'MLS_SELF_UPDATE_TOO_SOON')) return false;
    const details = error instanceof EnletsApiError ? error.details : undefined;
    const retryAfterMs = typeof details?.['retryAfterMs'] === 'number' ? details['retryAfterMs'] : 0;
    this.#renewals.holdUntil(conversationId, this.#now() + Math.max(retryAfterMs, RENEWAL_CHECK_INTERVAL_MS));
    return true;
  }

  /** Commits fresh keys for this device's leaf (through the usual compare-and-set) and restarts its period. */
  async #selfUpdate(conversationId: string): Promise<MlsGroup> {
    const group = await this.#commit(conversationId, (g) => g.selfUpdate());
    const position = await this.#store.getGroupPosition(conversationId);
    if (position !== undefined)
      await this.#store.putGroupPosition(conversationId, leafUpdated(position, this.#now()));
    return group;
  }

  async #countSend(conversationId: string): Promise<void> {
    const position = await this.#store.getGroupPosition(conversationId);
    if (position !== undefined)
      await this.#store.putGroupPosition(conversationId, countSend(position, this.#now()));
  }

  /**
   * The server refused a send because the group still held a leaf that lost its right to read (a removal
   * raced the send, ADR 0011). The same content goes out again as a new message, encrypted only once
   * `#readyToSend` has committed the removal; the refused entry is discarded. Without the plaintext (kept only
   * until the acknowledgement) the entry stays failed for the app to show.
   */
  #resendAfterRemoval(entry: OutboxEntry): void {
    if (this.#resends.delete(entry.clientMessageId)) return;
    const resend = async (): Promise<PendingSend | undefined> => {
      const content = await this.#store.takeOwnPending(entry.clientMessageId);
      if (content === undefined) return undefined;
      const {
        clientMessageId: _refused,
        payload: _ciphertext,
        ...meta
      } = JSON.parse(entry.body) as SendEventRequest;
      const resent = await this.send(entry.conversationId, content, meta);
      this.#resends.add(resent.clientMessageId);
      void resent.acknowledged
        .finally(() => this.#resends.delete(resent.clientMessageId))
        .catch(() => undefined);
      await this.#session.discardOutboxEntry(entry.clientMessageId);
      return resent;
    };
    const resent = resend().catch((error: unknown) => {
      this.#warn(
        entry.conversationId,
        undefined,
        `A message could not be sent again: ${describe(error)}`,
        [],
      );
      return undefined;
    });
    this.#resent.set(entry.clientMessageId, resent);
    void resent.finally(() => this.#resent.delete(entry.clientMessageId));
  }

  /**
   * Welcomes for this one conversation, handled inside its chain (the caller holds it). `commitSeq`: the seq of
   * the commit event being processed, when that is what brought the Welcome.
   */
  async #acceptWelcomesFor(conversationId: string, commitSeq = 0): Promise<void> {
    const { welcomes } = await this.#session.http.get<PendingWelcomesResponse>('/e2ee/welcomes');
    for (const pending of welcomes.filter((w) => w.conversationId === conversationId)) {
      try {
        const { group, keyPackage } = await this.#device.joinFromWelcome(
          fromBase64Url(pending.welcome),
          await this.#localKeyPackages(),
        );
        if (!keyPackage.lastResort) await this.#store.deleteKeyPackage(keyPackage.refHex);
        await this.#adopt(group, commitSeq, !keyPackage.lastResort);
      } catch (error) {
        this.#warn(conversationId, undefined, `A Welcome was refused: ${describe(error)}`, error);
      }
      await this.#session.http.delete(`/e2ee/welcomes/${pending.id}`);
    }
  }

  /** Creates the conversation's group (first device) or joins the existing one by external commit. */
  async #joinOrCreate(conversationId: string): Promise<MlsGroup> {
    const path = `/conversations/${encodeURIComponent(conversationId)}/mls`;
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      let info: MlsGroupInfoResponse | undefined;
      try {
        info = await this.#session.http.get<MlsGroupInfoResponse>(`${path}/group-info`);
      } catch (error) {
        if (!isCode(error, 'MLS_GROUP_NOT_FOUND')) throw error;
      }
      if (info === undefined) {
        const group = await this.#device.createGroup(conversationId);
        try {
          await this.#session.http.post(`${path}/group`, { groupInfo: toBase64Url(await group.groupInfo()) });
        } catch (error) {
          if (isCode(error, 'MLS_GROUP_EXISTS')) continue; // another device was first: join theirs
          throw error;
        }
        await this.#adopt(group);
        return this.#addEveryone(conversationId, group);
      }
      if (!info.externalJoin)
        throw new WelcomePendingError(
          'this is a large group: a manager adds this device, and it joins with their Welcome',
        );
      const join = await this.#device.joinExternal(fromBase64Url(info.groupInfo));
      let accepted: SubmitCommitResponse;
      try {
        accepted = await this.#session.http.post<SubmitCommitResponse>(`${path}/commits`, {
          epoch: Number(join.epoch),
          commit: toBase64Url(join.commit),
          groupInfo: toBase64Url(join.groupInfo),
        });
      } catch (error) {
        if (isCode(error, 'MLS_EPOCH_MISMATCH')) continue; // the group moved on: fetch its new GroupInfo
        throw error;
      }
      const group = join.confirm();
      await this.#adopt(group, accepted.seq);
      return group;
    }
    throw new Error('could not join the conversation: the group keeps changing');
  }

  /** The creator adds the devices of every member (its own other devices included). */
  async #addEveryone(conversationId: string, group: MlsGroup): Promise<MlsGroup> {
    const detail = await this.#session.http.get<ConversationDetail>(
      `/conversations/${encodeURIComponent(conversationId)}`,
    );
    const userIds = [...new Set(detail.members.map((m) => m.userId as string))];
    if (userIds.length === 0) return group;
    const { keyPackages } = await this.#session.http.post<ClaimKeyPackagesResponse>(
      '/e2ee/key-packages/claim',
      { userIds },
    );
    if (keyPackages.length === 0) return group;
    try {
      return await this.#commit(conversationId, (g) =>
        g.addMembers(keyPackages.map((k) => fromBase64Url(k.keyPackage))),
      );
    } catch (error) {
      // A large group's members are added by its managers' batches (ADR 0021), not by its first sender.
      if (isCode(error, 'MLS_LARGE_GROUP_MANAGERS_ONLY')) return group;
      throw error;
    }
  }

  /**
   * Makes a commit and has the server accept it; adopts it only then. On MLS_EPOCH_MISMATCH (another device
   * committed first) it applies the commits it missed from the log and makes the commit again.
   */
  async #commit(conversationId: string, make: (group: MlsGroup) => Promise<CommitBundle>): Promise<MlsGroup> {
    const path = `/conversations/${encodeURIComponent(conversationId)}/mls/commits`;
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      const group = await this.#group(conversationId);
      if (group?.active !== true) throw new Error('this device is not in the conversation');
      const bundle = await make(group);
      let accepted: SubmitCommitResponse;
      try {
        accepted = await this.#session.http.post<SubmitCommitResponse>(path, {
          epoch: Number(bundle.epoch),
          commit: toBase64Url(bundle.commit),
          groupInfo: toBase64Url(bundle.groupInfo),
          ...(bundle.welcome === undefined ? {} : { welcome: toBase64Url(bundle.welcome) }),
        });
      } catch (error) {
        group.discardCommit();
        if (!isCode(error, 'MLS_EPOCH_MISMATCH')) throw error;
        await this.#catchUp(conversationId, group);
        continue;
      }
      group.confirmCommit();
      await this.#saveGroup(group);
      await this.#advancePosition(conversationId, accepted.seq);
      return group;
    }
    throw new Error('could not commit: the group keeps changing');
  }

  /** Applies the commits of the log this device has not seen yet (after losing a commit race). */
  async #catchUp(conversationId: string, group: MlsGroup): Promise<void> {
    const events = await this.#session.history(conversationId, { limit: 200 });
    for (const event of events) {
      if (event.kind !== 'mls.commit' || event.payload === null) continue;
      const bytes = base64ToBytes(event.payload);
      const epoch = peekMlsEpoch(bytes);
      if (epoch !== group.epoch) continue;
      const result = await group.process(bytes);
      if (result.kind === 'refused') this.#warn(conversationId, event.seq, result.reason, result.failures);
      else await this.#advancePosition(conversationId, event.seq);
    }
    await this.#saveGroup(group);
  }

  // ---- receiving side -----------------------------------------------------------------------------------

  async #handle(event: ConversationEvent): Promise<void> {
    const { conversationId, seq } = event;
    if (seq <= (await this.#store.getDecryptedUpTo(conversationId))) return;
    const shown = await this.#process(event);
    await this.#store.setDecryptedUpTo(conversationId, seq);
    this.#events.emit('event', shown);
    if (shown.status === 'decrypted' || shown.status === 'handshake')
      await this.#considerRenewal(conversationId);
    if (shown.status === 'system') this.#announceMembershipChange(event);
    if (shown.status === 'decrypted' && shown.content !== null)
      this.#importIfSharedWithMe(event, shown.content);
  }

  /** Joins and removals announced in a large group this device manages count towards its next batch. */
  #announceMembershipChange(event: ConversationEvent): void {
    const details = event.system as { type?: unknown; userIds?: unknown } | null;
    if (details?.type !== 'member.added' && details?.type !== 'member.removed') return;
    const count = Array.isArray(details.userIds) ? details.userIds.length : 1;
    this.#batches.announce(event.conversationId, count);
  }

  /**
   * A decrypted `history-share` for this user: verified and imported beside the pipeline (it downloads a blob),
   * refused visibly as a whole when it does not hold together. Other members ignore shares for others.
   */
  #importIfSharedWithMe(event: ConversationEvent, content: Uint8Array): void {
    let share;
    try {
      share = decodeContent(content);
    } catch {
      return;
    }
    if (share.type !== 'history-share' || share.recipientId !== this.#userId) return;
    importSharedHistory(this.#sharingHost(), event, share).then(
      (result) => this.#events.emit('historyShared', result),
      (error: unknown) => this.#warn(event.conversationId, event.seq, describe(error), []),
    );
  }

  /** Adds the user's live devices that are not in the group yet (one commit, with a Welcome). */
  async #addDevicesOf(conversationId: string, userId: string): Promise<void> {
    const http = this.#session.http;
    const group = await this.#readyToSend(conversationId);
    const present = new Set(group.members().map((m) => m.deviceId));
    const { liveDeviceIds } = await http.get<UserDevicesResponse>(
      `/e2ee/users/${encodeURIComponent(userId)}/devices`,
    );
    if (liveDeviceIds.every((id) => present.has(id))) return;
    const { keyPackages } = await http.post<ClaimKeyPackagesResponse>('/e2ee/key-packages/claim', {
      userIds: [userId],
    });
    const missing = keyPackages.filter((k) => !present.has(k.deviceId));
    if (missing.length === 0) return;
    await this.#commit(conversationId, (g) => g.addMembers(missing.map((k) => fromBase64Url(k.keyPackage))));
  }

  #sharingHost(): HistorySharingHost {
    return {
      http: this.#session.http,
      store: this.#store,
      userId: this.#userId,
      deviceId: this.#deviceId,
      send: (conversationId, content, attachments) => this.send(conversationId, content, { attachments }),
      archive: (event, content) => this.#archive?.add(event, content),
    };
  }

  async #process(event: ConversationEvent): Promise<SecureEvent> {
    const { conversationId, seq } = event;
    if (event.kind === 'system') {
      const details = event.system as { type?: unknown; userIds?: unknown } | null;
      const removedMe =
        details?.type === 'member.removed' &&
        Array.isArray(details.userIds) &&
        details.userIds.includes(this.#userId);
      if (removedMe) await this.#forgetGroup(conversationId);
      return { event, content: null, status: 'system' };
    }
    if (event.payload === null) return { event, content: null, status: 'deleted' };
    if (isContentless(event)) return { event, content: null, status: 'system' };
    const bytes = base64ToBytes(event.payload);
    if (event.kind === 'mls.commit') {
      await this.#applyCommit(event, bytes);
      return { event, content: null, status: 'handshake' };
    }
    const stored = await this.#store.getContent(conversationId, seq);
    // Own messages are stored when the server acknowledges them; they reach the archive with their event.
    if (stored?.status === 'own' && stored.content !== null) this.#archive?.add(event, stored.content);
    if (stored !== undefined) return { event, ...stored, content: stored.content };
    if (event.senderDeviceId === this.#deviceId) {
      const own =
        event.clientMessageId === null ? undefined : await this.#store.takeOwnPending(event.clientMessageId);
      const content = own ?? null;
      const status: ContentStatus = own === undefined ? 'unavailable' : 'own';
      await this.#store.putContent(conversationId, seq, { content, status });
      if (own !== undefined) this.#archive?.add(event, own);
      return { event, content, status };
    }
    const result = await this.#decrypt(event, bytes);
    await this.#store.putContent(conversationId, seq, result);
    if (result.status === 'decrypted' && result.content !== null) this.#archive?.add(event, result.content);
    return { event, ...result };
  }

  async #decrypt(
    event: ConversationEvent,
    bytes: Uint8Array,
  ): Promise<{ content: Uint8Array | null; status: ContentStatus; reason?: string }> {
    const group = await this.#group(event.conversationId);
    if (group?.active !== true)
      return { content: null, status: 'unavailable', reason: 'sent before this device joined' };
    const epoch = peekMlsEpoch(bytes);
    if (epoch === undefined) return this.#refuse(event, 'The message is not an MLS message.');
    if (epoch > group.epoch)
      return {
        content: null,
        status: 'unavailable',
        reason: 'encrypted for an epoch this device has not reached',
      };
    const result = await group.process(bytes);
    if (result.kind === 'refused') {
      // Before this device joined (or keys it never had): not an attack, just unreadable.
      if (epoch < group.epoch && result.failures.length === 0)
        return { content: null, status: 'unavailable', reason: result.reason };
      return this.#refuse(event, result.reason, result.failures);
    }
    if (result.kind !== 'application') return this.#refuse(event, 'A handshake arrived as a message.');
    await this.#saveGroup(group);
    // The server names the sender; MLS proves it. They must agree, or the server swapped them.
    if (result.senderUserId !== event.senderId || result.senderDeviceId !== event.senderDeviceId)
      return this.#refuse(event, 'The sender named by the server is not the device that wrote the message.');
    return { content: result.bytes, status: 'decrypted' };
  }

  async #applyCommit(event: ConversationEvent, bytes: Uint8Array): Promise<void> {
    let group = await this.#group(event.conversationId);
    if (group?.active !== true) {
      // A commit that adds this device stores its Welcome in the same transaction: join now, in order.
      await this.#acceptWelcomesFor(event.conversationId, event.seq);
      group = await this.#group(event.conversationId);
      if (group?.active !== true) return;
    }
    const epoch = peekMlsEpoch(bytes);
    if (epoch === undefined) {
      this.#warn(event.conversationId, event.seq, 'A handshake is not an MLS message.', []);
      return;
    }
    const position = (await this.#store.getGroupPosition(event.conversationId)) ?? {
      joinedEpoch: 0,
      lastCommitSeq: 0,
    };
    // Applied already (our own accepted commit, one caught up on, or the one that brought us in).
    if (event.seq <= position.lastCommitSeq) return;
    if (epoch < group.epoch) {
      // From before this device joined: not its business. Otherwise the server sent a handshake again or out
      // of order: never applied, always shown.
      if (epoch >= BigInt(position.joinedEpoch))
        this.#warn(
          event.conversationId,
          event.seq,
          'A handshake was replayed or reordered; it was ignored.',
          [],
        );
      return;
    }
    if (epoch > group.epoch) {
      this.#warn(event.conversationId, event.seq, 'A handshake for a later epoch arrived: rejoining.', []);
      await this.#forgetGroup(event.conversationId);
      return;
    }
    const result = await group.process(bytes);
    if (result.kind === 'refused') {
      this.#warn(event.conversationId, event.seq, result.reason, result.failures);
      return;
    }
    if (result.kind === 'commit' && result.removedSelf) {
      await this.#forgetGroup(event.conversationId);
      return;
    }
    await this.#saveGroup(group);
    await this.#advancePosition(event.conversationId, event.seq);
    if (result.kind === 'commit' && !result.own) await this.#countEpoch(event.conversationId);
  }

  async #countEpoch(conversationId: string): Promise<void> {
    const position = await this.#store.getGroupPosition(conversationId);
    if (position !== undefined)
      await this.#store.putGroupPosition(conversationId, countEpoch(position, this.#now()));
  }

  async #advancePosition(conversationId: string, commitSeq: number): Promise<void> {
    const position = await this.#store.getGroupPosition(conversationId);
    if (position === undefined || commitSeq <= position.lastCommitSeq) return;
    await this.#store.putGroupPosition(conversationId, { ...position, lastCommitSeq: commitSeq });
  }

  async #ownAcknowledged(
    clientMessageId: string,
    ack: { conversationId: string; seq: number },
  ): Promise<void> {
    if ((await this.#store.getContent(ack.conversationId, ack.seq)) !== undefined) return;
    const own = await this.#store.takeOwnPending(clientMessageId);
    if (own !== undefined)
      await this.#store.putContent(ack.conversationId, ack.seq, { content: own, status: 'own' });
  }

  #refuse(
    event: ConversationEvent,
    reason: string,
    failures: readonly AuthenticationFailure[] = [],
  ): { content: null; status: 'refused'; reason: string } {
    this.#warn(event.conversationId, event.seq, reason, failures);
    return { content: null, status: 'refused', reason };
  }

  #warn(conversationId: string, seq: number | undefined, reason: string, cause: unknown): void {
    const failures = Array.isArray(cause) ? (cause as AuthenticationFailure[]) : failuresOf(cause);
    this.#events.emit('warning', { conversationId, ...(seq === undefined ? {} : { seq }), reason, failures });
  }

  // ---- device and key material --------------------------------------------------------------------------

  /** Lists this device in the user's signed device list (dropping devices that no longer exist). */
  async #publishDevice(identity: IdentityKeyPair): Promise<void> {
    const http = this.#session.http;
    const current = await http.get<UserDevicesResponse>(`/e2ee/users/${this.#userId}/devices`);
    const previous =
      current.deviceList === null ? undefined : decodeDeviceList(fromBase64Url(current.deviceList));
    if (previous !== undefined && !verifyDeviceList(previous, identity.publicKey))
      throw new Error('the device list on the server is not signed by this identity key');
    const entry = this.#device.deviceListEntry();
    const live = new Set<string>([...current.liveDeviceIds, this.#deviceId]);
    const kept = (previous?.devices ?? []).filter(
      (d) => live.has(d.deviceId) && d.deviceId !== this.#deviceId,
    );
    const listed = previous?.devices.find((d) => d.deviceId === this.#deviceId);
    const upToDate =
      listed !== undefined &&
      toBase64Url(listed.signatureKey) === toBase64Url(entry.signatureKey) &&
      kept.length === (previous?.devices.length ?? 0) - 1;
    if (upToDate) return;
    const next = nextDeviceList(previous, this.#userId, { replace: [...kept, entry] });
    await http.put('/e2ee/device-list', {
      deviceList: toBase64Url(encodeDeviceList(signDeviceList(next, identity))),
    });
  }

  /** Keeps at least half of the pool of one-time KeyPackages on the server, and a last-resort one. */
  async #topUpKeyPackages(): Promise<void> {
    const http = this.#session.http;
    const count = await http.get<KeyPackageCount>('/e2ee/key-packages/count');
    if (count.oneTime >= this.#pool / 2 && count.lastResort) return;
    const fresh = await this.#device.generateKeyPackages(this.#pool - count.oneTime);
    const lastResort = count.lastResort
      ? []
      : await this.#device.generateKeyPackages(1, { lastResort: true });
    for (const kp of [...fresh, ...lastResort])
      await this.#store.putKeyPackage(kp.refHex, exportLocalKeyPackage(kp).exposeBytes());
    await http.post('/e2ee/key-packages', {
      keyPackages: fresh.map((kp) => toBase64Url(kp.message)),
      ...(lastResort[0] === undefined ? {} : { lastResort: toBase64Url(lastResort[0].message) }),
    });
  }

  async #localKeyPackages(): Promise<LocalKeyPackage[]> {
    const stored = await this.#store.listKeyPackages();
    return Promise.all(stored.map((s) => importLocalKeyPackage(new SecretBytes(s.bytes))));
  }

  async #group(conversationId: string): Promise<MlsGroup | undefined> {
    const cached = this.#groups.get(conversationId);
    if (cached !== undefined) return cached;
    const saved = await this.#store.getGroup(conversationId);
    if (saved === undefined) return undefined;
    const ratchets = await this.#store.getGroupRatchets?.(conversationId);
    const group = await this.#device.restoreGroup(
      joinSavedGroupParts(
        new SecretBytes(saved),
        ratchets === undefined ? undefined : new SecretBytes(ratchets),
      ),
    );
    this.#groups.set(conversationId, group);
    return group;
  }

  /**
   * Keeps a group this device just entered (created, joined by Welcome or external commit at `commitSeq`). Its
   * leaf keys are fresh, except when it joined with its last-resort KeyPackage, whose keys may sit in other
   * groups too: then they are renewed before its first send (leaf "updated" at time 0).
   */
  async #adopt(group: MlsGroup, commitSeq = 0, freshLeaf = true): Promise<void> {
    this.#groups.set(group.groupId, group);
    await this.#saveGroup(group);
    await this.#store.putGroupPosition(group.groupId, {
      joinedEpoch: Number(group.epoch),
      lastCommitSeq: commitSeq,
      leafUpdatedAt: freshLeaf ? this.#now() : 0,
      sentSinceLeafUpdate: 0,
    });
    this.#events.emit('joined', { conversationId: group.groupId });
  }

  /**
   * After every message and commit (a restart must neither reuse a message key nor keep one it used). Where the
   * store keeps the two parts apart, a message writes only the ratchets: the epoch part goes again only when a
   * commit (or a pending one) changed it, or when this run has not written it yet.
   */
  async #saveGroup(group: MlsGroup): Promise<void> {
    const id = group.groupId;
    if (this.#store.putGroupParts === undefined) {
      await this.#store.putGroup(id, group.save().exposeBytes());
      return;
    }
    const parts = group.saveParts();
    const unchanged = this.#savedEpochTags.get(id) === parts.epochTag;
    // Forgotten first: if the write fails, the next save writes the epoch part again.
    this.#savedEpochTags.delete(id);
    await this.#store.putGroupParts(
      id,
      unchanged ? undefined : parts.epoch.exposeBytes(),
      parts.ratchets.exposeBytes(),
    );
    this.#savedEpochTags.set(id, parts.epochTag);
  }

  async #forgetGroup(conversationId: string): Promise<void> {
    this.#savedEpochTags.delete(conversationId);
    this.#groups.delete(conversationId);
    await this.#store.deleteGroup(conversationId);
  }

  #inOrder<T>(conversationId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#chains.get(conversationId) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.catch(() => undefined);
    this.#chains.set(conversationId, settled);
    void settled.then(() => {
      if (this.#chains.get(conversationId) === settled) this.#chains.delete(conversationId);
    });
    return next;
  }
}

async function loadOrCreateIdentity(options: SecureMessengerOptions): Promise<IdentityKeyPair> {
  const http = options.session.http;
  const saved = await options.store.getSecret('identity');
  const registered = await http.get<UserDevicesResponse>(`/e2ee/users/${options.userId}/devices`);
  if (saved !== undefined) {
    const identity = IdentityKeyPair.fromPrivateKey(new SecretBytes(saved));
    if (registered.identityKey === null) {
      await http.put('/e2ee/identity', { identityKey: toBase64Url(identity.publicKey) });
    } else if (registered.identityKey !== toBase64Url(identity.publicKey)) {
      throw new IdentityUnavailableError('this device holds a different identity key than the server knows');
    }
    return identity;
  }
  if (registered.identityKey !== null) {
    if (options.recovery === undefined)
      throw new IdentityUnavailableError(
        'this account has an identity key on another device: restore it with the recovery passphrase',
      );
    return restoreDeviceKeys(http, options.store, {
      userId: options.userId,
      passphrase: options.recovery.passphrase,
      registeredIdentityKey: registered.identityKey,
    });
  }
  const identity = IdentityKeyPair.generate();
  await options.store.putSecret('identity', identity.exportPrivateKey().exposeBytes());
  // The user's first device starts the history archive, so what it reads is there once recovery is set up.
  await options.store.putSecret('archive', generateArchiveKey().exposeBytes());
  await http.put('/e2ee/identity', { identityKey: toBase64Url(identity.publicKey) });
  return identity;
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof EnletsApiError && error.code === code;
}

function failuresOf(error: unknown): readonly AuthenticationFailure[] {
  if (typeof error === 'object' && error !== null && 'failures' in error) {
    const { failures } = error;
    if (Array.isArray(failures)) return failures as readonly AuthenticationFailure[];
  }
  return [];
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
