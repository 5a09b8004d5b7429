import type { SearchRequest, SearchResponse, ShownContent, ShownEvent } from '../worker-protocol.js';
import type { DeviceSearchIndex, IndexChange } from './search-index.js';
import type { WalkProgress } from './search-store.js';

/** A page of a conversation's history before `beforeSeq`, as the worker shows it (content decoded). */
export type HistoryPage = (
  conversationId: string,
  beforeSeq: number,
  limit: number,
) => Promise<readonly ShownEvent[]>;

/** Events per history request while walking a conversation (the server's maximum page). */
const HISTORY_PAGE = 500;
/** Changes per index batch while walking: one segment per touched bucket per batch. */
const WALK_BATCH = 4_000;
/** Live events wait this long to be indexed together (a sync burst is one batch, not hundreds). */
const LIVE_DELAY_MS = 250;
const LIVE_BATCH = 500;
const EXPIRY_SWEEP_MS = 60_000;
const MAX_QUERY_CHARS = 200;
const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 30;

/** Content this device could read: the only content that is indexed. */
const READABLE: ReadonlySet<ShownEvent['status']> = new Set(['decrypted', 'own', 'shared']);

/**
 * The device search as the worker runs it (ADR 0020): feeds the index with every event the messenger decrypts
 * (batched), walks each conversation's history into it once — newest first, from where the last walk stopped —
 * so that what this browser had before the index existed, what the archive restored on a new browser and what
 * was shared with it (ADR 0016) are found too, and answers the page's queries.
 */
export class DeviceSearch {
  readonly #index: DeviceSearchIndex;
  readonly #history: HistoryPage;
  readonly #now: () => number;
  #queue: IndexChange[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #sweepTimer: ReturnType<typeof setInterval>;
  /** Walks asked for and not started yet. */
  readonly #requested: WalkRequest[] = [];
  /** The walking under way, if any. */
  #walking: Promise<void> | undefined;
  /** A catch-up waiting for the app to show itself first (`catchUpAfter`). */
  #deferred: Promise<void> | undefined;
  /** What walks read, across conversations, until a batch is full or the last walk is done. */
  #walkBatch: IndexChange[] = [];
  /** Each walking conversation's progress after its last page read, written with the batch holding that page. */
  #walkProgress = new Map<string, WalkProgress>();
  #closed = false;

