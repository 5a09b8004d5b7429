import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { concatBytes, fromUtf8, lengthPrefixed, splitLengthPrefixed, uint64, utf8 } from './bytes.js';
import { IDENTITY_PRIVATE_KEY_BYTES, IdentityKeyPair } from './identity.js';
import { SecretBytes } from './secret.js';

/**
 * Recovery without anyone online (docs/decisions/0012-recovery.md): a passphrase, stretched with Argon2id,
 * encrypts a backup of the user's identity private key and history archive key that the server keeps; the
 * archive key encrypts each message a device of the user decrypted, so a new device gets its history back.
 *
 * The server holds only ciphertext, so it cannot limit guesses: an attacker with a copy of the database guesses
 * offline. What protects the backup is the cost of each guess (Argon2id, m = 64 MiB) times the size of the
 * passphrase space, hence the generated 120-bit recovery code.
 */

/** Argon2id cost: memory in KiB, passes, lanes (RFC 9106 names m, t, p). Stored in each backup's header. */
export interface RecoveryKdfParams {
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
}

/**
 * What new backups use: RFC 9106's second recommended option with one lane (pure JS has no threads to use more)
 * — m = 64 MiB, t = 3, p = 1. Measured in Node 20 with @noble/hashes 2.0.1: ≈ 2.5 s of CPU on this machine's
 * cores (ADR 0012 has the figures); a guess costs an attacker 64 MiB of memory for as long.
 */
export const RECOVERY_KDF_DEFAULT: RecoveryKdfParams = { memoryKiB: 65_536, iterations: 3, parallelism: 1 };
/** OWASP's weakest recommended Argon2id setting (m = 19 MiB, t = 2): nothing below it is made or opened. */
export const RECOVERY_KDF_MIN: RecoveryKdfParams = { memoryKiB: 19_456, iterations: 2, parallelism: 1 };
/** A header may not ask for more than this: a forged backup must not make a device allocate gigabytes. */
export const RECOVERY_KDF_MAX: RecoveryKdfParams = { memoryKiB: 1_048_576, iterations: 16, parallelism: 8 };

export const RECOVERY_SALT_BYTES = 16;
/** XChaCha20-Poly1305: a 192-bit nonce is safe to draw at random for every message, and a 128-bit tag. */
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
export const ARCHIVE_KEY_BYTES = 32;
/** The longest encoded backup (the user id is at most 255 bytes of UTF-8). */
export const MAX_RECOVERY_BACKUP_BYTES = 512;
/** The largest content an archive entry holds: a message payload's plaintext is never larger. */
export const MAX_ARCHIVE_CONTENT_BYTES = 65_536;
const MAX_ARCHIVE_ID_BYTES = 128;
/** The largest sealed archive entry: version, nonce, tag and the length-prefixed sender ids and content. */
export const MAX_ARCHIVE_ENTRY_BYTES =
  1 + NONCE_BYTES + TAG_BYTES + 12 + 2 * MAX_ARCHIVE_ID_BYTES + MAX_ARCHIVE_CONTENT_BYTES;

/** Minimum length (in characters) of a passphrase the user chose instead of the generated code. */
export const MIN_RECOVERY_PASSPHRASE_CHARS = 16;

const MAGIC = utf8('ENRB');
const BACKUP_VERSION = 1;
const KDF_ARGON2ID_13 = 1;
const ARCHIVE_VERSION = 1;
const ARCHIVE_LABEL = utf8('enlets/archive-entry/v1');
const KEY_BYTES = 32;
/** Magic, version, KDF id, m (u32), t (u32), p (u8), salt, user id length (u8). */
const FIXED_HEADER_BYTES = 4 + 1 + 1 + 4 + 4 + 1 + RECOVERY_SALT_BYTES + 1;
const SECRET_PLAINTEXT_BYTES = IDENTITY_PRIVATE_KEY_BYTES + ARCHIVE_KEY_BYTES;

