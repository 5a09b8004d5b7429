import { Type, type Static } from 'typebox';
import { TimestampMs } from '../ids.js';
import { StrictObject } from './common.js';
import { ConversationIdSchema, Seq } from './messaging.js';

/**
 * Recovery without anyone online (docs/decisions/0012-recovery.md): each user's passphrase-encrypted backup of
 * their identity and archive keys, and their history archive (one sealed entry per message a device of theirs
 * read). The server stores both as opaque bytes (base64url without padding) and only ever serves a user their
 * own.
 *
 * @example
 * ```ts
 * // set up or replace:  PUT /e2ee/backup {backup, expectedVersion: 0 | current}   → {version}
 * // new device:         GET /e2ee/backup                                           → {backup, version}
 * // while reading:      PUT /e2ee/archive {entries: [{conversationId, seq, entry}]}
 * // history on a new device: GET /e2ee/archive?conversationId=…&afterSeq=0&limit=200
 * ```
 */

/** Upper bounds; `@enlets/crypto` has the same figures (a server test checks they agree). */
export const MAX_RECOVERY_BACKUP_BYTES = 512;
export const MAX_ARCHIVE_ENTRY_BYTES = 65_845;
export const MAX_ARCHIVE_ENTRIES_PER_UPLOAD = 50;
export const MAX_ARCHIVE_ENTRIES_PER_PAGE = 200;
/** The body limit of an archive upload: a client sends fewer entries per batch when they are large. */
export const MAX_ARCHIVE_UPLOAD_BODY_BYTES = 1_048_576;

function Base64Url(maxBytes: number, description: string) {
  return Type.String({
    pattern: '^[A-Za-z0-9_-]*$',
    minLength: 2,
    maxLength: Math.ceil((maxBytes * 4) / 3),
    description,
  });
}

/**
 * Stores the caller's backup. `expectedVersion` is the version the device last saw (0: it believes there is
 * none): a compare-and-set, so a device never silently replaces a backup another device just made.
 */
export type PutRecoveryBackupRequest = Static<typeof PutRecoveryBackupRequest>;
export const PutRecoveryBackupRequest = StrictObject({
  backup: Base64Url(MAX_RECOVERY_BACKUP_BYTES, 'createRecoveryBackup(...) bytes'),
  expectedVersion: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
});

export type RecoveryBackupResponse = Static<typeof RecoveryBackupResponse>;
export const RecoveryBackupResponse = StrictObject({
  backup: Type.String(),
  /** Starts at 1 and grows by one with each replacement. */
  version: Type.Integer({ minimum: 1 }),
  updatedAt: TimestampMs.Schema,
});

export type RecoveryBackupStored = Static<typeof RecoveryBackupStored>;
export const RecoveryBackupStored = StrictObject({
  version: Type.Integer({ minimum: 1 }),
  updatedAt: TimestampMs.Schema,
});

/** One sealed entry: the message at (conversationId, seq) as `sealArchiveEntry` wrote it. */
export type ArchiveEntryUpload = Static<typeof ArchiveEntryUpload>;
export const ArchiveEntryUpload = StrictObject({
  conversationId: ConversationIdSchema,
  seq: Seq,
  entry: Base64Url(MAX_ARCHIVE_ENTRY_BYTES, 'sealArchiveEntry(...) bytes'),
});

/**
 * A batch of entries of conversations the caller is a member of, each at a seq the caller may see. An entry
 * already stored at the same place is kept (two devices of a user archive the same message).
 */
export type PutArchiveRequest = Static<typeof PutArchiveRequest>;
export const PutArchiveRequest = StrictObject({
  entries: Type.Array(ArchiveEntryUpload, { minItems: 1, maxItems: MAX_ARCHIVE_ENTRIES_PER_UPLOAD }),
});

export type PutArchiveResponse = Static<typeof PutArchiveResponse>;
export const PutArchiveResponse = StrictObject({
  /** Entries that were new (the rest were stored already). */
  stored: Type.Integer({ minimum: 0 }),
});

export type ArchiveQuery = Static<typeof ArchiveQuery>;
export const ArchiveQuery = StrictObject({
  conversationId: ConversationIdSchema,
  /** Entries with seq > afterSeq (default 0), oldest first. */
  afterSeq: Type.Optional(Type.Integer({ minimum: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ARCHIVE_ENTRIES_PER_PAGE })),
});

export type ArchivePage = Static<typeof ArchivePage>;
export const ArchivePage = StrictObject({
  entries: Type.Array(StrictObject({ seq: Seq, entry: Type.String() })),
  /** There may be more after the last entry: ask again with afterSeq = its seq. */
  more: Type.Boolean(),
});
