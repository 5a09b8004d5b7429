import { eraseEventPayload, listExpiredEvents } from '../../storage/repositories/events.js';
import type { Services } from '../services.js';

/** How often a server process looks for expired messages. */
export const EXPIRY_SWEEP_INTERVAL_MS = 30_000;
const BATCH = 500;

/**
 * Erases the payload of every message whose expiry time has passed (the server copy goes too; the seq stays so
 * the log has no gap). Nothing is published: clients drop expired messages on their own by `expiresAt`. Safe to
 * run on several processes at once (erasing is idempotent). Returns how many messages it erased.
 */
export async function eraseExpired(services: Services): Promise<number> {
  let erased = 0;
  for (;;) {
    const now = services.clock.now();
    const due = await listExpiredEvents(services.db, now, BATCH);
    for (const { conversationId, seq } of due) {
      if (await eraseEventPayload(services.db, conversationId, seq, now, false)) erased += 1;
    }
    if (due.length < BATCH) return erased;
  }
}