  constructor(index: DeviceSearchIndex, history: HistoryPage, now: () => number = Date.now) {
    this.#index = index;
    this.#history = history;
    this.#now = now;
    this.#sweepTimer = setInterval(() => {
      this.#index.removeExpired(this.#now()).catch(() => undefined);
    }, EXPIRY_SWEEP_MS);
  }

  /** True while history is still being walked into the index. */
  get indexing(): boolean {
    return this.#walking !== undefined || this.#deferred !== undefined;
  }

  /** Settles when the walks scheduled so far are done. */
  async whenIndexed(): Promise<void> {
    await this.#deferred;
    await this.#walking;
  }

  /** A live event: indexed with the others that arrive within LIVE_DELAY_MS. */
  noteEvent(shown: ShownEvent): void {
    if (this.#closed) return;
    const changes = changesOf(shown, this.#now());
    if (changes.length === 0) return;
    this.#queue.push(...changes);
    if (this.#queue.length >= LIVE_BATCH) void this.flush();
    else this.#flushTimer ??= setTimeout(() => void this.flush(), LIVE_DELAY_MS);
  }

  /** Indexes the live events waiting. An index that cannot be written loses them, never the messages. */
  async flush(): Promise<void> {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const changes = this.#queue;
    this.#queue = [];
    if (changes.length > 0) await this.#index.apply(changes).catch(() => undefined);
  }

  /**
   * Walks into the index what each conversation gained since its last walk (everything, the first time):
   * one conversation after another, in the background.
   */
  catchUp(conversations: readonly { readonly id: string; readonly headSeq: number }[]): void {
    this.#index.removeExpired(this.#now()).catch(() => undefined);
    for (const { id, headSeq } of conversations) this.#schedule(id, headSeq, false);
  }

  /**
   * `catchUp` once `delayMs` have passed, with the conversations `list` gives then. Opening a returning browser
   * must not wait for the worker to read and seal thousands of messages (measured: with a 10,000-message
   * conversation still being walked, the conversation list of 500 took 1.4 s to show instead of 0.6 s). Meanwhile
   * `indexing` is true, so a search says older messages are still being prepared and asks again.
   */
  catchUpAfter(
    delayMs: number,
    list: () => Promise<readonly { readonly id: string; readonly headSeq: number }[]>,
  ): void {
    if (this.#closed || this.#deferred !== undefined) return;
    this.#deferred = new Promise<void>((resolve) => setTimeout(resolve, delayMs))
      .then(async () => {
        if (!this.#isClosed()) this.catchUp(await list());
      })
      .catch(() => undefined)
      .finally(() => {
        this.#deferred = undefined;
      });
  }

  /** Walks a conversation's whole history again (earlier messages were shared with this device). */
  reindex(conversationId: string): void {
    this.#schedule(conversationId, undefined, true);
  }

  async search(request: SearchRequest): Promise<SearchResponse> {
    const { query, conversationId, limit } = validSearch(request);
    // What just arrived is findable at once.
    await this.flush();
    const result = await this.#index.search({
      query,
      limit,
      now: this.#now(),
      ...(conversationId === undefined ? {} : { conversationId }),
    });
    return { ...result, indexing: this.indexing };
  }

  /**
   * Stops walking; the live events waiting are indexed first, and what the walks read so far with their progress
   * (the next open goes on from there).
   */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweepTimer);
    await this.flush();
    await this.#flushWalks().catch(() => undefined);
  }

  /** Read through a method: a walk checks it again after each await (closing happens meanwhile). */
  #isClosed(): boolean {
    return this.#closed;
  }

  #schedule(conversationId: string, headSeq: number | undefined, full: boolean): void {
    this.#requested.push({ conversationId, headSeq, full });
    this.#walking ??= this.#walkAll()
      // Offline, or the index cannot be written: the next open walks again from the same places.
      .catch(() => undefined)
      .finally(() => {
        this.#walking = undefined;
      });
  }

  /**
   * Walks every conversation asked for, newest first, one page of each in turn: the newest messages of all
   * conversations are indexed first (and sealed in the same blocks, so the newest hits of a query are a few
   * block reads). Down to the seq the last walk of each reached. An edit comes before the message it edits
   * here; the index holds it until the message comes (`DeviceSearchIndex`), and the newest edit wins. Progress
   * is recorded per page (`progressAfter`) and written with (or after) the changes it covers, never before: a
   * walk interrupted by a reload goes on from its last written batch, not from the top of the conversation.
   */
  async #walkAll(): Promise<void> {
    const active: WalkCursor[] = [];
    for (;;) {
      for (let request = this.#requested.shift(); request !== undefined; request = this.#requested.shift()) {
        const cursor = await this.#cursorFor(request);
        if (cursor !== undefined) active.push(cursor);
      }
      if (active.length === 0 || this.#isClosed()) break;
      for (const cursor of [...active]) {
        if (this.#isClosed()) return;
        let finished: boolean;
        try {
          finished = await this.#step(cursor);
        } catch {
          // This conversation could not be read now (gone, offline): the pages read so far keep their
          // progress, the others go on.
          active.splice(active.indexOf(cursor), 1);
          continue;
        }
        if (finished) active.splice(active.indexOf(cursor), 1);
        const progress = progressAfter(cursor, finished);
        if (progress !== undefined) this.#walkProgress.set(cursor.conversationId, progress);
        if (this.#walkBatch.length >= WALK_BATCH) await this.#flushWalks();
      }
    }
    await this.#flushWalks();
  }

  /** Where a walk starts: above what an interrupted walk did, or right below it when nothing came since. */
  async #cursorFor(request: WalkRequest): Promise<WalkCursor | undefined> {
    const { conversationId, headSeq } = request;
    const stored: WalkProgress = request.full ? { complete: 0 } : await this.#index.progress(conversationId);
    const floor = stored.complete;
    const walked = stored.walked;
    if (walked === undefined) {
      if (headSeq !== undefined && headSeq <= floor) return undefined;
      return {
        conversationId,
        floor,
        top: floor,
        beforeSeq: Number.MAX_SAFE_INTEGER,
        skip: undefined,
        openEdits: [],
      };
    }
    if (headSeq !== undefined && headSeq <= walked.top)
      return {
        conversationId,
        floor,
        top: walked.top,
        beforeSeq: walked.bottom,
        skip: undefined,
        openEdits: [],
      };
    return {
      conversationId,
      floor,
      top: floor,
      beforeSeq: Number.MAX_SAFE_INTEGER,
      skip: walked,
      openEdits: [],
    };
  }

  /** One page of a walk; true when the walk reached its floor or the start of the conversation. */
  async #step(cursor: WalkCursor): Promise<boolean> {
    const page = [...(await this.#history(cursor.conversationId, cursor.beforeSeq, HISTORY_PAGE))].sort(
      (a, b) => b.event.seq - a.event.seq,
    );
    const oldest = page.at(-1)?.event.seq;
    if (oldest === undefined) return true;
    const now = this.#now();
    const { skip } = cursor;
    for (const shown of page) {
      const { seq } = shown.event;
      if (seq <= cursor.floor) break;
      // Indexed by the walk that was interrupted.
      if (skip !== undefined && seq <= skip.top && seq >= skip.bottom) continue;
      cursor.top = Math.max(cursor.top, seq);
      for (const change of changesOf(shown, now)) {
        this.#walkBatch.push(change);
        if (change.kind === 'edit') cursor.openEdits.push({ editSeq: seq, refSeq: change.seq });
      }
    }
    cursor.beforeSeq = oldest;
    if (skip !== undefined && oldest <= skip.top + 1) {
      // Down to what the interrupted walk did: on below it.
      cursor.top = Math.max(cursor.top, skip.top);
      cursor.beforeSeq = Math.min(oldest, skip.bottom);
      cursor.skip = undefined;
    }
    // An edit whose message the walk has now read is settled in the index.
    cursor.openEdits = cursor.openEdits.filter((edit) => edit.refSeq < cursor.beforeSeq);
    return cursor.beforeSeq <= cursor.floor + 1 || page.length < HISTORY_PAGE;
  }

  /** Indexes what the walks read so far, with the progress of each walk up to its last page read. */
  async #flushWalks(): Promise<void> {
    const changes = this.#walkBatch;
    const progress = [...this.#walkProgress].map(([conversationId, walk]) => ({
      conversationId,
      progress: walk,
    }));
    this.#walkBatch = [];
    this.#walkProgress = new Map();
    if (changes.length > 0 || progress.length > 0) await this.#index.apply(changes, progress);
  }
}

