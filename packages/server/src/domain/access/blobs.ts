import type { Readable } from 'node:stream';
import type { TimestampMs, UploadStatus } from '@enlets/protocol';
import type { ByteRange } from '../../blobs/blob-store.js';
import {
  findBlob,
  findUpload,
  isBlobVisibleTo,
  listUploadChunks,
  type BlobRecord,
  type UploadRecord,
} from '../../storage/repositories/blobs.js';
import type { Db } from '../../storage/repositories/users.js';
import type { Actor } from '../actor.js';
import { notFound } from '../errors.js';
import type { Services } from '../services.js';

/** How many chunks an upload of `size` bytes has. */
export function chunkCountOf(upload: Pick<UploadRecord, 'size' | 'chunkSize'>): number {
  return Math.ceil(upload.size / upload.chunkSize);
}

/**
 * An open upload of the actor's. Someone else's upload, an expired one and an unknown id all answer NOT_FOUND
 * alike: upload ids are the uploader's alone.
 */
export async function accessUpload(
  db: Db,
  actor: Actor,
  uploadId: string,
  now: TimestampMs,
): Promise<UploadRecord> {
  const upload = await findUpload(db, uploadId);
  if (upload === undefined || upload.userId !== actor.user.id || upload.expiresAt <= now) {
    throw notFound('upload');
  }
  return upload;
}

/** Where the actor's upload stands, so a client can resume it after a disconnect. */
export async function getUploadStatus(
  services: Services,
  actor: Actor,
  uploadId: string,
): Promise<UploadStatus> {
  const upload = await accessUpload(services.db, actor, uploadId, services.clock.now());
  return uploadStatus(upload, await listUploadChunks(services.db, upload.id));
}

export function uploadStatus(upload: UploadRecord, receivedChunks: readonly number[]): UploadStatus {
  return {
    uploadId: upload.id,
    conversationId: upload.conversationId,
    size: upload.size,
    chunkSize: upload.chunkSize,
    chunkCount: chunkCountOf(upload),
    receivedChunks: [...receivedChunks],
    expiresAt: upload.expiresAt,
  };
}

/**
 * A blob the actor may download: they uploaded it, or they are a member of a conversation in which a message
 * they can see (undeleted, unexpired, after their visibility horizon) carries it. Anyone else gets NOT_FOUND,
 * exactly as for an unknown id.
 */
export async function accessBlob(services: Services, actor: Actor, blobId: string): Promise<BlobRecord> {
  const blob = await findBlob(services.db, blobId);
  if (blob === undefined) throw notFound('blob');
  if (blob.uploaderId === actor.user.id) return blob;
  if (await isBlobVisibleTo(services.db, blobId, actor.user.id, services.clock.now())) return blob;
  throw notFound('blob');
}

/** The bytes of a blob `accessBlob` returned, whole or one range, as a stream (bounded memory). */
export function readBlob(services: Services, blob: BlobRecord, range?: ByteRange): Promise<Readable> {
  return services.blobs.read(blob.id, range);
}
