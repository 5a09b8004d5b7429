import {
  checkRecoveryPassphrase,
  createRecoveryBackup,
  fromBase64Url,
  MAX_ARCHIVE_CONTENT_BYTES,
  openArchiveEntry,
  openRecoveryBackup,
  sealArchiveEntry,
  toBase64Url,
  type ArchiveEntry,
  type IdentityKeyPair,
  type RecoveredKeys,
  type RecoveryKdfParams,
  type SecretBytes,
} from '@enlets/crypto';
import {
  MAX_ARCHIVE_ENTRIES_PER_PAGE,
  MAX_ARCHIVE_ENTRIES_PER_UPLOAD,
  type ArchivePage,
  type ConversationEvent,
  type EventRangeResponse,
  type RecoveryBackupResponse,
  type RecoveryBackupStored,
} from '@enlets/protocol';
import { EnletsApiError, type EnletsHttpClient } from '../api/http.js';
import { classifyFailure } from '../errors.js';
import { clearTimer, setTimer, type TimerHandle } from '../runtime.js';
import type { E2eeStore } from './e2ee-store.js';

/**
 * The client side of recovery without anyone online (docs/decisions/0012-recovery.md): the passphrase-encrypted
 * backup of the identity and archive keys, and the history archive that gives a new device the messages from
 * before it existed.
 */

/** The text the app shows when someone sets up recovery: what losing the passphrase means. */
export const RECOVERY_LOSS_NOTICE =
  'Keep this recovery passphrase somewhere safe and offline. It is the only way to read your message history ' +
  'on a new device if you lose all your signed-in devices. Nobody, including the ENLETS operators, can reset ' +
  'it or recover your history without it: if you lose both the passphrase and every device, your message ' +
  'history is gone for good and your contacts will see a new safety number for you.';

/** The user has no recovery backup on the server (recovery was never set up, or was set up elsewhere). */
export class RecoveryUnavailableError extends Error {
  override readonly name = 'RecoveryUnavailableError';
}

/** A passphrase of the user's own that does not meet the floor (details in `reason`). */
export class RecoveryPassphraseTooWeakError extends Error {
  override readonly name = 'RecoveryPassphraseTooWeakError';
  constructor(readonly reason: 'too-short' | 'too-repetitive') {
    super(
      reason === 'too-short'
        ? 'the recovery passphrase is too short: use the generated code or at least 16 characters'
        : 'the recovery passphrase repeats too few characters: use the generated code',
    );
  }
}

/**
 * Fetches the user's backup and opens it. Throws RecoveryUnavailableError when there is none, and the crypto
 * package's WrongPassphraseError when the passphrase is wrong (or the backup was altered).
 */
export async function restoreRecoveryKeys(
  http: EnletsHttpClient,
  userId: string,
  passphrase: string,
): Promise<RecoveredKeys> {
  let stored: RecoveryBackupResponse;
  try {
    stored = await http.get<RecoveryBackupResponse>('/e2ee/backup');
  } catch (error) {
    if (error instanceof EnletsApiError && error.code === 'E2EE_BACKUP_NOT_FOUND')
      throw new RecoveryUnavailableError('this account has no recovery backup', { cause: error });
    throw error;
  }
  return openRecoveryBackup(fromBase64Url(stored.backup), passphrase, userId);
}

/**
 * Encrypts the keys under the passphrase and stores the backup, replacing the one the server has now (read
 * just before, so a device replaces only what it has seen; a replacement racing this one makes it fail with
 * E2EE_BACKUP_VERSION_MISMATCH rather than overwrite it). Returns the stored version.
 */
export async function uploadRecoveryBackup(
  http: EnletsHttpClient,
  input: {
    readonly userId: string;
    readonly identity: IdentityKeyPair;
    readonly archiveKey: SecretBytes;
    readonly passphrase: string;
    readonly kdf?: RecoveryKdfParams;
  },
): Promise<number> {
  const verdict = checkRecoveryPassphrase(input.passphrase);
  if (!verdict.ok) throw new RecoveryPassphraseTooWeakError(verdict.reason);
  const expectedVersion = await currentBackupVersion(http);
  const backup = await createRecoveryBackup(input);
  const stored = await http.put<RecoveryBackupStored>('/e2ee/backup', {
    backup: toBase64Url(backup),
    expectedVersion,
  });
  return stored.version;
}

