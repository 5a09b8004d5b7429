/**
 * The last events a connection got live (by conversation and seq), so that a `sync` it asks for later does not
 * send them again. Written on every delivery, which is the fan-out's hot path: two array stores in a ring, no
 * key string built; read only while a sync runs (a scan of at most `capacity` entries per synced event).
 */
export class RecentEvents {
  readonly #conversationIds: string[] = [];
  readonly #seqs: number[] = [];
  #next = 0;

  constructor(readonly capacity: number) {}

  add(conversationId: string, seq: number): void {
    if (this.#seqs.length < this.capacity) {
      this.#conversationIds.push(conversationId);
      this.#seqs.push(seq);
      return;
    }
    // Full: the oldest entry gives way.
    this.#conversationIds[this.#next] = conversationId;
    this.#seqs[this.#next] = seq;
    this.#next = (this.#next + 1) % this.capacity;
  }

  has(conversationId: string, seq: number): boolean {
    const seqs = this.#seqs;
    for (let i = 0; i < seqs.length; i++) {
      if (seqs[i] === seq && this.#conversationIds[i] === conversationId) return true;
    }
    return false;
  }
}
