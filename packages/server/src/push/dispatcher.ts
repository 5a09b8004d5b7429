import type { Urgency } from 'web-push';
import type { Logger } from 'pino';
import type { ConversationEvent } from '@enlets/protocol';
import type { BusMessage } from '../domain/events.js';
import type { Services } from '../domain/services.js';
import {
  deleteDeadPushSubscription,
  deletePushSubscription,
  deletePushSubscriptionsOfEndedSessions,
  deletePushSubscriptionsOfSessions,
  listConversationsWithMessagesSince,
  listPushTargets,
  markPushSuccess,
  type PushSubscriptionRecord,
} from '../storage/repositories/push-subscriptions.js';
import { checkPushEndpoint, pushServiceOf } from './endpoint-policy.js';
import { sendWakeUp } from './sender.js';
import { vapidKeysFor, vapidSubject } from './vapid-keys.js';

export interface PushLimits {
  /** A device that reports a new event as delivered within this time is not woken (config `pushGraceMs`). */
  readonly graceMs: number;
  /** A busy conversation still wakes its devices this long after its first unsent message at the latest. */
  readonly maxDelayMs: number;
  /** How long a push service may hold a wake-up for an offline device (RFC 8030 TTL). */
  readonly ttlSeconds: number;
  /** One exchange with a push service, connection included. */
  readonly timeoutMs: number;
  /** Pushes in flight at once, over all conversations. */
  readonly concurrency: number;
}

/**
 * How far back a start looks for wake-ups a crash may have lost: pending wake-ups live in memory for at most
 * three grace times, and a process that crashed is usually back within minutes.
 */
export const CATCH_UP_WINDOW_MS = 10 * 60_000;

/** How often subscriptions of sessions that ended without a bus message (expiry) are cleared. */
const SWEEP_INTERVAL_MS = 3_600_000;

interface Batch {
  /** The newest seq: a device that stored it was live all along. */
  seq: number;
  readonly recipients: Set<string>;
  /** Recipients mentioned by name or by @all in one of the messages: their wake-up is urgent. */
  readonly mentioned: Set<string>;
  readonly firstAt: number;
  timer: NodeJS.Timeout;
}

/**
 * Wakes the devices of a new message's recipients by Web Push (docs/decisions/0018-web-push.md), off the
 * request path: the send is acknowledged after its commit as before, and this only notes the event (a map
 * update). After `graceMs` the devices still to wake are asked of the database — live session, still a member,
 * conversation not muted, not the sender, and no delivered report for the message. A device whose WebSocket is
 * open on any server process has reported it by then (the web client reports every second, the gateway writes
 * every second), so the database answers for the whole cluster. Messages of one conversation that arrive
 * within the window share one push per device.
 *
 * Only events committed by this process come here (`LocalPublishTap`), so each is pushed once per cluster.
 * Pending wake-ups live in memory; a crash would lose those of the last few seconds, so a starting process
 * catches up (`catchUp`): it wakes the devices that still have not reported the messages of the last minutes
 * delivered and were not woken since.
 */
