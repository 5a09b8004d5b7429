import type { BusHandler, BusMessage, EventBus } from '../domain/events.js';

/**
 * The event bus, with a listener for what THIS process publishes. In a cluster every process receives every
 * bus message, but each event is committed (and published) by exactly one: work that must happen once per
 * event, such as waking devices by Web Push, listens here rather than on the bus.
 */
export class LocalPublishTap implements EventBus {
  readonly #inner: EventBus;
  #listener: ((message: BusMessage) => void) | undefined;

  constructor(inner: EventBus) {
    this.#inner = inner;
  }

  /** The one listener (set once the app is built); it must not throw and must not block. */
  onLocalPublish(listener: (message: BusMessage) => void): void {
    this.#listener = listener;
  }

  publish(message: BusMessage): void {
    this.#inner.publish(message);
    this.#listener?.(message);
  }

  subscribe(handler: BusHandler): () => void {
    return this.#inner.subscribe(handler);
  }

  close(): Promise<void> {
    this.#listener = undefined;
    return this.#inner.close();
  }
}