/** The version of the stored backup, 0 when there is none. */
export async function currentBackupVersion(http: EnletsHttpClient): Promise<number> {
  try {
    return (await http.get<RecoveryBackupResponse>('/e2ee/backup')).version;
  } catch (error) {
    if (error instanceof EnletsApiError && error.code === 'E2EE_BACKUP_NOT_FOUND') return 0;
    throw error;
  }
}

/** Entries wait this long for company before they are sent, so a burst of messages is one request. */
const ARCHIVE_DELAY_MS = 2_000;
/** Keeps each request well under the server's 1 MiB body limit for archive uploads. */
const MAX_BATCH_ENCODED_CHARS = 700_000;
/** After a failed upload, the next attempt waits this long (the entries stay queued). */
const ARCHIVE_RETRY_MS = 15_000;

interface SealedEntry {
  readonly conversationId: string;
  readonly seq: number;
  readonly entry: string;
}

/**
 * Seals what this device read into the user's history archive and uploads it in batches, in the background:
 * `add` never waits for the network and never throws into the message pipeline. Entries queued when the app
 * quits without `flush` are not archived (this device still has them; TODO(#4): a persistent queue in the
 * E2eeStore).
 */
export class HistoryArchive {
  readonly #http: EnletsHttpClient;
  readonly #key: SecretBytes;
  readonly #queue: SealedEntry[] = [];
  #timer: TimerHandle | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;

  constructor(http: EnletsHttpClient, archiveKey: SecretBytes) {
    this.#http = http;
    this.#key = archiveKey;
  }

  /**
   * Queues what this device read or wrote at (conversation, seq). Messages that expire are left out: a
   * disappearing message must not outlive its expiry in a backup.
   */
  add(event: ConversationEvent, content: Uint8Array): void {
    if (this.#closed || event.expiresAt !== null || event.senderId === null || event.senderDeviceId === null)
      return;
    if (content.length > MAX_ARCHIVE_CONTENT_BYTES) return;
    const sealed = sealArchiveEntry(this.#key, {
      conversationId: event.conversationId,
      seq: event.seq,
      senderId: event.senderId,
      senderDeviceId: event.senderDeviceId,
      content,
    });
    this.#queue.push({ conversationId: event.conversationId, seq: event.seq, entry: toBase64Url(sealed) });
    this.#schedule(this.#queue.length >= MAX_ARCHIVE_ENTRIES_PER_UPLOAD ? 0 : ARCHIVE_DELAY_MS);
  }

