import { randomUUID } from 'node:crypto';
import type {
  CompleteUploadResponse,
  CreateUploadRequest,
  EventKind,
  TimestampMs,
  UploadStatus,
} from '@enlets/protocol';
import { DAY_MS } from '../../lib/clock.js';
import { lockSequence } from '../../storage/dialects/index.js';
import {
  deleteUpload,
  extendUpload,
  findBlob,
  findUpload,
  insertBlob,
  insertEventAttachments,
  insertUpload,
  insertUploadChunk,
  listUploadChunks,
  storageUsed,
  touchBlobsCarriedBy,
  touchOwnBlobs,
  type UploadRecord,
} from '../../storage/repositories/blobs.js';
import { accessUpload, chunkCountOf, uploadStatus } from '../access/blobs.js';
import { accessConversationAsMember } from '../access/conversations.js';
import type { Actor } from '../actor.js';
import { DomainError, notFound } from '../errors.js';
import { inTransaction, type Services, type Trx } from '../services.js';

/** An upload without a new chunk for this long is abandoned; the collector removes it. */
const UPLOAD_TTL_MS = DAY_MS;

/** Serialises quota checks on PostgreSQL, so two concurrent uploads cannot both take the last free bytes. */
const QUOTA_LOCK_KEY = 0x424c4f42;

/**
 * Opens a resumable upload of `size` opaque bytes for a conversation the actor is a member of. The size must be
 * within the per-file limit, and the actor's and the conversation's storage (committed blobs plus open uploads)
 * must have room for it; otherwise QUOTA_EXCEEDED says which limit applied.
 */
export async function createUpload(
  services: Services,
  actor: Actor,
  request: CreateUploadRequest,
): Promise<UploadStatus> {
  const { config } = services;
  if (request.size > config.maxFileBytes) {
    throw quotaExceeded('file', config.maxFileBytes, 0, request.size);
  }
  return inTransaction(services, async (trx) => {
    await accessConversationAsMember(trx, actor, request.conversationId);
    await lockSequence(trx, services.dialect, QUOTA_LOCK_KEY);
    const now = services.clock.now();
    const byUser = await storageUsed(trx, { userId: actor.user.id }, now);
    if (byUser + request.size > config.userQuotaBytes) {
      throw quotaExceeded('user', config.userQuotaBytes, byUser, request.size);
    }
    const byConversation = await storageUsed(trx, { conversationId: request.conversationId }, now);
    if (byConversation + request.size > config.conversationQuotaBytes) {
      throw quotaExceeded('conversation', config.conversationQuotaBytes, byConversation, request.size);
    }
    const upload: UploadRecord = {
      id: randomUUID(),
      userId: actor.user.id,
      conversationId: request.conversationId,
      size: request.size,
      chunkSize: config.uploadChunkBytes,
      createdAt: now,
      expiresAt: now + UPLOAD_TTL_MS,
    };
    await insertUpload(trx, upload);
    return uploadStatus(upload, []);
  });
}

function quotaExceeded(
  quota: 'file' | 'user' | 'conversation',
  limitBytes: number,
  usedBytes: number,
  requestedBytes: number,
): DomainError {
  const what = {
    file: 'the per-file limit',
    user: 'your storage quota',
    conversation: 'the conversation’s quota',
  };
  return new DomainError('QUOTA_EXCEEDED', `the file would exceed ${what[quota]}`, {
    quota,
    limitBytes,
    usedBytes,
    requestedBytes,
  });
}

/**
 * Stores one chunk of the actor's upload. Chunks may come in any order and may be sent again (a retry after a
 * lost response stores the same bytes once more); every chunk but the last has exactly `chunkSize` bytes. Each
 * chunk moves the upload's expiry forward.
 */
export async function putUploadChunk(
  services: Services,
  actor: Actor,
  uploadId: string,
  index: number,
  bytes: Uint8Array,
): Promise<void> {
  const upload = await accessUpload(services.db, actor, uploadId, services.clock.now());
  const chunkCount = chunkCountOf(upload);
  if (index >= chunkCount) {
    throw new DomainError('VALIDATION_FAILED', `this upload has chunks 0 to ${String(chunkCount - 1)}`, {
      chunkCount,
    });
  }
  const expectedBytes = index === chunkCount - 1 ? upload.size - index * upload.chunkSize : upload.chunkSize;
  if (bytes.byteLength !== expectedBytes) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `chunk ${String(index)} must have ${String(expectedBytes)} bytes`,
      {
        expectedBytes,
        receivedBytes: bytes.byteLength,
      },
    );
  }
  // The bytes first, durably; the record that they are there second: a crash in between costs a retry only.
  await services.blobs.putChunk(upload.id, index, bytes);
  const recorded = await inTransaction(services, async (trx) => {
    const now = services.clock.now();
    if (!(await extendUpload(trx, upload.id, now, now + UPLOAD_TTL_MS))) return false;
    await insertUploadChunk(trx, upload.id, index);
    return true;
  });
  if (!recorded) {
    // Completed or collected meanwhile: drop what this request just wrote.
    await services.blobs.deleteUpload(upload.id);
    throw notFound('upload');
  }
}

