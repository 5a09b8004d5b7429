import type { ConversationEvent, UserId } from '@enlets/protocol';
import { DeviceSearch } from '../../src/e2ee/search/device-search.js';
import { DeviceSearchIndex } from '../../src/e2ee/search/search-index.js';
import type { ShownEvent } from '../../src/e2ee/worker-protocol.js';
import { IndexedDbSearchStore } from '../../src/storage/indexeddb-search-store.js';
import { openAccountDatabase } from '../../src/storage/open-database.js';

/**
 * The device search benchmark (bench/web/search.ts), in a module Web Worker as the secure worker runs the
 * index: generated messages are walked into the real index over the real IndexedDB store (`DeviceSearch`,
 * the code path a new browser takes), then varied queries are timed.
 */
export interface BenchOptions {
  readonly userId: string;
  readonly messages: number;
  readonly conversations: number;
  readonly queries: number;
}

export interface BenchReport {
  readonly messages: number;
  readonly conversations: number;
  readonly indexingMs: number;
  readonly docBytes: number;
  readonly segmentBytes: number;
  readonly segments: number;
  readonly storageUsageBytes: number | null;
  /** Per kind of query: latencies in ms, each query once. */
  readonly latencies: Readonly<Record<string, number[]>>;
  /** Per kind: the first query on a freshly opened index (nothing decrypted in memory yet). */
  readonly cold: Readonly<Record<string, number>>;
  readonly hitsPerKind: Readonly<Record<string, number>>;
}

