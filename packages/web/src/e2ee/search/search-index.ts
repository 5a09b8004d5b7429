import type { SearchHit } from '../worker-protocol.js';
import {
  collectPostings,
  decodeSegment,
  encodeSegment,
  mergePostings,
  newestFirst,
  pairKey,
} from './postings.js';
import { bucketOf, generateSearchKeys, open, seal, type SearchKeys } from './sealing.js';
import type {
  DocRef,
  ExpiryEntry,
  LocatorPageKey,
  ProgressEntry,
  SearchStore,
  SearchWrite,
  WalkProgress,
} from './search-store.js';
import { snippetOf } from './snippets.js';
import { bucketName, isEmptyQuery, matchIn, parseQuery, tokensOf, type ParsedQuery } from './tokens.js';

/** A message as the index keeps it: where and when, who wrote it, and its words as they stand now. */
export interface IndexedMessage {
  readonly conversationId: string;
  readonly seq: number;
  readonly senderId: string | null;
  readonly createdAt: number;
  /** When a disappearing message goes (ms), or null. */
  readonly expiresAt: number | null;
  readonly text: string;
  /** The seq of the event these words come from: the message itself, or its latest edit. */
  readonly textSeq: number;
}

/**
 * What happened to a message. `put`: it was read (again); `edit`: its author replaced its words at `editSeq`;
 * `remove`: it was deleted or expired.
 */
export type IndexChange =
  | { readonly kind: 'put'; readonly message: IndexedMessage }
  | {
      readonly kind: 'edit';
      readonly conversationId: string;
      readonly seq: number;
      readonly senderId: string | null;
      readonly text: string;
      readonly editSeq: number;
    }
  | { readonly kind: 'remove'; readonly conversationId: string; readonly seq: number };

export interface SearchParams {
  readonly query: string;
  readonly conversationId?: string;
  readonly limit: number;
  /** The clock for expiry (tests); Date.now() otherwise. */
  readonly now?: number;
}

export interface SearchResult {
  readonly hits: SearchHit[];
  readonly more: boolean;
}

/** Documents per sealed block: one read and one decryption give a query this many neighbours in time. */
const BLOCK_DOCS = 64;
/** Seqs per locator page. */
const LOCATOR_PAGE = 256;
/**
 * A bucket gets a segment per batch written to it; past this many, they are merged into one. More means cheaper
 * writes and more reads per query.
 */
const MAX_SEGMENTS = 8;
/** Doc keys are the time (ms) times this, plus the seq's low bits: they sort by time. */
const KEYS_PER_MS = 1024;
/** Buckets rewritten at once (bounds the postings decoded in memory). */
const REWRITE_CHUNK = 32;
/** Memory bounds: remembered bucket numbers, removed messages, edits waiting for their message. */
const MAX_CACHED_BUCKETS = 50_000;
const MAX_REMOVED = 10_000;
const MAX_ORPHAN_EDITS = 2_000;
/**
 * Plaintext kept for queries, bounded: typing a word ("mül", "müll", "müller") reads the same buckets and the
 * same newest blocks again. The worker holds decrypted messages anyway; these bounds keep it to a few MB.
 */
const SEGMENT_CACHE_BYTES = 16_000_000;
const BLOCK_CACHE_BLOCKS = 256;
const CONVERSATION_CACHE = 8;
/** Expired messages taken out per sweep. */
const EXPIRY_SWEEP = 500;

const CONTEXT = 'enlets-search-v1';
const blockContext = (block: number): string => `${CONTEXT}/block/${block}`;
const segmentContext = (bucket: number, segment: number): string => `${CONTEXT}/seg/${bucket}/${segment}`;
const refKey = (conversationId: string, seq: number): string => `${conversationId}\u0000${seq}`;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A document in its block: the message and its doc key. */
interface BlockDoc extends IndexedMessage {
  readonly docKey: number;
}

interface Location {
  readonly docKey: number;
  readonly block: number;
}

interface PendingEdit {
  readonly senderId: string | null;
  readonly text: string;
  readonly editSeq: number;
}