export class PushDispatcher {
  readonly #services: Services;
  readonly #log: Logger;
  readonly #batches = new Map<string, Batch>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #waitingForSlot: Array<() => void> = [];
  #limits: PushLimits;
  #sending = 0;
  #lastSweepAt = 0;
  #catchUpTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(services: Services, limits: Partial<PushLimits> = {}) {
    this.#services = services;
    this.#log = services.log.child({ component: 'push' });
    const graceMs = limits.graceMs ?? services.config.pushGraceMs;
    this.#limits = {
      graceMs,
      maxDelayMs: Math.max(graceMs * 3, 1000),
      ttlSeconds: 86_400,
      timeoutMs: 10_000,
      concurrency: 8,
      ...limits,
    };
  }

  /** Changes limits at run time (tests); pending batches keep their timers. */
  configure(limits: Partial<PushLimits>): void {
    this.#limits = { ...this.#limits, ...limits };
  }

  /** A message this process published on the bus. Never throws, never waits. */
  note(message: BusMessage): void {
    if (this.#closed) return;
    try {
      if (message.type === 'event.created') this.#noteEvent(message.event, message.recipients);
      else if (message.type === 'sessions.revoked') this.#forgetSessions(message);
    } catch (error) {
      this.#log.error({ err: error }, 'push: noting an event failed');
    }
  }

  /**
   * Called once a process has started: wakes the devices for messages stored in the last `windowMs` that a
   * crash may have left unpushed. The same rules as a live wake-up apply (live session, member, not muted, not
   * reported delivered), and a subscription woken after the newest of those messages is not woken again, so a
   * restart after a clean stop, or another process's restart, repeats nothing. It waits one grace time first,
   * as a live wake-up does: the devices that were connected to the crashed process reconnect, sync and report
   * meanwhile. Runs in the background.
   */
  catchUp(windowMs = CATCH_UP_WINDOW_MS): void {
    const since = this.#services.clock.now() - windowMs;
    const timer = setTimeout(() => {
      if (!this.#closed) this.#track(this.#catchUp(since));
    }, this.#limits.graceMs);
    timer.unref();
    this.#catchUpTimer = timer;
  }

  async #catchUp(since: number): Promise<void> {
    const services = this.#services;
    const recent = await listConversationsWithMessagesSince(services.db, since);
    for (const conversation of recent) {
      if (this.#closed) return;
      // A message wakes everyone but its sender: with two senders or more, that is every member.
      const onlySender = conversation.senderIds.length === 1 ? conversation.senderIds[0] : undefined;
      const recipients = conversation.memberIds.filter((id) => id !== onlySender);
      const targets = await listPushTargets(
        services.db,
        conversation.conversationId,
        recipients,
        conversation.seq,
        services.clock.now(),
        conversation.newestAt,
      );
      await this.#wakeAll(targets, new Set());
    }
    if (recent.length > 0) this.#log.info({ conversations: recent.length }, 'push: caught up after a start');
  }

  /** Resolves once nothing is pending or being sent (tests). */
  async idle(): Promise<void> {
    while (this.#batches.size > 0 || this.#inFlight.size > 0) {
      if (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Drops what has not been sent yet and waits for the pushes in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#catchUpTimer);
    for (const batch of this.#batches.values()) clearTimeout(batch.timer);
    this.#batches.clear();
    await Promise.allSettled([...this.#inFlight]);
  }

  // ---- batching ------------------------------------------------------------------------------------------

  #noteEvent(event: ConversationEvent, recipients: readonly string[]): void {
    // Only new messages wake a device: edits, reactions, pins, deletions and system events wait for the app.
    if (event.kind !== 'message') return;
    const others = recipients.filter((id) => id !== event.senderId);
    if (others.length === 0) return;
    const named = new Set<string>(event.mentions);
    const mentioned = event.mentionsAll ? others : others.filter((id) => named.has(id));
    const now = performance.now();
    const batch = this.#batches.get(event.conversationId);
    if (batch === undefined) {
      this.#batches.set(event.conversationId, {
        seq: event.seq,
        recipients: new Set(others),
        mentioned: new Set(mentioned),
        firstAt: now,
        timer: this.#timer(event.conversationId, this.#limits.graceMs),
      });
      return;
    }
    batch.seq = Math.max(batch.seq, event.seq);
    for (const id of others) batch.recipients.add(id);
    for (const id of mentioned) batch.mentioned.add(id);
    // The newest message gets its grace too (its delivered report must have time to arrive), within the bound.
    clearTimeout(batch.timer);
    const delay = Math.min(this.#limits.graceMs, batch.firstAt + this.#limits.maxDelayMs - now);
    batch.timer = this.#timer(event.conversationId, Math.max(0, delay));
  }

  #timer(conversationId: string, delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const batch = this.#batches.get(conversationId);
      if (batch === undefined) return;
      this.#batches.delete(conversationId);
      this.#track(this.#dispatch(conversationId, batch));
    }, delayMs);
    timer.unref();
    return timer;
  }

  #track(work: Promise<void>): void {
    const tracked = work
      .catch((error: unknown) => {
        this.#log.error({ err: error }, 'push: dispatch failed');
      })
      .finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }

  // ---- sending -------------------------------------------------------------------------------------------

  async #dispatch(conversationId: string, batch: Batch): Promise<void> {
    const services = this.#services;
    const now = services.clock.now();
    await this.#sweepEndedSessions(now);
    const targets = await listPushTargets(services.db, conversationId, [...batch.recipients], batch.seq, now);
    await this.#wakeAll(targets, batch.mentioned);
  }

  async #wakeAll(targets: readonly PushSubscriptionRecord[], mentioned: ReadonlySet<string>): Promise<void> {
    if (targets.length === 0) return;
    const services = this.#services;
    const keys = await vapidKeysFor(services);
    const subject = vapidSubject(services.config);
    await Promise.all(
      targets.map((target) =>
        this.#withSlot(() =>
          this.#wake(target, {
            keys,
            subject,
            urgency: mentioned.has(target.userId) ? 'high' : 'normal',
          }),
        ),
      ),
    );
  }

  async #wake(
    target: PushSubscriptionRecord,
    how: {
      readonly keys: Awaited<ReturnType<typeof vapidKeysFor>>;
      readonly subject: string;
      readonly urgency: Urgency;
    },
  ): Promise<void> {
    const db = this.#services.db;
    const pushService = pushServiceOf(target.endpoint);
    // Checked again here: a subscription stored under a looser configuration is not contacted under this one.
    const refusal = checkPushEndpoint(target.endpoint, this.#services.config.pushAllowLoopbackHttp);
    if (refusal !== undefined) {
      await deletePushSubscription(db, target.sessionId);
      this.#log.info(
        { pushService, reason: refusal },
        'push: removed a subscription this server may not contact',
      );
      return;
    }
    const outcome = await sendWakeUp(target, {
      ...how,
      ttlSeconds: this.#limits.ttlSeconds,
      timeoutMs: this.#limits.timeoutMs,
    });
    switch (outcome.kind) {
      case 'accepted':
        await markPushSuccess(db, target.sessionId, target.endpoint, this.#services.clock.now());
        return;
      case 'gone':
        await deleteDeadPushSubscription(db, target.sessionId, target.endpoint);
        this.#log.info({ pushService, status: outcome.status }, 'push: subscription gone; removed');
        return;
      case 'failed':
        // Best effort: the next message tries again, and the app syncs whenever it is opened.
        this.#log.warn({ pushService, status: outcome.status, reason: outcome.reason }, 'push: not accepted');
        return;
    }
  }

  async #withSlot(work: () => Promise<void>): Promise<void> {
    while (this.#sending >= this.#limits.concurrency) {
      await new Promise<void>((resolve) => this.#waitingForSlot.push(resolve));
    }
    this.#sending += 1;
    try {
      await work();
    } finally {
      this.#sending -= 1;
      this.#waitingForSlot.shift()?.();
    }
  }

  // ---- ended sessions ------------------------------------------------------------------------------------

  /** A session's subscription dies with the session: at once when it is signed out, suspended or removed. */
  #forgetSessions(message: Extract<BusMessage, { type: 'sessions.revoked' }>): void {
    this.#track(
      deletePushSubscriptionsOfSessions(
        this.#services.db,
        message.userId,
        message.sessionIds,
        message.except,
      ),
    );
  }

  /** Expired sessions publish nothing: their subscriptions are cleared now and then (and never used meanwhile). */
  async #sweepEndedSessions(now: number): Promise<void> {
    if (now - this.#lastSweepAt < SWEEP_INTERVAL_MS) return;
    this.#lastSweepAt = now;
    const removed = await deletePushSubscriptionsOfEndedSessions(this.#services.db, now);
    if (removed > 0) this.#log.info({ removed }, 'push: removed the subscriptions of ended sessions');
  }
}
