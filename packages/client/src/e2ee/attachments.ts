import {
  AttachmentDecryptionError,
  AttachmentKey,
  decryptAttachment,
  encryptAttachment,
  type ByteReader,
  type ByteReadResult,
  type ByteSource,
  type ByteStream,
} from '@enlets/crypto';
import type { CompleteUploadResponse, CreateUploadRequest, UploadStatus } from '@enlets/protocol';
import type { ByteStreamLike, EnletsHttpClient } from '../api/http.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from '../backoff.js';
import { classifyFailure } from '../errors.js';
import { sleep } from '../runtime.js';
import type { FileReference } from './content.js';

/**
 * End-to-end encrypted files over the server's chunked upload and ranged download (ADR 0009): the file is
 * encrypted on this device under a key of its own (`@enlets/crypto` attachments, age format), the server
 * receives and serves ciphertext only, and the key, name and type travel in the returned descriptor, which the
 * caller puts inside the MLS-encrypted message. Both directions stream: memory holds one upload chunk (the
 * server's `chunkSize`, 1 MiB by default) and a few 64 KiB cipher chunks, whatever the file size.
 */

/** What a message carries about one attached file (the `files` content's reference); the server never sees it. */
export type AttachmentDescriptor = FileReference;

/**
 * What a reader needs of a descriptor. The ciphertext's size and digest are optional so that a reference from
 * a client that does not send them still opens; when present they are checked.
 */
export type IncomingAttachment = Pick<AttachmentDescriptor, 'blobId' | 'fileKey' | 'size'> &
  Partial<Pick<AttachmentDescriptor, 'ciphertextSize' | 'sha256'>>;

/** A file to send: its bytes as a stream (`File.stream()`, a Node stream turned web) and what the reader sees. */
export interface OutgoingAttachment {
  readonly conversationId: string;
  readonly name: string;
  readonly mimeType: string;
  /** Exact plaintext length; the upload is opened for it and a source yielding another length fails. */
  readonly size: number;
  readonly data: ByteSource;
}

export interface AttachmentTransferOptions {
  /** Delay between attempts after a transient failure (network, 5xx, rate limit). */
  readonly backoff?: BackoffPolicy;
  /** Attempts per chunk upload, per completion and per download resumption before giving up (default 8). */
  readonly maxAttempts?: number;
  /** Upload chunks on the wire at once (default 3): storing one overlaps encrypting the next. */
  readonly parallelChunks?: number;
  /** Called after each chunk up or each piece down, with ciphertext bytes done and the total. */
  readonly onProgress?: (doneBytes: number, totalBytes: number) => void;
}

const DEFAULT_ATTEMPTS = 8;
const DEFAULT_PARALLEL_CHUNKS = 3;

/**
 * Encrypts a file and uploads the ciphertext in the server's chunks, a few on the wire at once; a chunk that
 * fails for a transient reason is sent again (a chunk PUT is idempotent) after a backoff, so a dropped
 * connection resumes where it stopped. Memory: `parallelChunks` chunks of the server's `chunkSize`.
 * The upload is opened once: if that fails, `file.data` is cancelled and the call can be repeated with a
 * fresh stream (a new key, a new ciphertext).
 *
 * @example
 * const descriptor = await encryptAndUploadAttachment(http, {
 *   conversationId, name: file.name, mimeType: file.type, size: file.size, data: file.stream(),
 * });
 * await messenger.send(conversationId, encodeContent({ type: 'files', files: [descriptor] }),
 *   { attachments: [descriptor.blobId] });
 */
export async function encryptAndUploadAttachment(
  http: EnletsHttpClient,
  file: OutgoingAttachment,
  options: AttachmentTransferOptions = {},
): Promise<AttachmentDescriptor> {
  const encrypted = await encryptAttachment(file.data, file.size);
  const total = encrypted.ciphertextSize;
  const chunks = new ChunkReader(encrypted.ciphertext.getReader());
  const request: CreateUploadRequest = { size: total, conversationId: file.conversationId };
  let upload: UploadStatus;
  try {
    upload = await http.post<UploadStatus>('/uploads', request);
    if (upload.chunkCount !== Math.ceil(total / upload.chunkSize))
      throw new Error('the server announced a chunk layout that does not fit the file');
  } catch (error) {
    await chunks.cancel(error);
    throw error;
  }
  const inFlight = new Set<Promise<void>>();
  let uploaded = 0;
  let failure: { readonly error: unknown } | undefined;
  const send = (index: number, body: Uint8Array<ArrayBuffer>): Promise<void> => {
    const path = `/uploads/${upload.uploadId}/chunks/${String(index)}`;
    const sending = retrying(options, () => http.requestBinary('PUT', path, { body })).then(
      () => {
        uploaded += body.length;
        options.onProgress?.(uploaded, total);
      },
      (error: unknown) => {
        failure ??= { error };
      },
    );
    const tracked = sending.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    return tracked;
  };
  try {
    let read = 0;
    for (let index = 0; index < upload.chunkCount && failure === undefined; index += 1) {
      const body = await chunks.next(Math.min(upload.chunkSize, total - read));
      read += body.length;
      void send(index, body);
      // The next chunk is encrypted while these are on the wire and being stored.
      while (inFlight.size >= (options.parallelChunks ?? DEFAULT_PARALLEL_CHUNKS))
        await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure.error;
    // Reading the end is what finishes the ciphertext's digest (and proves the source had the announced size).
    await chunks.end();
  } catch (error) {
    await Promise.all(inFlight);
    await chunks.cancel(error);
    throw error;
  }
  const completed = await retrying(options, () =>
    http.post<CompleteUploadResponse>(`/uploads/${upload.uploadId}/complete`),
  );
  return {
    blobId: completed.blobId,
    fileKey: encrypted.key.exposeText(),
    name: file.name,
    mimeType: file.mimeType,
    size: file.size,
    ciphertextSize: total,
    sha256: encrypted.ciphertextSha256(),
  };
}

/**
 * Downloads an attachment and decrypts it as it arrives. A connection lost mid-way is resumed with a Range
 * request from the last byte received. The promise rejects if the blob cannot be fetched or its header does
 * not open with the key; any later problem (tampering, truncation, another file than the message announced)
 * errors the stream with `AttachmentDecryptionError`. Treat the file as received only when the stream closes
 * without an error: the last chunk, and so the proof of completeness, comes at the end.
 *
 * @throws AttachmentKeyFormatError, AttachmentDecryptionError, EnletsApiError
 */
export async function downloadAndDecryptAttachment(
  http: EnletsHttpClient,
  descriptor: IncomingAttachment,
  options: AttachmentTransferOptions = {},
): Promise<ByteStream> {
  const key = AttachmentKey.fromText(descriptor.fileKey);
  const blob = new ResumableBlob(http, descriptor.blobId, descriptor.ciphertextSize, options);
  return decryptAttachment(blob, key, {
    plaintextSize: descriptor.size,
    ...(descriptor.ciphertextSize === undefined ? {} : { ciphertextSize: descriptor.ciphertextSize }),
    ...(descriptor.sha256 === undefined ? {} : { ciphertextSha256: descriptor.sha256 }),
  });
}

/** Runs `attempt` until it succeeds, retrying transient failures with backoff. */
async function retrying<T>(options: AttachmentTransferOptions, attempt: () => Promise<T>): Promise<T> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_ATTEMPTS;
  for (let attempts = 1; ; attempts += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!retryable(error) || attempts >= maxAttempts) throw error;
      await sleep(backoffDelay(attempts, options.backoff ?? DEFAULT_BACKOFF));
    }
  }
}

