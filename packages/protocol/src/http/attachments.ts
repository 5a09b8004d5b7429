import { Type, type Static } from 'typebox';
import { TimestampMs } from '../ids.js';
import { StrictObject } from './common.js';
import { BlobIdSchema, ConversationIdSchema } from './messaging.js';

/**
 * Attachments transport: resumable, chunked upload and ranged download of opaque blobs. The bytes are
 * encrypted by the client (once E2EE lands) and the file name, type and key travel inside the message payload;
 * the server sees only ids, sizes and times (docs/security-model.md).
 *
 * @example
 * ```ts
 * // 1. POST /uploads {size, conversationId}            → {uploadId, chunkSize, chunkCount}
 * // 2. PUT /uploads/:uploadId/chunks/:index             body: application/octet-stream, any order, retry freely
 * //    (after a disconnect: GET /uploads/:uploadId     → {receivedChunks} and send the rest)
 * // 3. POST /uploads/:uploadId/complete                 → {blobId, size}
 * // 4. send a message with attachments: [blobId]; members download GET /blobs/:blobId (Range supported)
 * ```
 */
export const UploadIdSchema = Type.String({
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
  minLength: 36,
  maxLength: 36,
});

/** Announces an upload: its total size (limited by the server's per-file limit and quotas). */
export type CreateUploadRequest = Static<typeof CreateUploadRequest>;
export const CreateUploadRequest = StrictObject({
  /** Total bytes of the (encrypted) file. */
  size: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  /** The conversation the file will be sent to; the caller must be a member. */
  conversationId: ConversationIdSchema,
});

/** Where an upload stands: enough for a client to resume after a disconnect. */
export type UploadStatus = Static<typeof UploadStatus>;
export const UploadStatus = StrictObject({
  uploadId: UploadIdSchema,
  conversationId: ConversationIdSchema,
  size: Type.Integer({ minimum: 1 }),
  /** Every chunk but the last has exactly this many bytes; the last has the remainder. */
  chunkSize: Type.Integer({ minimum: 1 }),
  chunkCount: Type.Integer({ minimum: 1 }),
  /** Indexes of the chunks stored so far, ascending. */
  receivedChunks: Type.Array(Type.Integer({ minimum: 0 })),
  /** The upload is dropped if no chunk arrives before this time. */
  expiresAt: TimestampMs.Schema,
});

export type UploadParams = Static<typeof UploadParams>;
export const UploadParams = StrictObject({ id: UploadIdSchema });

export type UploadChunkParams = Static<typeof UploadChunkParams>;
export const UploadChunkParams = StrictObject({
  id: UploadIdSchema,
  index: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
});

export type CompleteUploadResponse = Static<typeof CompleteUploadResponse>;
export const CompleteUploadResponse = StrictObject({
  /** Reference it in a message's `attachments` (same conversation, same sender). */
  blobId: BlobIdSchema,
  size: Type.Integer({ minimum: 1 }),
});

export type BlobParams = Static<typeof BlobParams>;
export const BlobParams = StrictObject({ id: BlobIdSchema });