/**
 * The passphrase does not open the backup. Deliberately the same error when the backup was altered (its header
 * is authenticated): telling the two apart would only help someone who tampers with it.
 */
export class WrongPassphraseError extends Error {
  override readonly name = 'WrongPassphraseError';
  constructor() {
    super('the recovery passphrase is wrong, or the backup was altered');
  }
}

/** The bytes are not a recovery backup this version can read, or it belongs to another user. */
export class RecoveryFormatError extends Error {
  override readonly name = 'RecoveryFormatError';
}

/** What a backup's header says, readable without the passphrase (it is authenticated when the backup opens). */
export interface RecoveryBackupHeader {
  readonly version: number;
  readonly kdf: RecoveryKdfParams;
  readonly salt: Uint8Array;
  readonly userId: string;
}

/** What a backup protects. The caller owns both secrets and should destroy them when done. */
export interface RecoveredKeys {
  readonly identity: IdentityKeyPair;
  readonly archiveKey: SecretBytes;
}

/** A fresh random history archive key (one per user; it travels to new devices only inside the backup). */
export function generateArchiveKey(): SecretBytes {
  return new SecretBytes(randomBytes(ARCHIVE_KEY_BYTES));
}

/**
 * Encrypts the identity private key and the archive key under the passphrase. The header (format version, KDF
 * parameters, a fresh random salt, the user id) is the AEAD's associated data, so none of it can be changed
 * without the backup failing to open. Takes as long as one Argon2id derivation.
 *
 * @example
 * ```ts
 * const code = generateRecoveryCode(); // show once: "7K2M-…"
 * const bytes = await createRecoveryBackup({ userId, identity, archiveKey, passphrase: code });
 * // PUT /e2ee/backup { backup: base64url(bytes), expectedVersion }
 * ```
 */
export async function createRecoveryBackup(input: {
  readonly userId: string;
  readonly identity: IdentityKeyPair;
  readonly archiveKey: SecretBytes;
  readonly passphrase: string;
  readonly kdf?: RecoveryKdfParams;
}): Promise<Uint8Array> {
  const kdf = input.kdf ?? RECOVERY_KDF_DEFAULT;
  if (!kdfWithinBounds(kdf)) throw new RangeError('recovery KDF parameters are outside the allowed range');
  if (input.archiveKey.length !== ARCHIVE_KEY_BYTES)
    throw new RangeError(`the archive key must be ${String(ARCHIVE_KEY_BYTES)} bytes`);
  const header = encodeHeader({
    version: BACKUP_VERSION,
    kdf,
    salt: randomBytes(RECOVERY_SALT_BYTES),
    userId: input.userId,
  });
  const key = await deriveKey(input.passphrase, header.salt, kdf);
  const identitySeed = input.identity.exportPrivateKey();
  const plaintext = concatBytes([identitySeed.exposeBytes(), input.archiveKey.exposeBytes()]);
  try {
    const nonce = randomBytes(NONCE_BYTES);
    const sealed = xchacha20poly1305(key.exposeBytes(), nonce, header.bytes).encrypt(plaintext);
    return concatBytes([header.bytes, nonce, sealed]);
  } finally {
    plaintext.fill(0);
    identitySeed.destroy();
    key.destroy();
  }
}

/**
 * Opens a backup of `userId` with the passphrase. Throws WrongPassphraseError when the passphrase is wrong or
 * anything in the backup was altered, RecoveryFormatError when the bytes are not a backup of this user in a
 * format and within KDF bounds this version accepts (checked before any expensive work).
 */