/** A small fast PRNG (mulberry32): the same corpus every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMON = [
  'the',
  'and',
  'to',
  'of',
  'a',
  'in',
  'is',
  'on',
  'for',
  'at',
  'with',
  'we',
  'car',
  'suspect',
  'report',
  'der',
  'die',
  'und',
  'ist',
  'nicht',
  'wir',
  'Fahrzeug',
  'Kontrolle',
  'Straße',
  'Übergabe',
  'Grenze',
  'le',
  'la',
  'et',
  'des',
  'véhicule',
  'contrôle',
  'frontière',
  'témoin',
  'enquête',
  'réunion',
  'się',
  'nie',
  'jest',
  'samochód',
  'kontrola',
  'granica',
  'świadek',
  'śledztwo',
  'spotkanie',
  'checkpoint',
  'plates',
  'warrant',
  'border',
  'vehicle',
  'meeting',
  'tomorrow',
  'confirmed',
  'team',
];
const NAMES = [
  'Müller',
  'Łukasz',
  'Lefèvre',
  'Kowalski',
  'Nowak',
  'Schmidt',
  'García',
  'Ångström',
  'Dvořák',
  'Żółw',
  'Ólafsson',
  'Łódź',
  'Gdańsk',
  'Kraków',
  'München',
  'Köln',
  'Zürich',
  'Besançon',
  'Škoda',
  'Citroën',
];
const SYLLABLES = [
  'ka',
  'ro',
  'mi',
  'sen',
  'tal',
  'vor',
  'an',
  'bel',
  'dru',
  'fi',
  'gor',
  'hal',
  'ix',
  'ju',
  'ker',
  'lo',
  'mar',
  'ne',
  'ost',
  'pra',
  'qui',
  'ras',
  'sto',
  'tu',
  'ul',
  'ven',
  'wy',
  'zé',
  'ść',
  'ö',
];

function vocabulary(next: () => number, size: number): string[] {
  const words = new Set<string>([...COMMON, ...NAMES]);
  while (words.size < size) {
    let word = '';
    const length = 2 + Math.floor(next() * 3);
    for (let i = 0; i < length; i += 1) word += SYLLABLES[Math.floor(next() * SYLLABLES.length)] ?? 'a';
    words.add(word);
  }
  return [...words];
}

/** Zipf-like: rank r with weight 1/(r+1); sampled through the cumulative weights. */
function zipf(next: () => number, size: number): () => number {
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let r = 0; r < size; r += 1) {
    total += 1 / (r + 1);
    cumulative[r] = total;
  }
  return () => {
    const target = next() * total;
    let low = 0;
    let high = size - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((cumulative[middle] ?? 0) < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}

interface Corpus {
  readonly words: readonly string[];
  readonly byConversation: readonly (readonly ConversationEvent[])[];
  readonly conversationIds: readonly string[];
  readonly texts: Map<string, string>;
}

function corpus(options: BenchOptions): Corpus {
  const next = random(20_261_128);
  const words = vocabulary(next, 30_000);
  const rank = zipf(next, words.length);
  const conversationIds = Array.from(
    { length: options.conversations },
    (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  );
  const senders = Array.from(
    { length: 12 },
    (_, i) => `10000000-0000-4000-8000-${String(i).padStart(12, '0')}` as UserId,
  );
  const byConversation: ConversationEvent[][] = conversationIds.map(() => []);
  const texts = new Map<string, string>();
  const start = Date.UTC(2025, 0, 1);
  for (let i = 0; i < options.messages; i += 1) {
    // Some conversations are far busier than others.
    const c = Math.min(options.conversations - 1, Math.floor(options.conversations * next() ** 2));
    const conversationId = conversationIds[c] ?? '';
    const events = byConversation[c] ?? [];
    const length = 4 + Math.floor(next() * 24);
    const parts: string[] = [];
    for (let w = 0; w < length; w += 1) parts.push(words[rank()] ?? 'x');
    if (next() < 0.1) parts.push(`AB-${String(Math.floor(next() * 10_000))}`);
    const text = `${parts.join(' ')}.`;
    const seq = events.length + 1;
    texts.set(`${conversationId}/${String(seq)}`, text);
    events.push({
      conversationId,
      seq,
      kind: 'message',
      senderId: senders[Math.floor(next() * senders.length)] ?? null,
      senderDeviceId: 'bench-device',
      clientMessageId: null,
      refSeq: null,
      threadRootSeq: null,
      tlp: 'GREEN',
      mentions: [],
      mentionsAll: false,
      attachments: [],
      payload: 'AA==',
      system: null,
      createdAt: start + i * 20_000,
      expiresAt: null,
      deletedAt: null,
      deletedByManager: false,
    });
  }
  return { words, byConversation, conversationIds, texts };
}

/**
 * Walks a generated corpus into the index (the code path of a new browser) and times it. The corpus lives only
 * in here: the queries that follow run with a worker heap like the real one, not one holding 100,000 events.
 */
async function indexCorpus(
  options: BenchOptions,
  store: IndexedDbSearchStore,
): Promise<{ indexingMs: number; words: readonly string[]; conversationIds: readonly string[] }> {
  const data = corpus(options);
  const history = (conversationId: string, beforeSeq: number, limit: number): Promise<ShownEvent[]> => {
    const events = data.byConversation[data.conversationIds.indexOf(conversationId)] ?? [];
    const end = Math.min(events.length, beforeSeq - 1);
    const page = events.slice(Math.max(0, end - limit), end);
    return Promise.resolve(
      page.map((event) => ({
        event,
        status: 'decrypted' as const,
        content: {
          type: 'text' as const,
          text: data.texts.get(`${conversationId}/${String(event.seq)}`) ?? '',
        },
      })),
    );
  };
  const walker = new DeviceSearch(await DeviceSearchIndex.open(store), history);
  const started = performance.now();
  walker.catchUp(
    data.conversationIds.map((id, index) => ({ id, headSeq: data.byConversation[index]?.length ?? 0 })),
  );
  await walker.whenIndexed();
  const indexingMs = performance.now() - started;
  await walker.close();
  return { indexingMs, words: data.words, conversationIds: data.conversationIds };
}

/** Queries only: nothing is walked. */
const noHistory = (): Promise<ShownEvent[]> => Promise.resolve([]);

async function bench(options: BenchOptions): Promise<BenchReport> {
  const estimateBefore = await navigator.storage.estimate().catch(() => undefined);
  const store = await IndexedDbSearchStore.open(options.userId);
  const { indexingMs, ...data } = await indexCorpus(options, store);
  const search = new DeviceSearch(await DeviceSearchIndex.open(store), noHistory);

  // Varied queries: words of every frequency, two words, prefixes, folded names, one conversation, no hit.
  const next = random(7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const band = (from: number, to: number): string =>
    data.words[from + Math.floor(next() * (to - from))] ?? '';
  const fold = (word: string): string =>
    word.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').replace(/ł/gu, 'l').replace(/ß/gu, 'ss');
  const kinds: Record<string, () => { query: string; conversationId?: string }> = {
    'common word': () => ({ query: `${band(0, 20)} ` }),
    'mid word': () => ({ query: `${band(100, 1_000)} ` }),
    'rare word': () => ({ query: `${band(5_000, 30_000)} ` }),
    'two words': () => ({ query: `${band(20, 300)} ${band(0, 2_000)} ` }),
    'prefix (3-5 chars)': () => {
      const word = band(0, 5_000);
      return { query: word.slice(0, 3 + Math.floor(next() * 3)) };
    },
    'word + prefix': () => ({ query: `${band(0, 200)} ${band(0, 3_000).slice(0, 4)}` }),
    'folded name': () => ({ query: fold(pick(NAMES)) }),
    'in one conversation': () => ({
      query: `${band(0, 500)} `,
      conversationId: data.conversationIds[0] ?? '',
    }),
    'no hit': () => ({ query: 'zzqxv ' }),
  };
  const latencies: Record<string, number[]> = {};
  const cold: Record<string, number> = {};
  const hitsPerKind: Record<string, number> = {};
  for (const [kind, make] of Object.entries(kinds)) {
    const fresh = new DeviceSearch(await DeviceSearchIndex.open(store), noHistory);
    const before = performance.now();
    await fresh.search({ ...make(), limit: 30 });
    cold[kind] = performance.now() - before;
    await fresh.close();
  }
  // Warm up the worker's code paths once.
  await search.search({ query: 'the', limit: 30 });
  const perKind = Math.max(1, Math.floor(options.queries / Object.keys(kinds).length));
  for (const [kind, make] of Object.entries(kinds)) {
    const times: number[] = [];
    let hits = 0;
    for (let i = 0; i < perKind; i += 1) {
      const request = make();
      const before = performance.now();
      const result = await search.search({ ...request, limit: 30 });
      times.push(performance.now() - before);
      hits += result.hits.length;
    }
    latencies[kind] = times;
    hitsPerKind[kind] = hits;
  }
  await search.close();
  store.close();

  const db = await openAccountDatabase(options.userId);
  let docBytes = 0;
  let segmentBytes = 0;
  for (const record of await db.getAll('searchBlocks')) docBytes += record.iv.length + record.data.length;
  const segmentRecords = await db.getAll('searchSegments');
  for (const record of segmentRecords) segmentBytes += record.iv.length + record.data.length;
  db.close();
  const estimateAfter = await navigator.storage.estimate().catch(() => undefined);
  const usage =
    estimateAfter?.usage === undefined ? null : estimateAfter.usage - (estimateBefore?.usage ?? 0);
  return {
    messages: options.messages,
    conversations: options.conversations,
    indexingMs,
    docBytes,
    segmentBytes,
    segments: segmentRecords.length,
    storageUsageBytes: usage,
    latencies,
    cold,
    hitsPerKind,
  };
}

self.addEventListener('message', (event: MessageEvent<BenchOptions>) => {
  bench(event.data).then(
    (report) => self.postMessage(report),
    (error: unknown) =>
      self.postMessage({
        error:
          error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error),
      }),
  );
});
