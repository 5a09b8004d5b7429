import { sha256 } from '@noble/hashes/sha2.js';
import { Decrypter, Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { toHex } from './bytes.js';
import { REDACTED } from './secret.js';

/**
 * End-to-end encrypted attachments (issue 4 item 6, ADR 0009 for the transport). Each file is encrypted in the
 * age format (age-encryption, by the format's author) to a fresh X25519 identity of its own: the identity is
 * the file key, and it travels only inside the MLS-encrypted message that references the file. The payload is
 * ChaCha20-Poly1305 STREAM in 64 KiB chunks, each authenticated with its position and a last-chunk flag, so a
 * flipped bit, reordered or dropped chunks, a cut-off end and trailing bytes are all refused, and a 2 GB file
 * streams through with a few chunks in memory. On top of that the sender records the SHA-256 of the whole
 * ciphertext in the message: another member who knows the file key could otherwise make a different file under
 * it, and a server on their side could swap the blob.
 *
 * Streams are WHATWG streams, typed structurally (`ByteSource`, `ByteStream`) so that the SDK, which compiles
 * without DOM types, can hand them through. Pull-based with no read-ahead: a slow consumer slows the producer.
 *
 * Streaming decryption hands out each chunk once it is authenticated, before the end of the file is: a consumer
 * must treat the file as valid only once the stream has closed without an error, and discard what it wrote
 * otherwise (save under a temporary name, rename at the end).
 */

/** Plaintext bytes per authenticated chunk of the age payload (each chunk carries a 16-byte Poly1305 tag). */
export const ATTACHMENT_CHUNK_BYTES = 64 * 1024;

/** One read of a byte stream, as a WHATWG `ReadableStreamDefaultReader` answers it. */
export type ByteReadResult =
  | { readonly done: false; readonly value: Uint8Array }
  | { readonly done: true; readonly value?: Uint8Array | undefined };

export interface ByteReader {
  read(): Promise<ByteReadResult>;
  cancel(reason?: unknown): Promise<void>;
  releaseLock(): void;
}

/** Where bytes come from: any WHATWG `ReadableStream<Uint8Array>` (a `File.stream()`, a fetch body, …). */
export interface ByteSource {
  getReader(): ByteReader;
}

/** A stream this module returns: a real WHATWG `ReadableStream<Uint8Array>`, typed by what the SDK uses. */
export interface ByteStream extends ByteSource {
  cancel(reason?: unknown): Promise<void>;
}

/** The text form of a file key is not an age X25519 identity. */
export class AttachmentKeyFormatError extends Error {
  override readonly name = 'AttachmentKeyFormatError';
}

/**
 * The ciphertext was refused: the wrong key, a damaged or truncated header or chunk, bytes appended or cut
 * off, or a digest or size other than the message announced. Whatever was read before is not the file.
 */
export class AttachmentDecryptionError extends Error {
  override readonly name = 'AttachmentDecryptionError';
}

const X25519_IDENTITY_PREFIX = 'AGE-SECRET-KEY-1';
/** Bech32 of 32 bytes: 52 data characters and a 6-character checksum. */
const X25519_IDENTITY_LENGTH = X25519_IDENTITY_PREFIX.length + 58;
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * The key of one file: an age X25519 identity (`AGE-SECRET-KEY-1…`). Opaque like every key of this package:
 * printing or serialising it shows `[redacted]`; `exposeText()` is the one way out, for the message content.
 */
export class AttachmentKey {
  readonly #identity: string;

  private constructor(identity: string) {
    this.#identity = identity;
  }

  /** A fresh key, for one file only. */
  static async generate(): Promise<AttachmentKey> {
    return new AttachmentKey(await generateX25519Identity());
  }

  /**
   * Reads the text form from a received message. Only X25519 identities are accepted (the checksum is
   * checked), so a message cannot steer the reader into another kind of decryption.
   *
   * @throws AttachmentKeyFormatError
   */
  static fromText(text: string): AttachmentKey {
    if (text.length !== X25519_IDENTITY_LENGTH || !text.startsWith(X25519_IDENTITY_PREFIX))
      throw new AttachmentKeyFormatError('a file key is an age X25519 identity');
    try {
      new Decrypter().addIdentity(text);
    } catch {
      throw new AttachmentKeyFormatError('a file key is an age X25519 identity');
    }
    return new AttachmentKey(text);
  }

  /** The text form, to put inside the (end-to-end encrypted) message content and nowhere else. */
  exposeText(): string {
    return this.#identity;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [INSPECT](): string {
    return REDACTED;
  }
}

/** A file being encrypted: its key, and its ciphertext as a stream to upload. */
export interface EncryptedAttachment {
  readonly key: AttachmentKey;
  /** The age file, produced as it is read. */
  readonly ciphertext: ByteStream;
  /** Exact length of `ciphertext`, known before the first byte (an upload announces it). */
  readonly ciphertextSize: number;
  /**
   * SHA-256 of the whole ciphertext, lowercase hex, for the message. Known once `ciphertext` has been read to
   * its end; throws before that.
   */
  ciphertextSha256(): string;
}

/**
 * Encrypts a file of `plaintextSize` bytes under a fresh key. Nothing is read until the ciphertext is; the
 * ciphertext stream errors if the source yields more or fewer bytes than announced (the upload was opened for
 * that size).
 *
 * @example
 * const encrypted = await encryptAttachment(file.stream(), file.size);
 * await upload(encrypted.ciphertext, encrypted.ciphertextSize);
 * const reference = { fileKey: encrypted.key.exposeText(), sha256: encrypted.ciphertextSha256(), … };
 */
export async function encryptAttachment(
  plaintext: ByteSource,
  plaintextSize: number,
): Promise<EncryptedAttachment> {
  if (!Number.isSafeInteger(plaintextSize) || plaintextSize < 0)
    throw new RangeError('plaintextSize must be a non-negative safe integer');
  const key = await AttachmentKey.generate();
  const encrypter = new Encrypter();
  encrypter.addRecipient(await identityToRecipient(key.exposeText()));

  let plaintextRead = 0;
  const exactPlaintext = relay(plaintext, {
    chunk(bytes) {
      plaintextRead += bytes.length;
      if (plaintextRead > plaintextSize) throw new RangeError('the file is longer than announced');
      return bytes;
    },
    end() {
      if (plaintextRead !== plaintextSize) throw new RangeError('the file is shorter than announced');
    },
  });
  const encrypted = await encrypter.encrypt(exactPlaintext);
  const ciphertextSize = encrypted.size(plaintextSize);

  const hash = sha256.create();
  let digest: string | undefined;
  const ciphertext = relay(encrypted, {
    chunk(bytes) {
      hash.update(bytes);
      return bytes;
    },
    end() {
      digest = toHex(hash.digest());
    },
  });
  return {
    key,
    ciphertext,
    ciphertextSize,
    ciphertextSha256() {
      if (digest === undefined) throw new Error('the ciphertext has not been read to its end yet');
      return digest;
    },
  };
}

/** What the message says about the ciphertext; each given fact is checked, and a mismatch refuses the file. */
export interface AttachmentExpectations {
  /** Lowercase hex SHA-256 of the whole ciphertext. */
  readonly ciphertextSha256?: string;
  readonly ciphertextSize?: number;
  readonly plaintextSize?: number;
}

/**
 * Decrypts an age file with its key, as a stream. The header is checked before the promise resolves (a wrong
 * key or a damaged header rejects it); every later problem errors the returned stream with
 * `AttachmentDecryptionError`, at the latest when its end is read: only a stream that closes cleanly carried
 * the whole, authentic file (see the module comment).
 *
 * @throws AttachmentDecryptionError
 */
export async function decryptAttachment(
  ciphertext: ByteSource,
  key: AttachmentKey,
  expected: AttachmentExpectations = {},
): Promise<ByteStream> {
  const wantedDigest = expected.ciphertextSha256?.toLowerCase();
  const hash = sha256.create();
  let ciphertextRead = 0;
  const checkedCiphertext = relay(ciphertext, {
    chunk(bytes) {
      ciphertextRead += bytes.length;
      if (expected.ciphertextSize !== undefined && ciphertextRead > expected.ciphertextSize)
        throw new AttachmentDecryptionError('the ciphertext is longer than announced');
      if (wantedDigest !== undefined) hash.update(bytes);
      return bytes;
    },
    // Runs before the decrypter sees the end of its input, so a mismatch stops the last chunk from coming out.
    end() {
      if (expected.ciphertextSize !== undefined && ciphertextRead !== expected.ciphertextSize)
        throw new AttachmentDecryptionError('the ciphertext is shorter than announced');
      // The digest of public bytes: an ordinary comparison leaks nothing.
      if (wantedDigest !== undefined && toHex(hash.digest()) !== wantedDigest)
        throw new AttachmentDecryptionError('the ciphertext is not the one the message announced');
    },
  });

  const decrypter = new Decrypter();
  decrypter.addIdentity(key.exposeText());
  let decrypted: ByteSource;
  try {
    decrypted = await decrypter.decrypt(checkedCiphertext);
  } catch (cause) {
    await checkedCiphertext.cancel(cause).catch(() => undefined);
    throw asDecryptionError(cause);
  }

  let plaintextRead = 0;
  return relay(decrypted, {
    chunk(bytes) {
      plaintextRead += bytes.length;
      if (expected.plaintextSize !== undefined && plaintextRead > expected.plaintextSize)
        throw new AttachmentDecryptionError('the file is longer than the message announced');
      return bytes;
    },
    end() {
      if (expected.plaintextSize !== undefined && plaintextRead !== expected.plaintextSize)
        throw new AttachmentDecryptionError('the file is shorter than the message announced');
    },
    error: asDecryptionError,
  });
}

function asDecryptionError(cause: unknown): AttachmentDecryptionError {
  if (cause instanceof AttachmentDecryptionError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new AttachmentDecryptionError(`the attachment cannot be decrypted: ${detail}`, { cause });
}

interface RelayHooks {
  /** Sees each chunk in order and returns what to pass on; throwing errors the stream. */
  chunk(bytes: Uint8Array): Uint8Array;
  /** Runs when the source ends, before the stream closes; throwing errors the stream instead. */
  end(): void;
  /** Maps an error of the source or of a hook to the error the stream reports. */
  error?(cause: unknown): unknown;
}

/**
 * A real ReadableStream over any byte source, pulled one chunk per read (no read-ahead, so memory stays at a
 * chunk), with hooks to check and count what goes through. It is also how a structurally typed source becomes
 * the genuine ReadableStream age-encryption requires.
 */
function relay(source: ByteSource, hooks: RelayHooks): ReadableStream<Uint8Array> {
  let reader: ByteReader | undefined;
  const fail = (cause: unknown): unknown => (hooks.error === undefined ? cause : hooks.error(cause));
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        reader ??= source.getReader();
        try {
          for (;;) {
            const result = await reader.read();
            if (result.done) {
              hooks.end();
              controller.close();
              return;
            }
            // An empty chunk is legal and means nothing; a pull that enqueued nothing would never be repeated.
            if (result.value.length === 0) continue;
            controller.enqueue(hooks.chunk(result.value));
            return;
          }
        } catch (cause) {
          controller.error(fail(cause));
          await reader.cancel(cause).catch(() => undefined);
        }
      },
      async cancel(reason) {
        await (reader ?? source.getReader()).cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