/**
 * The device's search index over its own history (ADR 0020). Runs in the secure worker, next to the decrypted
 * text it indexes; at rest everything that holds words is sealed with its own AES-GCM key, and tokens are
 * placed in buckets named by HMAC, so the store shows neither the words nor how often each occurs.
 *
 * Layout: messages are documents sealed in blocks of up to 64, each with a doc key that sorts by time. A
 * token's postings — (doc key, block) pairs — live in the bucket of its first three characters, so a prefix is
 * one bucket read. A batch of changes appends one sealed segment per bucket it touches; a bucket with too many
 * segments, or one a message leaves, is rewritten as one. Locator pages map (conversation, seq) to the pair, for
 * edits, deletions and the conversation filter. Writes go one at a time, each one transaction; queries read
 * committed state and check every candidate against its text, which also finds where to highlight.
 *
 * One instance writes a store at a time (the worker holds the account's lock): it keeps the segment numbers and
 * the last block number in memory after its first write.
 */
export class DeviceSearchIndex {
  readonly #store: SearchStore;
  readonly #keys: SearchKeys;
  readonly #buckets = new Map<string, Promise<number>>();
  /** Messages removed since this index was opened: a late `put` from an older read must not bring one back. */
  readonly #removed = new Set<string>();
  /** Edits that arrived before their message was indexed (history is walked newest first). */
  readonly #orphanEdits = new Map<string, PendingEdit>();
  #writing: Promise<unknown> = Promise.resolve();
  #segmentNumbers: Map<number, number[]> | undefined;
  #lastBlock: number | undefined;
  readonly #segmentCache = new Map<number, Uint8Array[]>();
  #segmentCacheBytes = 0;
  readonly #blockCache = new Map<number, Map<number, BlockDoc[]>>();
  /** The sorted doc keys of the conversations searched in last (the conversation filter). */
  readonly #conversationCache = new Map<string, Float64Array>();
  /** Counts writes: a query caches what it read only if no write committed meanwhile. */
  #generation = 0;

  private constructor(store: SearchStore, keys: SearchKeys) {
    this.#store = store;
    this.#keys = keys;
  }

  /**
   * The index in `store`, with its keys (made and stored on first use). `keys` overrides them: only for tests
   * that show another key reads nothing.
   */
  static async open(store: SearchStore, keys?: SearchKeys): Promise<DeviceSearchIndex> {
    const stored = keys ?? (await store.loadKeys()) ?? (await store.addKeys(await generateSearchKeys()));
    return new DeviceSearchIndex(store, stored);
  }

  /** How far a conversation's history was walked into the index. */
  progress(conversationId: string): Promise<WalkProgress> {
    return this.#store.progress(conversationId);
  }

  /**
   * Applies changes in order, in one transaction, with `progress` recorded in the same one. Batches are what
   * make indexing fast: one segment per touched bucket, one block per 64 new messages.
   */
  apply(changes: readonly IndexChange[], progress: readonly ProgressEntry[] = []): Promise<void> {
    return this.#exclusive(() => this.#applySafely(changes, progress, []));
  }