export async function openRecoveryBackup(
  bytes: Uint8Array,
  passphrase: string,
  userId: string,
): Promise<RecoveredKeys> {
  const { header, headerBytes } = decodeHeader(bytes);
  if (header.userId !== userId) throw new RecoveryFormatError('the backup belongs to another user');
  const body = bytes.subarray(headerBytes.length);
  const key = await deriveKey(passphrase, header.salt, header.kdf);
  let plaintext: Uint8Array;
  try {
    plaintext = xchacha20poly1305(key.exposeBytes(), body.subarray(0, NONCE_BYTES), headerBytes).decrypt(
      body.subarray(NONCE_BYTES),
    );
  } catch {
    throw new WrongPassphraseError();
  } finally {
    key.destroy();
  }
  const identity = IdentityKeyPair.fromPrivateKey(
    SecretBytes.copyOf(plaintext.subarray(0, IDENTITY_PRIVATE_KEY_BYTES)),
  );
  const archiveKey = SecretBytes.copyOf(plaintext.subarray(IDENTITY_PRIVATE_KEY_BYTES));
  plaintext.fill(0);
  return { identity, archiveKey };
}

/**
 * The header of a backup (user id, KDF cost), e.g. to tell the user how long opening will take, or for the
 * server to check an upload is a well-formed backup of the uploader. Throws RecoveryFormatError otherwise.
 */
export function readRecoveryBackupHeader(bytes: Uint8Array): RecoveryBackupHeader {
  return decodeHeader(bytes).header;
}

// ---- passphrases ----------------------------------------------------------------------------------------

/** Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper is hard to get wrong. */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_CHARS = 24;
const CODE_GROUP = 4;
/** A code as normalizeRecoveryPassphrase leaves it: exactly CODE_CHARS symbols of CODE_ALPHABET. */
const RECOVERY_CODE = /^[0-9A-HJKMNP-TV-Z]{24}$/;

/**
 * A generated recovery code: 24 base32 characters (120 random bits) in groups of four, e.g.
 * `7K2M-Q9XD-…`. At 120 bits even a billion Argon2id guesses a second would need ~10^19 years on average.
 */
export function generateRecoveryCode(): string {
  const random = randomBytes(CODE_CHARS);
  // 256 is a multiple of 32, so the low five bits of a uniform byte are uniform: no modulo bias.
  const chars = Array.from(random, (byte) => CODE_ALPHABET.charAt(byte & 31));
  random.fill(0);
  const groups: string[] = [];
  for (let i = 0; i < CODE_CHARS; i += CODE_GROUP) groups.push(chars.slice(i, i + CODE_GROUP).join(''));
  return groups.join('-');
}

/**
 * The exact string that is stretched. A recovery code is accepted in any case, with or without separators, and
 * with the letters people confuse with digits (O, I, L); any other passphrase is taken as typed, only in Unicode
 * NFKC form so the same words typed on another keyboard give the same key.
 */
export function normalizeRecoveryPassphrase(passphrase: string): string {
  const compact = passphrase.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (RECOVERY_CODE.test(compact)) return compact;
  return passphrase.normalize('NFKC');
}

export type PassphraseVerdict =
  | { readonly ok: true; readonly generated: boolean }
  | { readonly ok: false; readonly reason: 'too-short' | 'too-repetitive' };

/**
 * Whether a passphrase may protect a backup: a recovery code always; a passphrase of the user's own only with
 * at least MIN_RECOVERY_PASSPHRASE_CHARS characters and some variety. This is a floor, not an estimate of
 * strength: a sentence people can guess is still weak, which is why the app offers the generated code first.
 */
export function checkRecoveryPassphrase(passphrase: string): PassphraseVerdict {
  const normalized = normalizeRecoveryPassphrase(passphrase);
  if (RECOVERY_CODE.test(normalized)) return { ok: true, generated: true };
  // Code points, not UTF-16 units: a passphrase in Greek or with emoji counts what people typed.
  const chars = Array.from(normalized.trim());
  if (chars.length < MIN_RECOVERY_PASSPHRASE_CHARS) return { ok: false, reason: 'too-short' };
  if (new Set(chars).size < 6) return { ok: false, reason: 'too-repetitive' };
  return { ok: true, generated: false };
}

