import { readRecoveryBackupHeader, RecoveryFormatError } from '@enlets/crypto';
import type {
  PutArchiveRequest,
  PutArchiveResponse,
  PutRecoveryBackupRequest,
  RecoveryBackupStored,
} from '@enlets/protocol';
import {
  findRecoveryBackup,
  insertArchiveEntries,
  insertRecoveryBackup,
  replaceRecoveryBackup,
} from '../../storage/repositories/e2ee-recovery.js';
import { accessConversationAsMember } from '../access/conversations.js';
import type { Actor } from '../actor.js';
import { appendAudit } from '../audit.js';
import { DomainError } from '../errors.js';
import { inTransaction, type Services } from '../services.js';

/**
 * Stores the actor's recovery backup (docs/decisions/0012-recovery.md). The server cannot open it; it checks
 * only that it is a well-formed backup naming the actor, so nobody can park someone else's backup (or anything
 * else) under their account. `expectedVersion` 0 creates the first backup; otherwise it must be the stored
 * version (compare-and-set), so of two devices replacing it at once the second learns and decides again.
 * Creation and each replacement are audited: a replaced backup is what an attacker with a stolen session would
 * do to take over recovery, and the user's admins can see when it happened.
 */
export async function putRecoveryBackup(
  services: Services,
  actor: Actor,
  request: PutRecoveryBackupRequest,
): Promise<RecoveryBackupStored> {
  const bytes = new Uint8Array(Buffer.from(request.backup, 'base64url'));
  let format;
  try {
    format = readRecoveryBackupHeader(bytes);
  } catch (cause) {
    if (!(cause instanceof RecoveryFormatError)) throw cause;
    throw new DomainError(
      'E2EE_BACKUP_INVALID',
      'this is not a recovery backup',
      { reason: cause.message },
      {
        cause,
      },
    );
  }
  if (format.userId !== actor.user.id) {
    throw new DomainError('E2EE_BACKUP_INVALID', 'the backup belongs to another user', {
      reason: 'other_user',
    });
  }
  return inTransaction(services, async (trx) => {
    const now = services.clock.now();
    const stored =
      request.expectedVersion === 0
        ? await insertRecoveryBackup(trx, actor.user.id, bytes, now)
        : await replaceRecoveryBackup(trx, actor.user.id, bytes, request.expectedVersion, now);
    if (!stored) {
      const current = await findRecoveryBackup(trx, actor.user.id);
      throw new DomainError('E2EE_BACKUP_VERSION_MISMATCH', 'the backup was replaced since you read it', {
        version: current?.version ?? 0,
      });
    }
    const version = request.expectedVersion + 1;
    await appendAudit(services, trx, {
      actorId: actor.user.id,
      action: version === 1 ? 'e2ee_backup.created' : 'e2ee_backup.replaced',
      targetType: 'user',
      targetId: actor.user.id,
      details: { version, deviceId: actor.session.id, kdf: format.kdf },
    });
    return { version, updatedAt: now };
  });
}

/**
 * Adds sealed entries to the actor's history archive. Each must be at a place the actor can see: a
 * conversation they are a member of (NOT_FOUND otherwise, as everywhere), a seq after the point their
 * history starts and not beyond the conversation's head (INVALID_REFERENCE). That bounds the archive by the
 * history the user really has; the entries themselves are opaque.
 */
export async function putArchiveEntries(
  services: Services,
  actor: Actor,
  request: PutArchiveRequest,
): Promise<PutArchiveResponse> {
  return inTransaction(services, async (trx) => {
    const conversationIds = [...new Set(request.entries.map((e) => e.conversationId))];
    for (const conversationId of conversationIds) {
      const { conversation, membership } = await accessConversationAsMember(trx, actor, conversationId);
      for (const entry of request.entries) {
        if (entry.conversationId !== conversationId) continue;
        if (entry.seq <= membership.visibleFromSeq || entry.seq > conversation.headSeq) {
          throw new DomainError('INVALID_REFERENCE', 'no event you can see is at this seq', {
            conversationId,
            seq: entry.seq,
          });
        }
      }
    }
    const stored = await insertArchiveEntries(
      trx,
      actor.user.id,
      request.entries.map((e) => ({
        conversationId: e.conversationId,
        seq: e.seq,
        bytes: new Uint8Array(Buffer.from(e.entry, 'base64url')),
      })),
      services.clock.now(),
    );
    return { stored };
  });
}
