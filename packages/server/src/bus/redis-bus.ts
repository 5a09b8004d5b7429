import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { BusHandler, BusMessage, EventBus } from '../domain/events.js';

/** The one channel every process of a deployment publishes to and listens on. */
const DEFAULT_BUS_CHANNEL = 'enlets:events';

export interface RedisBusOptions {
  readonly log: Logger;
  /** Several deployments may share one Redis; each needs its own channel. */
  readonly channel?: string;
  /** How long `connect` waits for Redis before the start fails. */
  readonly connectTimeoutMs?: number;
  /** Delay before the n-th attempt to reconnect is n times this, up to 2 s (ioredis' default: 50 ms). */
  readonly reconnectStepMs?: number;
}

const MAX_RECONNECT_DELAY_MS = 2000;

/** What travels on the channel: the sender's process id, so each process can skip its own echo. */
interface Envelope {
  readonly o: string;
  readonly m: BusMessage;
}

/** host:port of a bus URL, for logs (never the password). */
function describe(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return '(unparsable bus URL)';
  }
}

function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null) return false;
  const { o, m } = value as { o?: unknown; m?: unknown };
  return (
    typeof o === 'string' &&
    typeof m === 'object' &&
    m !== null &&
    typeof (m as { type?: unknown }).type === 'string'
  );
}

/**
 * The cluster bus over Redis pub/sub (docs/decisions/0008-cluster-bus.md). It carries wake-up hints only: the
 * database is the truth, and a hint lost while Redis is away reaches devices through their next sync or the
 * range fetch a seq gap triggers. A message is delivered to this process's handlers synchronously on publish
 * (as the in-process bus does) and to the other processes through Redis; the copy Redis echoes back is skipped.
 * Redis delivers one connection's messages in order, so every process sees another's messages in publish order.
 */
export class RedisBus implements EventBus {
  readonly #origin = randomUUID();
  readonly #handlers = new Set<BusHandler>();
  readonly #log: Logger;
  readonly #channel: string;
  readonly #where: string;
  readonly #pub: Redis;
  readonly #sub: Redis;
  /** Publishes dropped because the publishing connection was down, since the last reconnect. */
  #dropped = 0;
  #lost = false;
  /** The subscriber was among the lost connections: this process may have missed others' messages. */
  #subscriberLost = false;
  #recovering = false;
  #closed = false;