// ---- history archive ----------------------------------------------------------------------------------

/** One message as a device of the user read it, for the archive (the sender is kept so it cannot be swapped). */
export interface ArchiveEntry {
  readonly conversationId: string;
  readonly seq: number;
  readonly senderId: string;
  readonly senderDeviceId: string;
  readonly content: Uint8Array;
}

/**
 * Seals one entry under the archive key. The conversation id and seq are associated data: the server stores
 * them next to the entry in the clear (it knows them anyway) and cannot move an entry to another place.
 */
export function sealArchiveEntry(archiveKey: SecretBytes, entry: ArchiveEntry): Uint8Array {
  if (entry.content.length > MAX_ARCHIVE_CONTENT_BYTES)
    throw new RangeError(`archive content is larger than ${String(MAX_ARCHIVE_CONTENT_BYTES)} bytes`);
  const senderId = utf8(entry.senderId);
  const senderDeviceId = utf8(entry.senderDeviceId);
  if (senderId.length > MAX_ARCHIVE_ID_BYTES || senderDeviceId.length > MAX_ARCHIVE_ID_BYTES)
    throw new RangeError('archive sender ids are too long');
  const plaintext = lengthPrefixed([senderId, senderDeviceId, entry.content]);
  const nonce = randomBytes(NONCE_BYTES);
  const sealed = xchacha20poly1305(
    archiveKey.exposeBytes(),
    nonce,
    archiveAad(entry.conversationId, entry.seq),
  ).encrypt(plaintext);
  plaintext.fill(0);
  return concatBytes([Uint8Array.of(ARCHIVE_VERSION), nonce, sealed]);
}

/**
 * Opens an entry that the server says is at (conversationId, seq); undefined when it is not authentic there
 * (another key, altered, or moved from elsewhere). Never throws on hostile bytes.
 */
export function openArchiveEntry(
  archiveKey: SecretBytes,
  bytes: Uint8Array,
  place: { readonly conversationId: string; readonly seq: number },
): ArchiveEntry | undefined {
  if (bytes.length > MAX_ARCHIVE_ENTRY_BYTES || bytes.length < 1 + NONCE_BYTES + TAG_BYTES) return undefined;
  if (bytes[0] !== ARCHIVE_VERSION) return undefined;
  let plaintext: Uint8Array;
  try {
    plaintext = xchacha20poly1305(
      archiveKey.exposeBytes(),
      bytes.subarray(1, 1 + NONCE_BYTES),
      archiveAad(place.conversationId, place.seq),
    ).decrypt(bytes.subarray(1 + NONCE_BYTES));
  } catch {
    return undefined;
  }
  const parts = splitLengthPrefixed(plaintext);
  if (parts?.length !== 3) return undefined;
  const [senderId, senderDeviceId, content] = parts as [Uint8Array, Uint8Array, Uint8Array];
  try {
    return {
      conversationId: place.conversationId,
      seq: place.seq,
      senderId: fromUtf8(senderId),
      senderDeviceId: fromUtf8(senderDeviceId),
      content: Uint8Array.from(content),
    };
  } catch {
    return undefined;
  }
}

function archiveAad(conversationId: string, seq: number): Uint8Array {
  if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError('seq must be a positive integer');
  return lengthPrefixed([ARCHIVE_LABEL, utf8(conversationId), uint64(seq)]);
}

// ---- encoding and key derivation ------------------------------------------------------------------------

function encodeHeader(header: RecoveryBackupHeader): RecoveryBackupHeader & { bytes: Uint8Array } {
  const userId = utf8(header.userId);
  if (userId.length < 1 || userId.length > 255) throw new RangeError('the user id must be 1 to 255 bytes');
  const bytes = new Uint8Array(FIXED_HEADER_BYTES + userId.length);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  bytes[4] = header.version;
  bytes[5] = KDF_ARGON2ID_13;
  view.setUint32(6, header.kdf.memoryKiB);
  view.setUint32(10, header.kdf.iterations);
  bytes[14] = header.kdf.parallelism;
  bytes.set(header.salt, 15);
  bytes[15 + RECOVERY_SALT_BYTES] = userId.length;
  bytes.set(userId, FIXED_HEADER_BYTES);
  return { ...header, bytes };
}

