import type { Readable } from 'node:stream';

/** An inclusive byte range of a blob, as HTTP Range counts it. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Where attachment bytes live. The bytes are opaque (encrypted by the client) and this interface knows nothing
 * of users, conversations or quotas: the database is the source of truth for which uploads and blobs exist, and
 * this store only holds their bytes. It is kept small on purpose so that an S3-compatible store can implement
 * it (chunks as temporary objects or multipart parts, `assemble` as a completed multipart upload, `read` as a
 * ranged GET); see docs/decisions/0009-attachments.md.
 *
 * Ids are UUIDs checked by the caller; implementations must still refuse anything else (no path tricks).
 */
export interface BlobStore {
  /** Stores chunk `index` of an upload durably. Storing the same index again replaces it (retries are fine). */
  putChunk(uploadId: string, index: number, bytes: Uint8Array): Promise<void>;
  /**
   * Concatenates chunks 0 … chunkCount-1 of an upload into the blob `blobId` and returns its size. The blob
   * becomes visible atomically and durably: a crash leaves either no blob or the whole blob, never a part.
   * The chunks stay until `deleteUpload`.
   */
  assemble(uploadId: string, chunkCount: number, blobId: string): Promise<number>;
  /** A stream of the blob's bytes (all, or one range), read with bounded memory. */
  read(blobId: string, range?: ByteRange): Promise<Readable>;
  /** The blob's size in bytes, or undefined when there is no such blob. */
  size(blobId: string): Promise<number | undefined>;
  /** Removes a blob; removing a missing blob is not an error. */
  deleteBlob(blobId: string): Promise<void>;
  /** Removes every chunk of an upload; removing a missing upload is not an error. */
  deleteUpload(uploadId: string): Promise<void>;
  /** Ids of the uploads that have chunks stored (to sweep chunks whose upload the database no longer has). */
  listUploads(): Promise<readonly string[]>;
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Refuses anything but a lower-case UUID, so an id can never name a path outside the store. */
export function checkStoreId(id: string): string {
  if (!ID.test(id)) throw new Error(`not a blob or upload id: ${JSON.stringify(id)}`);
  return id;
}
