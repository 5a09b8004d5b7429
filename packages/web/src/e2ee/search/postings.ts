/**
 * The plaintext of one postings segment (ADR 0020): for each token of a bucket, where the messages holding it
 * are. A posting is a pair: the message's doc key (its time, so postings sort newest last) and the block its
 * document is sealed in. Compact, because every query decrypts and reads whole segments:
 *
 *     entry* where entry = varint(token byte length) token-UTF-8 varint(count) varint(posting byte length)
 *                          (varint(doc key gap) varint(block))*
 *
 * Entries are in the byte order of their UTF-8 tokens and postings by doc key, so a reader can skip an entry
 * without decoding it and stop at the first token past the one it looks for. Varints are LEB128 with
 * arithmetic rather than bit operations: doc keys go beyond 32 bits.
 *
 * In memory a posting list is one flat array, [docKey, block, docKey, block, …]: no object per posting.
 */

/** token → flat [docKey, block, …] pairs, by doc key. */
export type Postings = Map<string, number[]>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeSegment(postings: ReadonlyMap<string, readonly number[]>): Uint8Array {
  const entries = [...postings]
    .filter(([, pairs]) => pairs.length > 0)
    .map(([token, pairs]) => ({ token: encoder.encode(token), pairs: sortedUniquePairs(pairs) }))
    .sort((a, b) => compareBytes(a.token, b.token));
  const writer = new ByteWriter();
  const body = new ByteWriter();
  for (const { token, pairs } of entries) {
    body.reset();
    let previous = 0;
    for (let i = 0; i < pairs.length; i += 2) {
      const docKey = pairs[i] ?? 0;
      body.varint(docKey - previous);
      body.varint(pairs[i + 1] ?? 0);
      previous = docKey;
    }
    writer.varint(token.length);
    writer.bytes(token);
    writer.varint(pairs.length / 2);
    writer.varint(body.length);
    writer.bytes(body.view());
  }
  return writer.view().slice();
}

export function decodeSegment(bytes: Uint8Array): Postings {
  const postings: Postings = new Map();
  const reader = new ByteReader(bytes);
  while (!reader.done) {
    const token = decoder.decode(reader.bytes(reader.varint()));
    const count = reader.varint();
    reader.varint();
    const pairs: number[] = [];
    reader.pairs(count, pairs);
    postings.set(token, pairs);
  }
  return postings;
}

/**
 * The postings of `term` (or, with `prefix`, of every token starting with it) in one segment, one run per
 * matching token (each run sorted by doc key), reading only the entries that can match.
 */
export function collectPostings(
  bytes: Uint8Array,
  term: Uint8Array,
  prefix: boolean,
  into: number[][],
): void {
  const reader = new ByteReader(bytes);
  while (!reader.done) {
    const tokenLength = reader.varint();
    const tokenAt = reader.offset;
    reader.skip(tokenLength);
    const count = reader.varint();
    const postingLength = reader.varint();
    const order = compareToTerm(bytes, tokenAt, tokenLength, term, prefix);
    if (order > 0) return;
    if (order === 0) {
      const run: number[] = [];
      reader.pairs(count, run);
      into.push(run);
    } else reader.skip(postingLength);
  }
}

/**
 * The pairs of several runs (each sorted by doc key, then block), merged newest first, each pair once, lazily:
 * a query needs the newest few of what may be tens of thousands of postings.
 */
export function* newestFirst(runs: readonly (readonly number[])[]): Generator<readonly [number, number]> {
  const heap = new RunHeap();
  for (const run of runs) if (run.length >= 2) heap.push({ run, at: run.length - 2 });
  let lastKey = -1;
  let lastBlock = -1;
  for (let head = heap.top(); head !== undefined; head = heap.top()) {
    const docKey = head.run[head.at] ?? 0;
    const block = head.run[head.at + 1] ?? 0;
    head.at -= 2;
    if (head.at < 0) heap.pop();
    else heap.sink();
    if (docKey === lastKey && block === lastBlock) continue;
    lastKey = docKey;
    lastBlock = block;
    yield [docKey, block];
  }
}

interface RunCursor {
  readonly run: readonly number[];
  /** Index of the pair to read next (runs are read from their end: newest first). */
  at: number;
}

/** A max-heap of runs by their next pair (doc key, then block). */
class RunHeap {
  readonly #items: RunCursor[] = [];

  top(): RunCursor | undefined {
    return this.#items[0];
  }

