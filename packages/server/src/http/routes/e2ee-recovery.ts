import {
  ArchivePage,
  ArchiveQuery,
  MAX_ARCHIVE_UPLOAD_BODY_BYTES,
  PutArchiveRequest,
  PutArchiveResponse,
  PutRecoveryBackupRequest,
  RecoveryBackupResponse,
  RecoveryBackupStored,
} from '@enlets/protocol';
import { putArchiveEntries, putRecoveryBackup } from '../../domain/actions/e2ee-recovery.js';
import { getRecoveryBackup, listArchive } from '../../domain/queries/e2ee-recovery.js';
import type { Services } from '../../domain/services.js';
import { actorOf, type App } from '../types.js';

const tags = ['e2ee'];

/**
 * Recovery without anyone online (docs/decisions/0012-recovery.md): the caller's passphrase-encrypted backup and
 * history archive. Every route works on the caller's own rows only; none takes another user's id.
 */
export function e2eeRecoveryRoutes(app: App, services: Services): void {
  app.get(
    '/e2ee/backup',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Your recovery backup (encrypted with your recovery passphrase)',
        response: { 200: RecoveryBackupResponse },
      },
    },
    (request) => getRecoveryBackup(services, actorOf(request)),
  );

  app.put(
    '/e2ee/backup',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Create (expectedVersion 0) or replace (the version you read) your recovery backup',
        body: PutRecoveryBackupRequest,
        response: { 200: RecoveryBackupStored },
      },
    },
    (request) => putRecoveryBackup(services, actorOf(request), request.body),
  );

  app.put(
    '/e2ee/archive',
    {
      config: { access: 'messenger.use' },
      bodyLimit: MAX_ARCHIVE_UPLOAD_BODY_BYTES,
      schema: {
        tags,
        summary: 'Add sealed entries to your history archive (messages of conversations you are in)',
        body: PutArchiveRequest,
        response: { 200: PutArchiveResponse },
      },
    },
    (request) => putArchiveEntries(services, actorOf(request), request.body),
  );

  app.get(
    '/e2ee/archive',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'A page of your history archive of one conversation, oldest first',
        querystring: ArchiveQuery,
        response: { 200: ArchivePage },
      },
    },
    (request) => listArchive(services, actorOf(request), request.query),
  );
}