/** A refused ciphertext stays refused; everything else `classifyFailure` calls transient is worth a retry. */
function retryable(error: unknown): boolean {
  return !(error instanceof AttachmentDecryptionError) && classifyFailure(error) === 'transient';
}

/** Cuts a byte stream into pieces of given lengths (the upload's chunks), copying each into a body of its own. */
class ChunkReader {
  readonly #reader: ByteReader;
  #pending: Uint8Array = new Uint8Array(0);

  constructor(reader: ByteReader) {
    this.#reader = reader;
  }

  async next(length: number): Promise<Uint8Array<ArrayBuffer>> {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      if (this.#pending.length === 0) {
        const result = await this.#reader.read();
        if (result.done) throw new Error('the ciphertext ended before the announced size');
        this.#pending = result.value;
      }
      const take = Math.min(length - filled, this.#pending.length);
      out.set(this.#pending.subarray(0, take), filled);
      this.#pending = this.#pending.subarray(take);
      filled += take;
    }
    return out;
  }

  async end(): Promise<void> {
    const result = await this.#reader.read();
    if (this.#pending.length > 0 || !result.done) throw new Error('the ciphertext is longer than announced');
  }

  async cancel(reason: unknown): Promise<void> {
    await this.#reader.cancel(reason).catch(() => undefined);
  }
}

/**
 * The bytes of one blob as a byte source that survives dropped connections: after a failure it asks again
 * for the rest (`Range: bytes=<received>-`) and goes on, so the decrypter downstream sees one unbroken stream.
 */
class ResumableBlob implements ByteSource {
  constructor(
    readonly http: EnletsHttpClient,
    readonly blobId: string,
    /** The blob's size if the message says it; otherwise the first answer's Content-Length. */
    readonly expectedSize: number | undefined,
    readonly options: AttachmentTransferOptions,
  ) {}

  getReader(): ByteReader {
    let size = this.expectedSize;
    let received = 0;
    let body: ReturnType<ByteStreamLike['getReader']> | undefined;

    const open = async (): Promise<ReturnType<ByteStreamLike['getReader']>> => {
      const resuming = received > 0;
      const response = await this.http.requestBinary('GET', `/blobs/${this.blobId}`, {
        headers: resuming ? { range: `bytes=${String(received)}-` } : {},
      });
      if (response.body === null) throw new Error('the download has no body');
      const length = Number(response.headers.get('content-length'));
      size ??= Number.isSafeInteger(length) && length > 0 ? length : undefined;
      const answered =
        size !== undefined &&
        (resuming
          ? response.status === 206 &&
            response.headers.get('content-range') ===
              `bytes ${String(received)}-${String(size - 1)}/${String(size)}`
          : response.status === 200 && length === size);
      if (!answered) {
        await response.body.getReader().cancel();
        throw new AttachmentDecryptionError('the blob is not the size the message announced');
      }
      return response.body.getReader();
    };

    const readMore = async (): Promise<ByteReadResult> => {
      // Everything arrived and only the end was lost: there is nothing left to ask for.
      if (body === undefined && received === size) return { done: true };
      body ??= await open();
      const result = await body.read();
      if (result.done) {
        body = undefined;
        // The server closed the response early: a transient failure, resumed from here.
        if (size === undefined || received < size) throw new Error('the download stopped early');
        return { done: true };
      }
      received += result.value.length;
      if (size !== undefined) this.options.onProgress?.(received, size);
      return result;
    };

    return {
      read: () =>
        retrying(this.options, async () => {
          try {
            return await readMore();
          } catch (error) {
            const broken = body;
            body = undefined;
            await broken?.cancel(error).catch(() => undefined);
            throw error;
          }
        }),
      cancel: async (reason) => {
        await body?.cancel(reason).catch(() => undefined);
        body = undefined;
      },
      releaseLock: () => undefined,
    };
  }
}