  private constructor(url: string, options: RedisBusOptions) {
    this.#log = options.log;
    this.#channel = options.channel ?? DEFAULT_BUS_CHANNEL;
    this.#where = describe(url);
    const step = options.reconnectStepMs ?? 50;
    const retryStrategy = (attempt: number): number => Math.min(attempt * step, MAX_RECONNECT_DELAY_MS);
    // Publishing must never queue without bound while Redis is away: a hint that cannot go now is dropped.
    this.#pub = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy,
      connectionName: `enlets-bus-${this.#origin}-pub`,
    });
    // ioredis reconnects with backoff; we subscribe again ourselves (not autoResubscribe) so that we know when
    // the subscription is back, which is the moment devices may sync without missing anything.
    this.#sub = new Redis(url, {
      lazyConnect: true,
      autoResubscribe: false,
      retryStrategy,
      connectionName: `enlets-bus-${this.#origin}-sub`,
    });
    for (const [name, client] of [
      ['publisher', this.#pub],
      ['subscriber', this.#sub],
    ] as const) {
      client.on('error', (error: Error) => {
        if (!this.#lost && !this.#closed) {
          this.#log.warn({ err: error.message, bus: this.#where, connection: name }, 'cluster bus error');
        }
      });
      client.on('reconnecting', () => {
        if (this.#closed) return;
        if (client === this.#sub) this.#subscriberLost = true;
        if (this.#lost) return;
        this.#lost = true;
        this.#log.warn(
          { bus: this.#where, connection: name },
          'cluster bus connection lost, reconnecting: live events from other processes wait until it is back ' +
            '(clients catch up by sync)',
        );
      });
      client.on('ready', () => {
        void this.#recover();
      });
    }
    this.#sub.on('message', (channel: string, text: string) => {
      if (channel === this.#channel) this.#receive(text);
    });
  }

  /**
   * Once both connections are back and the subscription stands again, the hints that fell through are made
   * good: when this process's subscriber was away, its own gateways ask their devices to sync; when its
   * publisher dropped hints, it asks the other processes' gateways to do the same.
   */
  async #recover(): Promise<void> {
    if (!this.#lost || this.#closed || this.#recovering) return;
    if (this.#pub.status !== 'ready' || this.#sub.status !== 'ready') return;
    this.#recovering = true;
    try {
      const missed = this.#subscriberLost;
      if (missed) await this.#sub.subscribe(this.#channel);
      const dropped = this.#dropped;
      this.#lost = false;
      this.#subscriberLost = false;
      this.#dropped = 0;
      this.#log.warn({ bus: this.#where, droppedHints: dropped }, 'cluster bus reconnected');
      if (missed) this.#deliver({ type: 'resync', reason: 'bus-reconnected' });
      if (dropped > 0) this.#sendToOthers({ type: 'resync', reason: 'bus-hints-dropped' });
    } catch (error) {
      // Lost again while subscribing: the next `ready` tries again.
      this.#log.warn({ err: error, bus: this.#where }, 'cluster bus: subscribing again failed');
    } finally {
      this.#recovering = false;
    }
    // A connection may have come back (and found us busy) while we subscribed.
    if (this.#lost) void this.#recover();
  }

  /** Connects both connections and subscribes; fails the start when Redis cannot be reached in time. */
  static async connect(url: string, options: RedisBusOptions): Promise<RedisBus> {
    const bus = new RedisBus(url, options);
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.all([bus.#pub.connect(), bus.#sub.connect()]).then(() => bus.#sub.subscribe(bus.#channel)),
        new Promise((_resolve, reject) => {
          timer = setTimeout(() => {
            reject(new Error(`no answer in ${String(timeoutMs)} ms`));
          }, timeoutMs);
        }),
      ]);
    } catch (error) {
      bus.#closed = true;
      bus.#pub.disconnect();
      bus.#sub.disconnect();
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`cannot reach the cluster bus at ${bus.#where} (ENLETS_BUS_URL): ${reason}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
    options.log.info({ bus: bus.#where, channel: bus.#channel }, 'cluster bus connected');
    return bus;
  }

  /** This process's id on the bus (its Redis connections are named `enlets-bus-<id>-pub` and `-sub`). */
  get id(): string {
    return this.#origin;
  }

  publish(message: BusMessage): void {
    if (this.#closed) return;
    this.#deliver(message);
    this.#sendToOthers(message);
  }

  #sendToOthers(message: BusMessage): void {
    const envelope: Envelope = { o: this.#origin, m: message };
    this.#pub.publish(this.#channel, JSON.stringify(envelope)).catch(() => {
      // Only a hint: devices on other processes get the event with their next sync (asked for on reconnect).
      this.#dropped += 1;
    });
  }

  subscribe(handler: BusHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers.clear();
    await Promise.all(
      [this.#pub, this.#sub].map((client) =>
        client.status === 'ready'
          ? client.quit().then(
              () => undefined,
              () => client.disconnect(),
            )
          : Promise.resolve(client.disconnect()),
      ),
    );
  }

  #receive(text: string): void {
    let envelope: unknown;
    try {
      envelope = JSON.parse(text);
    } catch {
      envelope = undefined;
    }
    if (!isEnvelope(envelope)) {
      this.#log.warn({ bus: this.#where }, 'cluster bus: ignored a message that is not ours');
      return;
    }
    if (envelope.o === this.#origin) return;
    this.#deliver(envelope.m);
  }

  #deliver(message: BusMessage): void {
    for (const handler of this.#handlers) {
      try {
        handler(message);
      } catch (error) {
        // A failing subscriber must not turn a committed send into an error, nor stop the others.
        this.#log.error({ err: error, type: message.type }, 'cluster bus handler failed');
      }
    }
  }
}
