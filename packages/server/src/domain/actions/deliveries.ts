import type { UserId } from '@enlets/protocol';
import {
  advanceDelivery,
  listDeliveryAudience,
  type DeliveryReport,
} from '../../storage/repositories/deliveries.js';
import type { Actor } from '../actor.js';
import { inTransaction, type Services } from '../services.js';

/** Reports written per transaction, so one flush never holds the (SQLite) write lock for long. */
const FLUSH_BATCH = 200;

/**
 * Delivered state per device ("delivered" next to "seen by"). Devices report how far they stored each
 * conversation (`delivered` frames, and every `sync` from a token, which proves the device stored what the token
 * covers). Reports are coalesced in memory per (device, conversation), keeping the highest seq, and written
 * every `flushMs` in batches of monotonic upserts: a device that receives a hundred events in a second costs one
 * row write, not a hundred. After each batch commits, the members of 1:1 and group conversations who share
 * receipts get one `delivered` notice per conversation. A report lost in a crash is only a delivered tick shown
 * late: the device's next report carries a position at least as high.
 */
export class DeliveryRecorder {
  readonly #services: Services;
  readonly #flushMs: number;
  readonly #pending = new Map<string, DeliveryReport>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;

  constructor(services: Services, flushMs: number) {
    this.#services = services;
    this.#flushMs = flushMs;
  }

  /** The actor's device stored `conversationId` up to `seq` (unchecked here: the flush checks membership). */
  note(actor: Actor, conversationId: string, seq: number): void {
    if (this.#closed || seq < 1) return;
    const key = `${actor.session.id}|${conversationId}`;
    const known = this.#pending.get(key);
    if (known !== undefined && known.seq >= seq) return;
    this.#pending.set(key, { conversationId, userId: actor.user.id, deviceId: actor.session.id, seq });
    this.#schedule();
  }

  /** Every position of a sync token the device resumed from. */
  noteAll(actor: Actor, positions: ReadonlyMap<string, number>): void {
    for (const [conversationId, seq] of positions) this.note(actor, conversationId, seq);
  }

  /** Writes what is pending now (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const reports = [...this.#pending.values()];
    this.#pending.clear();
    this.#flushing = storeDeliveryReports(this.#services, reports).finally(() => {
      this.#flushing = undefined;
    });
    await this.#flushing;
  }

  /** Writes what is pending and takes no more reports. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush().catch((error: unknown) => {
        this.#services.log.warn({ err: error }, 'delivered state: flush failed');
      });
    }, this.#flushMs);
    this.#timer.unref();
  }
}

/**
 * Stores reports in batches of monotonic upserts (a device never moves back, never past the newest event, never
 * in a conversation it is not in), then tells those who share receipts. Best effort, never throws.
 */
export async function storeDeliveryReports(
  services: Services,
  reports: readonly DeliveryReport[],
): Promise<void> {
  for (let start = 0; start < reports.length; start += FLUSH_BATCH) {
    const batch = reports.slice(start, start + FLUSH_BATCH);
    try {
      const moved = await inTransaction(services, async (trx) => {
        const now = services.clock.now();
        const advanced: DeliveryReport[] = [];
        for (const report of batch) {
          const stored = await advanceDelivery(trx, report, now);
          if (stored !== undefined) advanced.push(stored);
        }
        return advanced;
      });
      await announceDeliveries(services, moved);
    } catch (error) {
      // Best effort: the devices' next reports carry these positions again.
      services.log.warn({ err: error, reports: batch.length }, 'delivered state: a batch was not stored');
    }
  }
}

/** One `delivered` notice per conversation, to its members who share receipts, of those devices' users. */
async function announceDeliveries(services: Services, moved: readonly DeliveryReport[]): Promise<void> {
  const byConversation = new Map<string, DeliveryReport[]>();
  for (const report of moved) {
    const list = byConversation.get(report.conversationId) ?? [];
    list.push(report);
    byConversation.set(report.conversationId, list);
  }
  for (const [conversationId, reports] of byConversation) {
    const audience = await listDeliveryAudience(services.db, conversationId);
    const sharing = new Set<UserId>(audience);
    const devices = reports
      .filter((r) => sharing.has(r.userId))
      .map((r) => ({ userId: r.userId, deviceId: r.deviceId, seq: r.seq }));
    if (devices.length === 0) continue;
    services.bus.publish({
      type: 'ephemeral',
      recipients: audience,
      frame: { type: 'delivered', conversationId, devices, at: services.clock.now() },
    });
  }
}

/**
 * A device that syncs over HTTP (polling, no WebSocket) proves by resuming from a token that it stored what the
 * token covers, exactly as a realtime `sync` does: its positions count as delivered. Written at once (polling
 * devices report at most once per poll, nothing to coalesce).
 */
export async function noteSyncedOverHttp(
  services: Services,
  actor: Actor,
  positions: ReadonlyMap<string, number>,
): Promise<void> {
  const reports: DeliveryReport[] = [];
  for (const [conversationId, seq] of positions) {
    if (seq >= 1) reports.push({ conversationId, userId: actor.user.id, deviceId: actor.session.id, seq });
  }
  if (reports.length > 0) await storeDeliveryReports(services, reports);
}