  /** Uploads everything queued now; resolves when the queue is empty or an upload failed (entries kept). */
  flush(): Promise<void> {
    this.#flushing ??= this.#upload().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  /** Stops the timer; entries still queued are uploaded once more if possible. */
  close(): Promise<void> {
    this.#closed = true;
    clearTimer(this.#timer);
    this.#timer = undefined;
    return this.flush();
  }

  /**
   * Reads the archive of one conversation and keeps each entry that is authentic at its place and whose event
   * the server still serves with the same sender (a deleted or expired message stays gone; a re-attributed one
   * is refused). Entries this device has content for already are left alone. Returns how many were restored
   * and how many refused.
   */
  async restore(
    conversationId: string,
    store: E2eeStore,
  ): Promise<{ readonly restored: number; readonly refused: number }> {
    let restored = 0;
    let refused = 0;
    let afterSeq = 0;
    for (;;) {
      const page = await this.#http.get<ArchivePage>(
        `/e2ee/archive?conversationId=${encodeURIComponent(conversationId)}&afterSeq=${String(afterSeq)}&limit=${String(MAX_ARCHIVE_ENTRIES_PER_PAGE)}`,
      );
      const first = page.entries[0];
      const last = page.entries.at(-1);
      if (first === undefined || last === undefined) break;
      const events = await this.#events(conversationId, first.seq, last.seq);
      for (const { seq, entry } of page.entries) {
        const opened = openArchiveEntry(this.#key, fromBase64Url(entry), { conversationId, seq });
        const event = events.get(seq);
        if (opened === undefined || (event !== undefined && !sameSender(opened, event))) {
          refused++;
          continue;
        }
        if (event?.payload == null) continue; // deleted, expired or no longer visible
        const existing = await store.getContent(conversationId, seq);
        if (existing !== undefined && existing.status !== 'unavailable') continue;
        await store.putContent(conversationId, seq, { content: opened.content, status: 'decrypted' });
        restored++;
      }
      if (!page.more) break;
      afterSeq = last.seq;
    }
    return { restored, refused };
  }

  /** The conversation's events with from ≤ seq ≤ to, by seq. */
  async #events(conversationId: string, from: number, to: number): Promise<Map<number, ConversationEvent>> {
    const bySeq = new Map<number, ConversationEvent>();
    let afterSeq = from - 1;
    while (afterSeq < to) {
      const { events } = await this.#http.get<EventRangeResponse>(
        `/conversations/${encodeURIComponent(conversationId)}/events?afterSeq=${String(afterSeq)}&limit=500`,
      );
      for (const event of events) if (event.seq <= to) bySeq.set(event.seq, event);
      const next = Math.max(afterSeq, ...events.map((e) => e.seq));
      if (events.length === 0 || next === afterSeq) break;
      afterSeq = next;
    }
    return bySeq;
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== undefined && delayMs > 0) return;
    clearTimer(this.#timer);
    this.#timer = setTimer(() => {
      this.#timer = undefined;
      void this.flush();
    }, delayMs);
  }

  async #upload(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = takeBatch(this.#queue);
      if (!(await this.#send(batch))) return;
    }
  }

  /**
   * Sends one batch; false when it must wait (the entries are back in the queue). A batch the server refuses
   * for good (a conversation the user has left, say) is retried entry by entry so one cannot sink the rest;
   * an entry refused alone is dropped. The archive is a convenience for a future device: it must never get in
   * the way of reading messages now.
   */
  async #send(batch: readonly SealedEntry[]): Promise<boolean> {
    try {
      await this.#http.put('/e2ee/archive', { entries: batch });
      return true;
    } catch (error) {
      if (classifyFailure(error) !== 'permanent') {
        this.#queue.unshift(...batch);
        if (!this.#closed) this.#schedule(ARCHIVE_RETRY_MS);
        return false;
      }
      if (batch.length === 1) return true;
      for (const [index, entry] of batch.entries()) {
        if (!(await this.#send([entry]))) {
          this.#queue.splice(1, 0, ...batch.slice(index + 1));
          return false;
        }
      }
      return true;
    }
  }
}

/** The longest prefix of the queue that fits one request. */
function takeBatch(queue: SealedEntry[]): SealedEntry[] {
  let size = 0;
  let count = 0;
  for (const item of queue) {
    if (count === MAX_ARCHIVE_ENTRIES_PER_UPLOAD) break;
    if (count > 0 && size + item.entry.length > MAX_BATCH_ENCODED_CHARS) break;
    size += item.entry.length;
    count++;
  }
  return queue.splice(0, count);
}

function sameSender(entry: ArchiveEntry, event: ConversationEvent): boolean {
  return entry.senderId === event.senderId && entry.senderDeviceId === event.senderDeviceId;
}

/**
 * A device without keys (new, or its browser storage wiped) takes the user's identity and archive keys from the
 * backup and keeps them. The identity must be the one the server has registered: a backup from before an
 * identity reset would sign this device into a list nobody accepts.
 */
export async function restoreDeviceKeys(
  http: EnletsHttpClient,
  store: E2eeStore,
  input: { readonly userId: string; readonly passphrase: string; readonly registeredIdentityKey: string },
): Promise<IdentityKeyPair> {
  const { identity, archiveKey } = await restoreRecoveryKeys(http, input.userId, input.passphrase);
  try {
    if (toBase64Url(identity.publicKey) !== input.registeredIdentityKey) {
      identity.destroy();
      throw new RecoveryUnavailableError(
        'the recovery backup holds an older identity key than the one registered for this account',
      );
    }
    await store.putSecret('identity', identity.exportPrivateKey().exposeBytes());
    await store.putSecret('archive', archiveKey.exposeBytes());
    return identity;
  } finally {
    archiveKey.destroy();
  }
}