  /** Takes expired messages out of the index; returns how many were due. */
  removeExpired(now = Date.now()): Promise<number> {
    return this.#exclusive(async () => {
      const due = await this.#store.expired(now, EXPIRY_SWEEP);
      if (due.length === 0) return 0;
      const changes = due.map(({ ref }): IndexChange => ({
        kind: 'remove',
        conversationId: ref.conversationId,
        seq: ref.seq,
      }));
      await this.#applySafely(changes, [], due);
      return due.length;
    });
  }

  /** Messages holding every word of the query (the last as a prefix), newest first. */
  async search(params: SearchParams): Promise<SearchResult> {
    const query = parseQuery(params.query);
    if (isEmptyQuery(query)) return { hits: [], more: false };
    const generation = this.#generation;
    const runsPerTerm = await this.#postingRuns(query, generation);
    // The term with the fewest postings drives (newest first); the others, and the conversation, are filters.
    const totals = runsPerTerm.map((runs) => runs.reduce((sum, run) => sum + run.length, 0));
    const driver = totals.indexOf(Math.min(...totals));
    if ((totals[driver] ?? 0) === 0) return { hits: [], more: false };
    // Sorted typed arrays and binary search rather than sets: doc keys are beyond small integers, and a set of
    // tens of thousands of them would allocate each.
    const required = runsPerTerm.filter((_, index) => index !== driver).map(sortedDocKeys);
    if (params.conversationId !== undefined)
      required.push(await this.#conversationDocKeys(params.conversationId, generation));
    const candidates = newestFirst(runsPerTerm[driver] ?? []);
    const now = params.now ?? Date.now();
    const hits: SearchHit[] = [];
    const opened = new Map<number, Map<number, BlockDoc[]>>();
    // One more than asked, to know whether there are more. The postings are exact, so nearly every candidate
    // is a hit: few blocks are opened, however common the word.
    while (hits.length <= params.limit) {
      const batch: (readonly [number, number])[] = [];
      const wanted = Math.max(8, params.limit + 1 - hits.length);
      for (let next = candidates.next(); !next.done; next = candidates.next()) {
        const [docKey] = next.value;
        if (!required.every((sorted) => includes(sorted, docKey))) continue;
        batch.push(next.value);
        if (batch.length >= wanted) break;
      }
      if (batch.length === 0) break;
      await this.#openBlocks([...new Set(batch.map(([, block]) => block))], opened, generation);
      for (const [docKey, block] of batch) {
        for (const doc of opened.get(block)?.get(docKey) ?? []) {
          if (params.conversationId !== undefined && doc.conversationId !== params.conversationId) continue;
          if (doc.expiresAt !== null && doc.expiresAt <= now) continue;
          const matches = matchIn(doc.text, query);
          if (matches === undefined) continue;
          const snippet = snippetOf(doc.text, matches);
          hits.push({
            conversationId: doc.conversationId,
            seq: doc.seq,
            senderId: doc.senderId,
            createdAt: doc.createdAt,
            snippet: snippet.text,
            highlights: snippet.highlights,
          });
        }
      }
    }
    return { hits: hits.slice(0, params.limit), more: hits.length > params.limit };
  }

  /** For each term (exact words, then the prefix): its postings, as runs sorted by doc key. */
  async #postingRuns(query: ParsedQuery, generation: number): Promise<number[][][]> {
    const terms = [
      ...query.exact.map((token) => ({ token, prefix: false })),
      ...(query.prefix === undefined ? [] : [{ token: query.prefix, prefix: true }]),
    ];
    const buckets = await Promise.all(terms.map((term) => this.#bucket(term.token)));
    const opened = new Map<number, Uint8Array[]>();
    for (const bucket of new Set(buckets)) {
      const cached = this.#segmentCache.get(bucket);
      if (cached !== undefined) opened.set(bucket, cached);
    }
    const missing = [...new Set(buckets)].filter((bucket) => !opened.has(bucket));
    const rows = await this.#store.segments(missing);
    await Promise.all(
      missing.map(async (bucket, index) => {
        const segments = await Promise.all(
          (rows[index] ?? []).map((row) => open(this.#keys, row.sealed, segmentContext(bucket, row.segment))),
        );
        opened.set(bucket, segments);
        if (generation === this.#generation) this.#cacheSegments(bucket, segments);
      }),
    );
    return terms.map((term, index) => {
      const runs: number[][] = [];
      const bytes = encoder.encode(term.token);
      for (const segment of opened.get(buckets[index] ?? -1) ?? [])
        collectPostings(segment, bytes, term.prefix, runs);
      return runs;
    });
  }

  /** Opens blocks into `opened`: block → doc key → documents. */
  async #openBlocks(
    blocks: readonly number[],
    opened: Map<number, Map<number, BlockDoc[]>>,
    generation: number,
  ): Promise<void> {
    const missing: number[] = [];
    for (const block of blocks) {
      const cached = this.#blockCache.get(block);
      if (cached === undefined) {
        missing.push(block);
        continue;
      }
      // Most recently used last: the oldest entry is the one evicted.
      this.#blockCache.delete(block);
      this.#blockCache.set(block, cached);
      opened.set(block, cached);
    }
    const docs = await this.#readBlocks(missing);
    for (const [index, block] of missing.entries()) {
      const byKey = new Map<number, BlockDoc[]>();
      for (const doc of docs[index] ?? []) {
        const list = byKey.get(doc.docKey);
        if (list === undefined) byKey.set(doc.docKey, [doc]);
        else list.push(doc);
      }
      opened.set(block, byKey);
      if (generation !== this.#generation) continue;
      this.#blockCache.set(block, byKey);
      for (const oldest of this.#blockCache.keys()) {
        if (this.#blockCache.size <= BLOCK_CACHE_BLOCKS) break;
        this.#blockCache.delete(oldest);
      }
    }
  }

  async #conversationDocKeys(conversationId: string, generation: number): Promise<Float64Array> {
    const cached = this.#conversationCache.get(conversationId);
    if (cached !== undefined) return cached;
    const pages = await this.#store.conversationLocators(conversationId);
    const docKeys = new Float64Array(pages.reduce((sum, entries) => sum + entries.length / 3, 0));
    let at = 0;
    for (const entries of pages) for (let i = 1; i < entries.length; i += 3) docKeys[at++] = entries[i] ?? 0;
    docKeys.sort();
    if (generation === this.#generation) {
      this.#conversationCache.set(conversationId, docKeys);
      for (const oldest of this.#conversationCache.keys()) {
        if (this.#conversationCache.size <= CONVERSATION_CACHE) break;
        this.#conversationCache.delete(oldest);
      }
    }
    return docKeys;
  }

  #cacheSegments(bucket: number, segments: Uint8Array[]): void {
    const bytes = segments.reduce((sum, segment) => sum + segment.length, 0);
    if (bytes > SEGMENT_CACHE_BYTES / 4) return;
    this.#segmentCache.set(bucket, segments);
    this.#segmentCacheBytes += bytes;
    for (const [oldest, cached] of this.#segmentCache) {
      if (this.#segmentCacheBytes <= SEGMENT_CACHE_BYTES) break;
      this.#segmentCache.delete(oldest);
      this.#segmentCacheBytes -= cached.reduce((sum, segment) => sum + segment.length, 0);
    }
  }

  /** What a write changed is no longer what the caches hold. */
  #invalidate(write: SearchWrite): void {
    this.#generation += 1;
    for (const { block } of write.putBlocks) this.#blockCache.delete(block);
    for (const block of write.deleteBlocks) this.#blockCache.delete(block);
    for (const { conversationId } of [...write.putLocators, ...write.deleteLocators])
      this.#conversationCache.delete(conversationId);
    for (const { bucket } of [...write.putSegments, ...write.deleteSegments]) {
      const cached = this.#segmentCache.get(bucket);
      if (cached === undefined) continue;
      this.#segmentCache.delete(bucket);
      this.#segmentCacheBytes -= cached.reduce((sum, segment) => sum + segment.length, 0);
    }
  }

  async #readBlocks(blocks: readonly number[]): Promise<(BlockDoc[] | undefined)[]> {
    const sealed = await this.#store.blocks(blocks);
    return Promise.all(
      sealed.map(async (record, index) =>
        record === undefined
          ? undefined
          : decodeBlock(await open(this.#keys, record, blockContext(blocks[index] ?? 0))),
      ),
    );
  }

  /** On any failure, what is cached in memory may no longer be what is stored: it is read again next time. */
  async #applySafely(
    changes: readonly IndexChange[],
    progress: readonly ProgressEntry[],
    expiredEntries: readonly ExpiryEntry[],
  ): Promise<void> {
    try {
      await this.#apply(changes, progress, expiredEntries);
    } catch (error) {
      this.#segmentNumbers = undefined;
      this.#lastBlock = undefined;
      throw error;
    }
  }

  async #apply(
    changes: readonly IndexChange[],
    progress: readonly ProgressEntry[],
    expiredEntries: readonly ExpiryEntry[],
  ): Promise<void> {
    const refs = new Map<string, DocRef>();
    for (const change of changes) {
      const ref = change.kind === 'put' ? change.message : change;
      refs.set(refKey(ref.conversationId, ref.seq), { conversationId: ref.conversationId, seq: ref.seq });
    }
    const locators = await LocatorBook.load(this.#store, [...refs.values()]);
    const blocks = new BlockBook();
    const located = new Set<number>();
    for (const ref of refs.values()) {
      const location = locators.get(ref);
      if (location !== undefined) located.add(location.block);
    }
    await this.#loadBlocks(blocks, [...located]);
    const existing = new Map<string, { location: Location; message: BlockDoc }>();
    for (const [key, ref] of refs) {
      const location = locators.get(ref);
      const message = location === undefined ? undefined : blocks.get(location.block, key);
      if (location !== undefined && message !== undefined) existing.set(key, { location, message });
      else if (location !== undefined) locators.delete(ref);
    }
    const wanted = this.#fold(changes, existing);

    const write: Mutable<SearchWrite> = {
      putBlocks: [],
      deleteBlocks: [],
      putLocators: [],
      deleteLocators: [],
      putSegments: [],
      deleteSegments: [],
      putExpiry: [],
      deleteExpiry: [...expiredEntries],
      progress: [...progress],
    };
    const removals = new Map<string, Set<string>>();
    const additions = new Map<string, number[]>();
    const newDocs: { key: string; ref: DocRef; message: IndexedMessage }[] = [];
    for (const [key, ref] of refs) {
      const before = existing.get(key);
      const after = wanted.get(key);
      if (before === undefined && after === undefined) continue;
      if (before !== undefined && after !== undefined && sameMessage(before.message, after)) continue;
      if (before !== undefined && (after === undefined || after.createdAt !== before.message.createdAt)) {
        // Gone, or moved in time (its doc key is its time): out with all its tokens.
        const { docKey, block } = before.location;
        blocks.remove(block, key);
        locators.delete(ref);
        for (const token of tokensOf(before.message.text)) addTo(removals, token, pairKey(docKey, block));
        if (before.message.expiresAt !== null)
          write.deleteExpiry.push({ expiresAt: before.message.expiresAt, ref });
        if (after !== undefined) newDocs.push({ key, ref, message: after });
      } else if (before !== undefined && after !== undefined) {
        // Edited in place: only the tokens that changed move.
        const { docKey, block } = before.location;
        blocks.put(block, key, { ...after, docKey });
        const old = tokensOf(before.message.text);
        const now = tokensOf(after.text);
        for (const token of old) if (!now.has(token)) addTo(removals, token, pairKey(docKey, block));
        for (const token of now) if (!old.has(token)) pushTo(additions, token, docKey, block);
        if (before.message.expiresAt !== after.expiresAt) {
          if (before.message.expiresAt !== null)
            write.deleteExpiry.push({ expiresAt: before.message.expiresAt, ref });
          if (after.expiresAt !== null) write.putExpiry.push({ expiresAt: after.expiresAt, ref });
        }
      } else if (after !== undefined) {
        newDocs.push({ key, ref, message: after });
      }
    }
    await this.#place(newDocs, blocks, locators, additions, write);
    if (
      !blocks.changed &&
      !locators.changed &&
      write.progress.length === 0 &&
      write.deleteExpiry.length === 0
    )
      return;

    const segmentNumbers = await this.#plannedSegments(additions, removals, write);
    await Promise.all(
      blocks.dirty().map(async ({ block, docs }) => {
        if (docs.length === 0) write.deleteBlocks.push(block);
        else
          write.putBlocks.push({
            block,
            sealed: await seal(this.#keys, encodeBlock(docs), blockContext(block)),
          });
      }),
    );
    locators.changes(write);
    // Before the write: a query reading meanwhile must not cache what is about to change.
    this.#invalidate(write);
    await this.#store.write(write);
    this.#invalidate(write);
    this.#segmentNumbers = segmentNumbers;
  }

  /**
   * New documents, in time order, fill the last block and then new ones; a doc key already in its block (two
   * messages in one millisecond) moves up until it is free there.
   */
  async #place(
    docs: readonly { key: string; ref: DocRef; message: IndexedMessage }[],
    blocks: BlockBook,
    locators: LocatorBook,
    additions: Map<string, number[]>,
    write: Mutable<SearchWrite>,
  ): Promise<void> {
    if (docs.length === 0) return;
    this.#lastBlock ??= (await this.#store.lastBlock()) ?? -1;
    let block = this.#lastBlock;
    if (block >= 0 && !blocks.has(block)) await this.#loadBlocks(blocks, [block]);
    const ordered = docs
      .map((doc) => ({
        ...doc,
        docKey:
          Math.max(0, Math.floor(doc.message.createdAt)) * KEYS_PER_MS + (doc.message.seq % KEYS_PER_MS),
      }))
      .sort((a, b) => a.docKey - b.docKey);
    for (const { key, ref, message, docKey: wantedKey } of ordered) {
      if (block < 0 || blocks.size(block) >= BLOCK_DOCS) {
        block += 1;
        blocks.create(block);
      }
      let docKey = wantedKey;
      while (blocks.hasDocKey(block, docKey)) docKey += 1;
      blocks.put(block, key, { ...message, docKey });
      locators.set(ref, { docKey, block });
      for (const token of tokensOf(message.text)) pushTo(additions, token, docKey, block);
      if (message.expiresAt !== null) write.putExpiry.push({ expiresAt: message.expiresAt, ref });
    }
    this.#lastBlock = block;
  }

  async #loadBlocks(blocks: BlockBook, numbers: readonly number[]): Promise<void> {
    const wanted = numbers.filter((block) => !blocks.has(block));
    const docs = await this.#readBlocks(wanted);
    for (const [index, block] of wanted.entries()) blocks.add(block, docs[index] ?? []);
  }

  /** The messages as they should stand after `changes`, starting from what is indexed. */
  #fold(
    changes: readonly IndexChange[],
    existing: ReadonlyMap<string, { readonly message: BlockDoc }>,
  ): Map<string, IndexedMessage | undefined> {
    const wanted = new Map<string, IndexedMessage | undefined>();
    for (const [key, { message }] of existing) wanted.set(key, stripDocKey(message));
    for (const change of changes) {
      if (change.kind === 'remove') {
        const key = refKey(change.conversationId, change.seq);
        wanted.set(key, undefined);
        this.#orphanEdits.delete(key);
        remember(this.#removed, key);
        continue;
      }
      if (change.kind === 'edit') {
        const key = refKey(change.conversationId, change.seq);
        if (this.#removed.has(key)) continue;
        const current = wanted.get(key);
        if (current === undefined) {
          const waiting = this.#orphanEdits.get(key);
          if (waiting === undefined || waiting.editSeq < change.editSeq)
            rememberEntry(this.#orphanEdits, key, {
              senderId: change.senderId,
              text: change.text,
              editSeq: change.editSeq,
            });
        } else if (current.senderId === change.senderId && change.editSeq > current.textSeq) {
          // Only the author's edits count (the server enforces it; a stray edit is not trusted either).
          wanted.set(key, { ...current, text: change.text, textSeq: change.editSeq });
        }
        continue;
      }
      const key = refKey(change.message.conversationId, change.message.seq);
      if (this.#removed.has(key)) continue;
      let message = change.message;
      const waiting = this.#orphanEdits.get(key);
      if (waiting !== undefined) {
        this.#orphanEdits.delete(key);
        if (waiting.senderId === message.senderId && waiting.editSeq > message.textSeq)
          message = { ...message, text: waiting.text, textSeq: waiting.editSeq };
      }
      const current = wanted.get(key);
      // A later edit already applied wins over the message's first words read again.
      if (current !== undefined && current.senderId === message.senderId && current.textSeq > message.textSeq)
        message = { ...message, text: current.text, textSeq: current.textSeq };
      wanted.set(key, message);
    }
    return wanted;
  }

  /**
   * One new segment per bucket with additions only; a bucket with removals, or with too many segments, is
   * rewritten as one merged segment (and dropped when nothing is left in it). Returns the segment numbers as
   * they will be once `write` is committed.
   */
  async #plannedSegments(
    additions: ReadonlyMap<string, number[]>,
    removals: ReadonlyMap<string, Set<string>>,
    write: Mutable<SearchWrite>,
  ): Promise<Map<number, number[]>> {
    const numbers = await this.#segmentNumbersNow();
    const bucketOfToken = await this.#bucketsOf([...additions.keys(), ...removals.keys()]);
    const added = new Map<number, Map<string, number[]>>();
    const removed = new Map<number, Map<string, Set<string>>>();
    for (const [token, pairs] of additions) nested(added, bucketOfToken.get(token) ?? 0).set(token, pairs);
    for (const [token, pairs] of removals) nested(removed, bucketOfToken.get(token) ?? 0).set(token, pairs);
    const buckets = [...new Set([...added.keys(), ...removed.keys()])];
    const planned = new Map(numbers);
    const rewrite = buckets.filter(
      (bucket) => removed.has(bucket) || (numbers.get(bucket)?.length ?? 0) + 1 > MAX_SEGMENTS,
    );
    const rewriting = new Set(rewrite);
    const publish = async (
      bucket: number,
      postings: ReadonlyMap<string, readonly number[]>,
    ): Promise<void> => {
      const existing = numbers.get(bucket) ?? [];
      const segment = (existing.at(-1) ?? -1) + 1;
      planned.set(bucket, rewriting.has(bucket) ? [segment] : [...existing, segment]);
      const sealed = await seal(this.#keys, encodeSegment(postings), segmentContext(bucket, segment));
      write.putSegments.push({ bucket, segment, sealed });
    };
    await Promise.all(
      buckets
        .filter((bucket) => !rewriting.has(bucket))
        .map((bucket) => publish(bucket, added.get(bucket) ?? new Map())),
    );
    // Rewrites a few buckets at a time: only their decoded postings are in memory at once.
    for (let from = 0; from < rewrite.length; from += REWRITE_CHUNK) {
      const chunk = rewrite.slice(from, from + REWRITE_CHUNK);
      const rows = await this.#store.segments(chunk);
      await Promise.all(
        chunk.map(async (bucket, index) => {
          const bucketRows = rows[index] ?? [];
          const segments = await Promise.all(
            bucketRows.map(async (row) =>
              decodeSegment(await open(this.#keys, row.sealed, segmentContext(bucket, row.segment))),
            ),
          );
          const merged = mergePostings(
            segments,
            added.get(bucket) ?? new Map(),
            removed.get(bucket) ?? new Map(),
          );
          for (const row of bucketRows) write.deleteSegments.push({ bucket, segment: row.segment });
          planned.set(bucket, []);
          if (merged.size > 0) await publish(bucket, merged);
          if (planned.get(bucket)?.length === 0) planned.delete(bucket);
        }),
      );
    }
    return planned;
  }

  /** The segment numbers of every bucket, read once (this index is the only writer of its store). */
  async #segmentNumbersNow(): Promise<Map<number, number[]>> {
    if (this.#segmentNumbers !== undefined) return this.#segmentNumbers;
    const numbers = new Map<number, number[]>();
    for (const [bucket, segment] of await this.#store.segmentKeys()) {
      const list = numbers.get(bucket);
      if (list === undefined) numbers.set(bucket, [segment]);
      else list.push(segment);
    }
    for (const list of numbers.values()) list.sort((a, b) => a - b);
    this.#segmentNumbers = numbers;
    return numbers;
  }

  /** The bucket of each token. */
  async #bucketsOf(tokens: readonly string[]): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    await Promise.all(
      [...new Set(tokens)].map(async (token) => {
        result.set(token, await this.#bucket(token));
      }),
    );
    return result;
  }

  /** The bucket of a token: HMAC of its first characters, remembered (bounded) to spare WebCrypto calls. */
  #bucket(token: string): Promise<number> {
    const name = bucketName(token);
    const known = this.#buckets.get(name);
    if (known !== undefined) return known;
    const bucket = bucketOf(this.#keys, name);
    if (this.#buckets.size >= MAX_CACHED_BUCKETS) this.#buckets.clear();
    this.#buckets.set(name, bucket);
    return bucket;
  }

  /** Runs writes one after another: each reads the state the previous one committed. */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#writing.then(work, work);
    this.#writing = run.catch(() => undefined);
    return run;
  }
}

/** The documents of the blocks a batch touches, by block, with what changed. */
class BlockBook {
  readonly #blocks = new Map<number, Map<string, BlockDoc>>();
  readonly #dirty = new Set<number>();

  get changed(): boolean {
    return this.#dirty.size > 0;
  }

  has(block: number): boolean {
    return this.#blocks.has(block);
  }

  add(block: number, docs: readonly BlockDoc[]): void {
    this.#blocks.set(block, new Map(docs.map((doc) => [refKey(doc.conversationId, doc.seq), doc])));
  }

  create(block: number): void {
    if (!this.#blocks.has(block)) this.#blocks.set(block, new Map());
  }

  size(block: number): number {
    return this.#blocks.get(block)?.size ?? 0;
  }

  get(block: number, key: string): BlockDoc | undefined {
    return this.#blocks.get(block)?.get(key);
  }

  hasDocKey(block: number, docKey: number): boolean {
    for (const doc of this.#blocks.get(block)?.values() ?? []) if (doc.docKey === docKey) return true;
    return false;
  }

  put(block: number, key: string, doc: BlockDoc): void {
    this.create(block);
    this.#blocks.get(block)?.set(key, doc);
    this.#dirty.add(block);
  }

  remove(block: number, key: string): void {
    if (this.#blocks.get(block)?.delete(key) === true) this.#dirty.add(block);
  }

  dirty(): { block: number; docs: BlockDoc[] }[] {
    return [...this.#dirty].map((block) => ({ block, docs: [...(this.#blocks.get(block)?.values() ?? [])] }));
  }
}

/** The locator pages a batch touches: (conversation, seq) → (doc key, block), with what changed. */
class LocatorBook {
  readonly #pages = new Map<string, { key: LocatorPageKey; entries: Map<number, Location> }>();
  readonly #dirty = new Set<string>();

  static async load(store: SearchStore, refs: readonly DocRef[]): Promise<LocatorBook> {
    const book = new LocatorBook();
    const keys = new Map<string, LocatorPageKey>();
    for (const ref of refs) {
      const key = pageOf(ref);
      keys.set(pageId(key), key);
    }
    const wanted = [...keys.values()];
    const found = await store.locators(wanted);
    for (const [index, key] of wanted.entries()) {
      const entries = new Map<number, Location>();
      const stored = found[index];
      if (stored !== undefined)
        for (let i = 0; i < stored.length; i += 3)
          entries.set(stored[i] ?? 0, { docKey: stored[i + 1] ?? 0, block: stored[i + 2] ?? 0 });
      book.#pages.set(pageId(key), { key, entries });
    }
    return book;
  }

  get changed(): boolean {
    return this.#dirty.size > 0;
  }

  get(ref: DocRef): Location | undefined {
    return this.#pages.get(pageId(pageOf(ref)))?.entries.get(ref.seq);
  }

  set(ref: DocRef, location: Location): void {
    const id = pageId(pageOf(ref));
    this.#pages.get(id)?.entries.set(ref.seq, location);
    this.#dirty.add(id);
  }

  delete(ref: DocRef): void {
    const id = pageId(pageOf(ref));
    if (this.#pages.get(id)?.entries.delete(ref.seq) === true) this.#dirty.add(id);
  }

  changes(write: Mutable<SearchWrite>): void {
    for (const id of this.#dirty) {
      const page = this.#pages.get(id);
      if (page === undefined) continue;
      if (page.entries.size === 0) {
        write.deleteLocators.push(page.key);
        continue;
      }
      const entries = new Float64Array(page.entries.size * 3);
      let at = 0;
      for (const [seq, { docKey, block }] of page.entries) {
        entries[at++] = seq;
        entries[at++] = docKey;
        entries[at++] = block;
      }
      write.putLocators.push({ ...page.key, entries });
    }
  }
}

const pageOf = (ref: DocRef): LocatorPageKey => ({
  conversationId: ref.conversationId,
  page: Math.floor(ref.seq / LOCATOR_PAGE),
});
const pageId = (key: LocatorPageKey): string => `${key.conversationId}\u0000${key.page}`;

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer E)[] ? E[] : T[K] };

/** The doc keys of a term's postings, ascending. */
function sortedDocKeys(runs: readonly (readonly number[])[]): Float64Array {
  const docKeys = new Float64Array(runs.reduce((sum, run) => sum + run.length / 2, 0));
  let at = 0;
  for (const run of runs) for (let i = 0; i < run.length; i += 2) docKeys[at++] = run[i] ?? 0;
  return docKeys.sort();
}

/** Binary search in ascending doc keys. */
function includes(sorted: Float64Array, docKey: number): boolean {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const value = sorted[middle] ?? 0;
    if (value === docKey) return true;
    if (value < docKey) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

function sameMessage(a: IndexedMessage, b: IndexedMessage): boolean {
  return (
    a.text === b.text &&
    a.textSeq === b.textSeq &&
    a.createdAt === b.createdAt &&
    a.expiresAt === b.expiresAt &&
    a.senderId === b.senderId
  );
}

function stripDocKey(doc: BlockDoc): IndexedMessage {
  const { docKey: _docKey, ...message } = doc;
  return message;
}

function encodeBlock(docs: readonly BlockDoc[]): Uint8Array {
  return encoder.encode(
    JSON.stringify(
      docs.map((doc) => ({
        c: doc.conversationId,
        s: doc.seq,
        u: doc.senderId,
        t: doc.createdAt,
        x: doc.expiresAt,
        v: doc.textSeq,
        k: doc.docKey,
        b: doc.text,
      })),
    ),
  );
}

function decodeBlock(bytes: Uint8Array): BlockDoc[] {
  const docs = JSON.parse(decoder.decode(bytes)) as {
    c: string;
    s: number;
    u: string | null;
    t: number;
    x: number | null;
    v: number;
    k: number;
    b: string;
  }[];
  return docs.map((doc) => ({
    conversationId: doc.c,
    seq: doc.s,
    senderId: doc.u,
    createdAt: doc.t,
    expiresAt: doc.x,
    textSeq: doc.v,
    docKey: doc.k,
    text: doc.b,
  }));
}

function addTo(map: Map<string, Set<string>>, token: string, pair: string): void {
  const set = map.get(token);
  if (set === undefined) map.set(token, new Set([pair]));
  else set.add(pair);
}

function pushTo(map: Map<string, number[]>, token: string, docKey: number, block: number): void {
  const list = map.get(token);
  if (list === undefined) map.set(token, [docKey, block]);
  else list.push(docKey, block);
}

function nested<V>(map: Map<number, Map<string, V>>, bucket: number): Map<string, V> {
  let inner = map.get(bucket);
  if (inner === undefined) {
    inner = new Map();
    map.set(bucket, inner);
  }
  return inner;
}

/** Adds to a bounded set, forgetting the oldest entries first. */
function remember(set: Set<string>, key: string): void {
  set.delete(key);
  set.add(key);
  if (set.size > MAX_REMOVED)
    for (const oldest of set) {
      set.delete(oldest);
      break;
    }
}

function rememberEntry<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_ORPHAN_EDITS)
    for (const oldest of map.keys()) {
      map.delete(oldest);
      break;
    }
}
