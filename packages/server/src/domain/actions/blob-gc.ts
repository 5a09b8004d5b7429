import { HOUR_MS } from '../../lib/clock.js';
import {
  deleteCollectableBlob,
  deleteUpload,
  listCollectableBlobIds,
  listExistingUploadIds,
  listExpiredUploadIds,
} from '../../storage/repositories/blobs.js';
import { inTransaction, type Services } from '../services.js';

/**
 * How long a blob nothing references is kept: time for its uploader to send the message that carries it after
 * completing the upload, and for a message being sent right now to reference it.
 */
export const BLOB_GRACE_MS = HOUR_MS;

const BATCH = 100;

export interface BlobGcResult {
  readonly blobs: number;
  readonly uploads: number;
}

/**
 * One pass of the attachment garbage collector: deletes blobs that no undeleted message references and that
 * nobody touched for the grace period (a deleted or expired message releases its blobs), and abandoned
 * uploads. Rows go first, in a transaction that re-checks the condition; bytes go after the commit, so a blob a
 * message still references is never removed. Safe to run in several processes at once.
 */
export async function collectBlobGarbage(services: Services): Promise<BlobGcResult> {
  let blobs = 0;
  let uploads = 0;
  for (;;) {
    const cutoff = services.clock.now() - BLOB_GRACE_MS;
    const ids = await listCollectableBlobIds(services.db, cutoff, BATCH);
    let progress = false;
    for (const id of ids) {
      const deleted = await inTransaction(services, (trx) => deleteCollectableBlob(trx, id, cutoff));
      if (deleted) {
        await services.blobs.deleteBlob(id);
        blobs += 1;
        progress = true;
      }
    }
    if (ids.length < BATCH || !progress) break;
  }
  for (;;) {
    const now = services.clock.now();
    const ids = await listExpiredUploadIds(services.db, now, BATCH);
    let progress = false;
    for (const id of ids) {
      const deleted = await inTransaction(services, (trx) => deleteUpload(trx, id, { expiredBy: now }));
      if (deleted) {
        await services.blobs.deleteUpload(id);
        // A completion interrupted after assembling leaves a blob under the upload's id without a row.
        await services.blobs.deleteBlob(id);
        uploads += 1;
        progress = true;
      }
    }
    if (ids.length < BATCH || !progress) break;
  }
  // Chunks whose upload the database no longer knows (a chunk stored while its upload was completed).
  // A chunk directory only exists once its upload's row has committed, so "no row" means "gone for good".
  const stored = await services.blobs.listUploads();
  for (let start = 0; start < stored.length; start += BATCH) {
    const slice = stored.slice(start, start + BATCH);
    const known = await listExistingUploadIds(services.db, slice);
    for (const id of slice) if (!known.has(id)) await services.blobs.deleteUpload(id);
  }
  if (blobs > 0 || uploads > 0) services.log.info({ blobs, uploads }, 'attachment garbage collected');
  return { blobs, uploads };
}

export interface BlobGcTimer {
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

/** Runs the collector every `intervalMs` (unref'd: it never keeps the process alive). */
export function startBlobGc(services: Services, intervalMs: number): BlobGcTimer {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= collectBlobGarbage(services)
      .then(() => undefined)
      .catch((error: unknown) => {
        services.log.error({ err: error }, 'attachment garbage collection failed');
      })
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