function decodeHeader(bytes: Uint8Array): { header: RecoveryBackupHeader; headerBytes: Uint8Array } {
  if (bytes.length > MAX_RECOVERY_BACKUP_BYTES) throw new RecoveryFormatError('the backup is too large');
  if (bytes.length < FIXED_HEADER_BYTES) throw new RecoveryFormatError('the backup is truncated');
  if (!MAGIC.every((b, i) => bytes[i] === b)) throw new RecoveryFormatError('not a recovery backup');
  if (bytes[4] !== BACKUP_VERSION)
    throw new RecoveryFormatError(`unsupported backup version ${String(bytes[4])}`);
  if (bytes[5] !== KDF_ARGON2ID_13) throw new RecoveryFormatError('unsupported key derivation');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kdf: RecoveryKdfParams = {
    memoryKiB: view.getUint32(6),
    iterations: view.getUint32(10),
    parallelism: bytes[14] ?? 0,
  };
  if (!kdfWithinBounds(kdf))
    throw new RecoveryFormatError('the backup asks for KDF parameters out of bounds');
  const userIdLength = bytes[15 + RECOVERY_SALT_BYTES] ?? 0;
  const headerLength = FIXED_HEADER_BYTES + userIdLength;
  if (userIdLength === 0) throw new RecoveryFormatError('the backup names no user');
  if (bytes.length !== headerLength + NONCE_BYTES + SECRET_PLAINTEXT_BYTES + TAG_BYTES)
    throw new RecoveryFormatError('the backup has the wrong length');
  let userId: string;
  try {
    userId = fromUtf8(bytes.subarray(FIXED_HEADER_BYTES, headerLength));
  } catch (cause) {
    throw new RecoveryFormatError('the backup names no valid user id', { cause });
  }
  return {
    header: {
      version: BACKUP_VERSION,
      kdf,
      salt: Uint8Array.from(bytes.subarray(15, 15 + RECOVERY_SALT_BYTES)),
      userId,
    },
    headerBytes: bytes.subarray(0, headerLength),
  };
}

function kdfWithinBounds(kdf: RecoveryKdfParams): boolean {
  const within = (value: number, min: number, max: number): boolean =>
    Number.isInteger(value) && value >= min && value <= max;
  return (
    within(kdf.memoryKiB, RECOVERY_KDF_MIN.memoryKiB, RECOVERY_KDF_MAX.memoryKiB) &&
    within(kdf.iterations, RECOVERY_KDF_MIN.iterations, RECOVERY_KDF_MAX.iterations) &&
    within(kdf.parallelism, RECOVERY_KDF_MIN.parallelism, RECOVERY_KDF_MAX.parallelism) &&
    kdf.memoryKiB >= 8 * kdf.parallelism
  );
}

/**
 * Argon2id through the async variant so a caller's event loop is not held for the whole derivation. In a
 * browser it still runs in the MLS Web Worker (ADR 0012: @noble/hashes 2.0.1 yields only to microtasks).
 */
async function deriveKey(passphrase: string, salt: Uint8Array, kdf: RecoveryKdfParams): Promise<SecretBytes> {
  const password = utf8(normalizeRecoveryPassphrase(passphrase));
  try {
    const key = await argon2idAsync(password, salt, {
      m: kdf.memoryKiB,
      t: kdf.iterations,
      p: kdf.parallelism,
      dkLen: KEY_BYTES,
      maxmem: RECOVERY_KDF_MAX.memoryKiB * 1024,
    });
    return new SecretBytes(key);
  } finally {
    password.fill(0);
  }
}