/**
 * What a walk may record after a page. Finished: everything up to the newest seq it saw. Under way: the range
 * it walked — but not below an edit whose message it has not read yet: the index holds such an edit in memory
 * only, so a walk resumed after a reload must read that edit again (else the message would keep its old words).
 * Nothing while it still walks above the range an interrupted walk left (that record stands until they meet).
 */
function progressAfter(cursor: WalkCursor, finished: boolean): WalkProgress | undefined {
  if (finished) return { complete: Math.max(cursor.top, cursor.floor) };
  if (cursor.skip !== undefined) return undefined;
  const bottom = cursor.openEdits.reduce((low, edit) => Math.max(low, edit.editSeq + 1), cursor.beforeSeq);
  if (bottom > cursor.top) return undefined;
  return { complete: cursor.floor, walked: { top: cursor.top, bottom } };
}

interface WalkRequest {
  readonly conversationId: string;
  /** The conversation's newest seq as listed, when known: nothing to walk when the last walk reached it. */
  readonly headSeq: number | undefined;
  /** Walk everything again, whatever the last walk reached. */
  readonly full: boolean;
}

interface WalkCursor {
  readonly conversationId: string;
  /** Every seq up to this one was walked before: this walk stops there. */
  readonly floor: number;
  /** The newest seq walked: the progress once the walk is done. */
  top: number;
  /** The next page is the one before this seq; every seq from here to `top` was walked. */
  beforeSeq: number;
  /** The range an interrupted walk did, while this one walks what came after it (then undefined). */
  skip: { readonly top: number; readonly bottom: number } | undefined;
  /** Edits read whose message is older than `beforeSeq`: held in the index's memory until it is read. */
  openEdits: { readonly editSeq: number; readonly refSeq: number }[];
}

