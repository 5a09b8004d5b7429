import type { TrustRecord, TrustStorage } from '@enlets/crypto';

/** What this device decrypted (or wrote itself) for one event, kept so it is never decrypted twice. */
export interface StoredContent {
  /** The plaintext, or null when the event could not be read (see `status`). */
  readonly content: Uint8Array | null;
  readonly status: ContentStatus;
  /** Why an event is unreadable, for people. */
  readonly reason?: string;
  /** For `shared` content: the user whose device shared it (ADR 0016), for "shared by X". */
  readonly sharedBy?: string;
}

/**
 * `decrypted`: read with the group's keys and its MLS sender matched the event's sender. `own`: written on this
 * device. `shared`: sent before this device's user joined and given to it by a member's device (`sharedBy`)
 * in a verified history bundle (ADR 0016): the author is the event's sender, but the words are as the sharer's
 * device copied them. `unavailable`: sent before this device joined (history is off) or with keys it never had.
 * `refused`: the message failed a check (forged sender, tampered bytes): shown as a warning, never as content.
 */
export type ContentStatus = 'decrypted' | 'own' | 'shared' | 'unavailable' | 'refused';

/** The device's keys: its user's identity key, its own MLS keys, its user's history archive key (ADR 0012). */
export type SecretName = 'identity' | 'device' | 'archive';

/**
 * The device's secrets and what it decrypted, across restarts: its identity key, its MLS device keys, the state
 * of each group, the private parts of its KeyPackages, the trust records of other users, the content of each
 * event and how far each conversation was decrypted. Byte values are opaque to the store; an implementation
 * must make each call atomic (IndexedDB in the browser, a 0600 file for the CLI, memory in tests).
 */
export interface E2eeStore extends TrustStorage {
  getSecret(name: SecretName): Promise<Uint8Array | undefined>;
  putSecret(name: SecretName, bytes: Uint8Array): Promise<void>;

  getGroup(conversationId: string): Promise<Uint8Array | undefined>;
  /** Where this device stands in the group's handshake history; deleted with the group. */
  getGroupPosition(conversationId: string): Promise<GroupPosition | undefined>;
  putGroupPosition(conversationId: string, position: GroupPosition): Promise<void>;
  putGroup(conversationId: string, bytes: Uint8Array): Promise<void>;
  /**
   * Optional: a group's state in two records (`MlsGroup.saveParts`), so a message writes a few hundred bytes
   * instead of the whole state (~1 MB in a group of 1,000). `epoch` goes where `putGroup` writes (undefined:
   * unchanged since the last call for this group), `ratchets` beside it; both in one atomic write, since a
   * ratchet record only fits its own epoch record. `getGroup` then returns the epoch record and
   * `getGroupRatchets` the ratchets. A store without them gets whole states through `putGroup`.
   */
  putGroupParts?(conversationId: string, epoch: Uint8Array | undefined, ratchets: Uint8Array): Promise<void>;
  getGroupRatchets?(conversationId: string): Promise<Uint8Array | undefined>;
  /** Deletes the group's state (both records) and its position. */
  deleteGroup(conversationId: string): Promise<void>;

  /** Private KeyPackages by their ref (hex), as `exportLocalKeyPackage` wrote them. */
  listKeyPackages(): Promise<ReadonlyArray<{ readonly refHex: string; readonly bytes: Uint8Array }>>;
  putKeyPackage(refHex: string, bytes: Uint8Array): Promise<void>;
  deleteKeyPackage(refHex: string): Promise<void>;

  getContent(conversationId: string, seq: number): Promise<StoredContent | undefined>;
  putContent(conversationId: string, seq: number, content: StoredContent): Promise<void>;
  /**
   * Several events' content at once (a page of history), where the store can read them in one go (one
   * IndexedDB transaction instead of one per event). Optional: without it, `getContent` is called per event.
   */
  getContents?(conversationId: string, seqs: readonly number[]): Promise<ReadonlyMap<number, StoredContent>>;
  /** Content this device wrote, waiting for the seq its acknowledgement will give it. */
  putOwnPending(clientMessageId: string, content: Uint8Array): Promise<void>;
  takeOwnPending(clientMessageId: string): Promise<Uint8Array | undefined>;

  /** Every event up to this seq has been through the decryption pipeline. */
  getDecryptedUpTo(conversationId: string): Promise<number>;
  setDecryptedUpTo(conversationId: string, seq: number): Promise<void>;
}

/**
 * `joinedEpoch`: the epoch this device entered the group at (handshakes before it are not its business).
 * `lastCommitSeq`: the seq of the last `mls.commit` event it applied or had accepted. A later commit event for
 * an epoch it has passed is a replay or a reordering by the server, and is refused visibly.
 * `leafUpdatedAt` (ms) and `sentSinceLeafUpdate`: when this device's own leaf keys were last fresh (it created
 * or joined the group, or committed a self-update) and how many messages it encrypted since; they decide its
 * next periodic self-update (`self-update.ts`). `epochsSinceLeafUpdate`: how many other devices' commits it
 * processed since, for a reader's renewal (ADR 0021). Absent in positions stored before they existed.
 */
