import type { Sealed, SearchKeys } from './sealing.js';

/** A message by its place: conversation and seq. */
export interface DocRef {
  readonly conversationId: string;
  readonly seq: number;
}

/** A page of a conversation's locators: seqs from `page * LOCATOR_PAGE` on. */
export interface LocatorPageKey {
  readonly conversationId: string;
  readonly page: number;
}

/**
 * Where a conversation's indexed messages are, as stored: flat triples [seq, docKey, block, …]. Metadata the
 * other stores hold in the clear already (which seqs were readable, their times); no words.
 */
export type LocatorEntries = Float64Array;

/** One sealed postings segment of a bucket. */
export interface SegmentRow {
  readonly segment: number;
  readonly sealed: Sealed;
}

/** A disappearing message, by when it goes. */
export interface ExpiryEntry {
  readonly expiresAt: number;
  readonly ref: DocRef;
}

/**
 * How far a conversation's history was walked into the index. A walk goes newest first and records itself page
 * by page, so one interrupted (a reload, going offline) resumes where it stopped instead of from the top.
 */
export interface WalkProgress {
  /** Every seq up to this one was walked (0: none yet). */
  readonly complete: number;
  /**
   * A walk under way: it walked every seq from `top` down to `bottom` (both included; `bottom` > `complete` + 1).
   * The next walk indexes what came after `top`, then goes on below `bottom` down to `complete`.
   */
  readonly walked?: { readonly top: number; readonly bottom: number };
}

/** A conversation's progress, as a write records it. */
export interface ProgressEntry {
  readonly conversationId: string;
  readonly progress: WalkProgress;
}

/** One transaction's worth of changes to the index. */
export interface SearchWrite {
  readonly putBlocks: readonly { readonly block: number; readonly sealed: Sealed }[];
  readonly deleteBlocks: readonly number[];
  readonly putLocators: readonly (LocatorPageKey & { readonly entries: LocatorEntries })[];
  readonly deleteLocators: readonly LocatorPageKey[];
  readonly putSegments: readonly {
    readonly bucket: number;
    readonly segment: number;
    readonly sealed: Sealed;
  }[];
  readonly deleteSegments: readonly { readonly bucket: number; readonly segment: number }[];
  readonly putExpiry: readonly ExpiryEntry[];
  readonly deleteExpiry: readonly ExpiryEntry[];
  /** How far each conversation's history was walked into the index. */
  readonly progress: readonly ProgressEntry[];
}

/**
 * Where the device search keeps its index (ADR 0020): sealed blocks of documents by block number, locator
 * pages by (conversation, page), sealed postings segments by (bucket, segment number), the expiry times of
 * disappearing messages, the keys, and how far each conversation was indexed. The browser's implementation is
 * IndexedDB (`storage/indexeddb-search-store.ts`). `write` must be atomic.
 */
export interface SearchStore {
  /** The stored keys, if any. */
  loadKeys(): Promise<SearchKeys | undefined>;
  /** Stores `keys` unless keys are stored already; returns the keys stored. */
  addKeys(keys: SearchKeys): Promise<SearchKeys>;
  locators(pages: readonly LocatorPageKey[]): Promise<(LocatorEntries | undefined)[]>;
  /** Every locator page of a conversation. */
  conversationLocators(conversationId: string): Promise<LocatorEntries[]>;
  blocks(blocks: readonly number[]): Promise<(Sealed | undefined)[]>;
  /** The highest block number in use, if any. */
  lastBlock(): Promise<number | undefined>;
  /** Every (bucket, segment number) in use. */
  segmentKeys(): Promise<[number, number][]>;
  /** The segments of each bucket. */
  segments(buckets: readonly number[]): Promise<SegmentRow[][]>;
  /** Messages whose expiry is at or before `now`, at most `limit`. */
  expired(now: number, limit: number): Promise<ExpiryEntry[]>;
  /** How far the conversation's history was walked into the index (`{ complete: 0 }`: never). */
  progress(conversationId: string): Promise<WalkProgress>;
  write(write: SearchWrite): Promise<void>;
}