/** What an event changes in the index. */
export function changesOf(shown: ShownEvent, now: number): IndexChange[] {
  const { event, content, status } = shown;
  const { conversationId } = event;
  switch (event.kind) {
    case 'message': {
      const gone =
        event.payload === null ||
        event.deletedAt !== null ||
        status === 'deleted' ||
        (event.expiresAt !== null && event.expiresAt <= now);
      if (gone) return [{ kind: 'remove', conversationId, seq: event.seq }];
      const text = READABLE.has(status) ? searchableText(content) : undefined;
      if (text === undefined) return [];
      return [
        {
          kind: 'put',
          message: {
            conversationId,
            seq: event.seq,
            senderId: event.senderId,
            createdAt: event.createdAt,
            expiresAt: event.expiresAt,
            text,
            textSeq: event.seq,
          },
        },
      ];
    }
    case 'edit':
      if (content?.type !== 'edit' || event.refSeq === null || !READABLE.has(status)) return [];
      return [
        {
          kind: 'edit',
          conversationId,
          seq: event.refSeq,
          senderId: event.senderId,
          text: content.text,
          editSeq: event.seq,
        },
      ];
    case 'delete':
      return event.refSeq === null ? [] : [{ kind: 'remove', conversationId, seq: event.refSeq }];
    case 'reaction':
    case 'pin':
    case 'unpin':
    case 'system':
    case 'mls.commit':
      return [];
  }
}

/** The words of a message people would look for: its text, its files' names, a poll, a place's label. */
function searchableText(content: ShownContent | null): string | undefined {
  const parts: (string | undefined)[] = [];
  switch (content?.type) {
    case 'text':
      parts.push(content.text);
      break;
    case 'files':
      parts.push(content.text, ...content.files.map((file) => file.name));
      break;
    case 'poll':
      parts.push(content.question, ...content.options);
      break;
    case 'location':
      parts.push(content.label);
      break;
    case 'edit':
    case 'reaction':
    case 'history-share':
    case undefined:
      break;
  }
  const text = parts.filter((part) => part !== undefined && part.trim() !== '').join('\n');
  return text === '' ? undefined : text;
}

/** The page's request, checked: the worker trusts nothing it is sent. */
function validSearch(request: SearchRequest): { query: string; conversationId?: string; limit: number } {
  const { query, conversationId, limit = DEFAULT_LIMIT } = request;
  if (typeof query !== 'string' || query.length > MAX_QUERY_CHARS)
    throw new TypeError(`a search is a string of at most ${MAX_QUERY_CHARS} characters`);
  if (conversationId !== undefined && (typeof conversationId !== 'string' || conversationId.length > 64))
    throw new TypeError('a conversation id is a string');
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new TypeError(`a search returns 1 to ${MAX_LIMIT} hits`);
  return { query, limit, ...(conversationId === undefined ? {} : { conversationId }) };
}