export interface GroupPosition {
  readonly joinedEpoch: number;
  readonly lastCommitSeq: number;
  readonly leafUpdatedAt?: number;
  readonly sentSinceLeafUpdate?: number;
  readonly epochsSinceLeafUpdate?: number;
}

/** Keeps everything in memory: for tests and short-lived scripts (everything is lost on exit). */
export class MemoryE2eeStore implements E2eeStore {
  readonly #secrets = new Map<string, Uint8Array>();
  readonly #groups = new Map<string, Uint8Array>();
  readonly #ratchets = new Map<string, Uint8Array>();
  readonly #positions = new Map<string, GroupPosition>();
  readonly #keyPackages = new Map<string, Uint8Array>();
  readonly #contents = new Map<string, StoredContent>();
  readonly #ownPending = new Map<string, Uint8Array>();
  readonly #decryptedUpTo = new Map<string, number>();
  readonly #trust = new Map<string, TrustRecord>();

  getSecret(name: SecretName): Promise<Uint8Array | undefined> {
    return Promise.resolve(copy(this.#secrets.get(name)));
  }
  putSecret(name: SecretName, bytes: Uint8Array): Promise<void> {
    this.#secrets.set(name, Uint8Array.from(bytes));
    return Promise.resolve();
  }
  getGroup(conversationId: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(copy(this.#groups.get(conversationId)));
  }
  putGroup(conversationId: string, bytes: Uint8Array): Promise<void> {
    this.#groups.set(conversationId, Uint8Array.from(bytes));
    this.#ratchets.delete(conversationId);
    return Promise.resolve();
  }
  putGroupParts(conversationId: string, epoch: Uint8Array | undefined, ratchets: Uint8Array): Promise<void> {
    if (epoch !== undefined) this.#groups.set(conversationId, Uint8Array.from(epoch));
    this.#ratchets.set(conversationId, Uint8Array.from(ratchets));
    this.groupWrites.count += 1;
    this.groupWrites.bytes += (epoch?.length ?? 0) + ratchets.length;
    return Promise.resolve();
  }
  getGroupRatchets(conversationId: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(copy(this.#ratchets.get(conversationId)));
  }
  /** How many `putGroupParts` calls wrote how many bytes in all (for tests of what a message costs). */
  readonly groupWrites = { count: 0, bytes: 0 };
  getGroupPosition(conversationId: string): Promise<GroupPosition | undefined> {
    return Promise.resolve(this.#positions.get(conversationId));
  }
  putGroupPosition(conversationId: string, position: GroupPosition): Promise<void> {
    this.#positions.set(conversationId, position);
    return Promise.resolve();
  }
  deleteGroup(conversationId: string): Promise<void> {
    this.#groups.delete(conversationId);
    this.#ratchets.delete(conversationId);
    this.#positions.delete(conversationId);
    return Promise.resolve();
  }
  listKeyPackages(): Promise<ReadonlyArray<{ readonly refHex: string; readonly bytes: Uint8Array }>> {
    return Promise.resolve(
      [...this.#keyPackages].map(([refHex, bytes]) => ({ refHex, bytes: Uint8Array.from(bytes) })),
    );
  }
  putKeyPackage(refHex: string, bytes: Uint8Array): Promise<void> {
    this.#keyPackages.set(refHex, Uint8Array.from(bytes));
    return Promise.resolve();
  }
  deleteKeyPackage(refHex: string): Promise<void> {
    this.#keyPackages.delete(refHex);
    return Promise.resolve();
  }
  getContent(conversationId: string, seq: number): Promise<StoredContent | undefined> {
    return Promise.resolve(this.#contents.get(`${conversationId}:${String(seq)}`));
  }
  putContent(conversationId: string, seq: number, content: StoredContent): Promise<void> {
    this.#contents.set(`${conversationId}:${String(seq)}`, content);
    return Promise.resolve();
  }
  putOwnPending(clientMessageId: string, content: Uint8Array): Promise<void> {
    this.#ownPending.set(clientMessageId, Uint8Array.from(content));
    return Promise.resolve();
  }
  takeOwnPending(clientMessageId: string): Promise<Uint8Array | undefined> {
    const content = this.#ownPending.get(clientMessageId);
    this.#ownPending.delete(clientMessageId);
    return Promise.resolve(content);
  }
  getDecryptedUpTo(conversationId: string): Promise<number> {
    return Promise.resolve(this.#decryptedUpTo.get(conversationId) ?? 0);
  }
  setDecryptedUpTo(conversationId: string, seq: number): Promise<void> {
    this.#decryptedUpTo.set(conversationId, seq);
    return Promise.resolve();
  }
  load(userId: string): Promise<TrustRecord | undefined> {
    return Promise.resolve(this.#trust.get(userId));
  }
  save(record: TrustRecord): Promise<void> {
    this.#trust.set(record.userId, record);
    return Promise.resolve();
  }
}

function copy(bytes: Uint8Array | undefined): Uint8Array | undefined {
  return bytes === undefined ? undefined : Uint8Array.from(bytes);
}