/**
 * Assembles a complete upload into a blob the actor can reference from a message in the upload's conversation.
 * Missing chunks answer UPLOAD_INCOMPLETE with their indexes. Completing again (a retry after a lost response)
 * answers the same blob.
 */
export async function completeUpload(
  services: Services,
  actor: Actor,
  uploadId: string,
): Promise<CompleteUploadResponse> {
  const upload = await findUpload(services.db, uploadId);
  if (upload === undefined || upload.userId !== actor.user.id || upload.expiresAt <= services.clock.now()) {
    return completedEarlier(services, actor, uploadId);
  }
  const received = new Set(await listUploadChunks(services.db, upload.id));
  const chunkCount = chunkCountOf(upload);
  const missingChunks: number[] = [];
  for (let index = 0; index < chunkCount; index += 1) if (!received.has(index)) missingChunks.push(index);
  if (missingChunks.length > 0) {
    throw new DomainError('UPLOAD_INCOMPLETE', `${String(missingChunks.length)} chunk(s) are missing`, {
      missingChunks: missingChunks.slice(0, 1000),
      missingCount: missingChunks.length,
    });
  }
  // The blob takes the upload's id: a retried completion finds it, and the collector of an abandoned upload
  // knows which half-assembled blob to remove.
  const size = await services.blobs.assemble(upload.id, chunkCount, upload.id);
  if (size !== upload.size) {
    throw new Error(`assembled ${String(size)} bytes for an upload of ${String(upload.size)}`);
  }
  const committed = await inTransaction(services, async (trx) => {
    const now = services.clock.now();
    if (!(await deleteUpload(trx, upload.id, { aliveAt: now }))) return false;
    await insertBlob(trx, {
      id: upload.id,
      uploaderId: actor.user.id,
      conversationId: upload.conversationId,
      size,
      createdAt: now,
      touchedAt: now,
    });
    return true;
  });
  if (!committed) return completedEarlier(services, actor, uploadId);
  await services.blobs.deleteUpload(upload.id);
  return { blobId: upload.id, size };
}

/** A completion of an upload that is gone: fine if it became the actor's blob, NOT_FOUND otherwise. */
async function completedEarlier(
  services: Services,
  actor: Actor,
  uploadId: string,
): Promise<CompleteUploadResponse> {
  const blob = await findBlob(services.db, uploadId);
  if (blob?.uploaderId !== actor.user.id) throw notFound('upload');
  return { blobId: blob.id, size: blob.size };
}

/**
 * Where a forwarded message comes from. Its files are blobs of the source message, not the forwarder's uploads:
 * the copy may carry only blobs that this message (which the forwarder may see: `forwardEvent` checked) carries.
 */
export interface ForwardSource {
  readonly conversationId: string;
  readonly seq: number;
}

/**
 * Links the blobs a message carries to it, inside the send's transaction. Each blob must be complete and
 * uploaded by the sender for this conversation (INVALID_REFERENCE otherwise, with no hint which rule failed:
 * someone else's blob id must not be probeable). Only messages carry attachments, so that deleting the message
 * is what releases them to the collector. A forward (`forwardedFrom`) may instead carry blobs that its source
 * message carries, as long as that message is still undeleted and unexpired: whoever may read the source may
 * pass its files on, and nobody gains a blob they could not already download.
 */
export async function attachBlobs(
  trx: Trx,
  actor: Actor,
  event: {
    readonly conversationId: string;
    readonly seq: number;
    readonly kind: EventKind;
    readonly attachments: readonly string[];
  },
  now: TimestampMs,
  forwardedFrom?: ForwardSource,
): Promise<void> {
  if (event.attachments.length === 0) return;
  if (event.kind !== 'message') {
    throw new DomainError('INVALID_REFERENCE', 'only a message can carry attachments');
  }
  if (forwardedFrom !== undefined) {
    const carried = await touchBlobsCarriedBy(trx, event.attachments, forwardedFrom, now);
    if (carried !== event.attachments.length) {
      throw new DomainError('INVALID_REFERENCE', 'an attachment is not one the forwarded message carries');
    }
    await insertEventAttachments(trx, event.conversationId, event.seq, event.attachments);
    return;
  }
  const matched = await touchOwnBlobs(trx, event.attachments, actor.user.id, event.conversationId, now);
  if (matched !== event.attachments.length) {
    throw new DomainError(
      'INVALID_REFERENCE',
      'an attachment is unknown, not completely uploaded, or was not uploaded by you for this conversation',
    );
  }
  await insertEventAttachments(trx, event.conversationId, event.seq, event.attachments);
}