  push(cursor: RunCursor): void {
    this.#items.push(cursor);
    let i = this.#items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  /** Removes the top. */
  pop(): void {
    const last = this.#items.pop();
    if (last === undefined || this.#items.length === 0) return;
    this.#items[0] = last;
    this.sink();
  }

  /** Restores the order after the top's next pair changed. */
  sink(): void {
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let largest = i;
      if (left < this.#items.length && this.#before(left, largest)) largest = left;
      if (right < this.#items.length && this.#before(right, largest)) largest = right;
      if (largest === i) return;
      this.#swap(i, largest);
      i = largest;
    }
  }

  #before(a: number, b: number): boolean {
    const x = this.#items[a];
    const y = this.#items[b];
    if (x === undefined || y === undefined) return false;
    const keyX = x.run[x.at] ?? 0;
    const keyY = y.run[y.at] ?? 0;
    return keyX > keyY || (keyX === keyY && (x.run[x.at + 1] ?? 0) > (y.run[y.at + 1] ?? 0));
  }

  #swap(a: number, b: number): void {
    const x = this.#items[a];
    const y = this.#items[b];
    if (x === undefined || y === undefined) return;
    this.#items[a] = y;
    this.#items[b] = x;
  }
}

/** The key of a (doc key, block) pair, for sets of removed postings. */
export const pairKey = (docKey: number, block: number): string => `${docKey}/${block}`;

/**
 * Merges segments of one bucket into one set of postings, adding `added` and taking out, per token, the pairs
 * in `removed` (`pairKey`s: a message deleted or edited away from a word).
 */
export function mergePostings(
  segments: readonly Postings[],
  added: ReadonlyMap<string, readonly number[]>,
  removed: ReadonlyMap<string, ReadonlySet<string>>,
): Postings {
  const merged = new Map<string, number[]>();
  const add = (token: string, pairs: readonly number[]): void => {
    const list = merged.get(token);
    if (list === undefined) merged.set(token, [...pairs]);
    else for (const value of pairs) list.push(value);
  };
  for (const segment of segments) for (const [token, pairs] of segment) add(token, pairs);
  for (const [token, pairs] of added) add(token, pairs);
  for (const [token, pairs] of merged) {
    const gone = removed.get(token);
    let kept = pairs;
    if (gone !== undefined) {
      kept = [];
      for (let i = 0; i < pairs.length; i += 2) {
        const docKey = pairs[i] ?? 0;
        const block = pairs[i + 1] ?? 0;
        if (!gone.has(pairKey(docKey, block))) kept.push(docKey, block);
      }
    }
    if (kept.length === 0) merged.delete(token);
    else merged.set(token, sortedUniquePairs(kept));
  }
  return merged;
}

/**
 * < 0: the entry's token sorts before the term (keep reading). 0: it matches. > 0: it and every later one
 * sort after the term (stop).
 */
function compareToTerm(
  bytes: Uint8Array,
  at: number,
  length: number,
  term: Uint8Array,
  prefix: boolean,
): number {
  const common = Math.min(length, term.length);
  for (let i = 0; i < common; i += 1) {
    const difference = (bytes[at + i] ?? 0) - (term[i] ?? 0);
    if (difference !== 0) return difference;
  }
  if (length === term.length) return 0;
  if (length < term.length) return -1;
  // The token is longer and starts with the term.
  return prefix ? 0 : 1;
}

/** Pairs sorted by doc key, then block, each once. */
function sortedUniquePairs(pairs: readonly number[]): number[] {
  const order: number[] = [];
  for (let i = 0; i < pairs.length; i += 2) order.push(i);
  order.sort((a, b) => (pairs[a] ?? 0) - (pairs[b] ?? 0) || (pairs[a + 1] ?? 0) - (pairs[b + 1] ?? 0));
  const sorted: number[] = [];
  for (const i of order) {
    const docKey = pairs[i] ?? 0;
    const block = pairs[i + 1] ?? 0;
    const n = sorted.length;
    if (n > 0 && sorted[n - 2] === docKey && sorted[n - 1] === block) continue;
    sorted.push(docKey, block);
  }
  return sorted;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i += 1) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

class ByteWriter {
  #buffer = new Uint8Array(1024);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  reset(): void {
    this.#length = 0;
  }

  view(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }

  varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a varint: ${value}`);
    this.#reserve(8);
    let rest = value;
    while (rest >= 0x80) {
      this.#buffer[this.#length++] = (rest % 0x80) + 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.#buffer[this.#length++] = rest;
  }

  bytes(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  #reserve(more: number): void {
    if (this.#length + more <= this.#buffer.length) return;
    const grown = new Uint8Array(Math.max(this.#buffer.length * 2, this.#length + more));
    grown.set(this.view());
    this.#buffer = grown;
  }
}

class ByteReader {
  readonly #bytes: Uint8Array;
  offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get done(): boolean {
    return this.offset >= this.#bytes.length;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.#bytes[this.offset++];
      if (byte === undefined) throw new RangeError('a postings segment ends inside a number');
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
  }

  bytes(length: number): Uint8Array {
    const end = this.offset + length;
    if (end > this.#bytes.length) throw new RangeError('a postings segment ends inside a token');
    const slice = this.#bytes.subarray(this.offset, end);
    this.offset = end;
    return slice;
  }

  skip(length: number): void {
    this.offset += length;
  }

  /** `count` postings (doc key gap, block), appended to `into` as flat pairs. */
  pairs(count: number, into: number[]): void {
    let docKey = 0;
    for (let i = 0; i < count; i += 1) {
      docKey += this.varint();
      into.push(docKey, this.varint());
    }
  }
}
