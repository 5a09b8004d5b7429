import type { ArchivePage, ArchiveQuery, RecoveryBackupResponse } from '@enlets/protocol';
import { MAX_ARCHIVE_ENTRIES_PER_PAGE } from '@enlets/protocol';
import { findRecoveryBackup, listArchiveEntries } from '../../storage/repositories/e2ee-recovery.js';
import type { Actor } from '../actor.js';
import { DomainError } from '../errors.js';
import type { Services } from '../services.js';

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/** The actor's own recovery backup; there is no way to ask for anyone else's. */
export async function getRecoveryBackup(services: Services, actor: Actor): Promise<RecoveryBackupResponse> {
  const backup = await findRecoveryBackup(services.db, actor.user.id);
  if (backup === undefined) throw new DomainError('E2EE_BACKUP_NOT_FOUND', 'you have no recovery backup yet');
  return { backup: b64(backup.bytes), version: backup.version, updatedAt: backup.updatedAt };
}

/**
 * A page of the actor's own archive entries of one conversation. Only the actor's rows are ever read, so a
 * conversation id of someone else's conversation simply yields nothing; it is not checked against membership
 * because what the user once read stays theirs to restore (as it stays on their old device).
 */
export async function listArchive(
  services: Services,
  actor: Actor,
  query: ArchiveQuery,
): Promise<ArchivePage> {
  const limit = query.limit ?? MAX_ARCHIVE_ENTRIES_PER_PAGE;
  const rows = await listArchiveEntries(
    services.db,
    actor.user.id,
    query.conversationId,
    query.afterSeq ?? 0,
    limit + 1,
  );
  return {
    entries: rows.slice(0, limit).map((r) => ({ seq: r.seq, entry: b64(r.bytes) })),
    more: rows.length > limit,
  };
}
