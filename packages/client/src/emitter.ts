/** A small typed event emitter: `on` returns the function that removes the listener. */
export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  on<K extends keyof Events>(type: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.#listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    for (const listener of [...(this.#listeners.get(type) ?? [])]) {
      // A throwing listener is the app's bug; it must not break delivery to the others or the SDK's state.
      try {
        (listener as (payload: Events[K]) => void)(payload);
      } catch (error) {
        // Reported as an unhandled rejection (the host's crash handler sees it), not swallowed.
        void Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }
}
