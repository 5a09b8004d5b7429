import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import type { ConversationEvent, UserId } from '@enlets/protocol';
import type { IndexChange, IndexedMessage } from '../src/e2ee/search/search-index.js';
import type { SearchHit, ShownEvent } from '../src/e2ee/worker-protocol.js';
import { browserUnavailable, launchChromium, openContext, type PageProblems } from './helpers/browser.js';
import { startWebTestServer, type WebTestServer } from './helpers/web-server.js';
import { buildSearchPage } from './search-page/build.js';

const unavailable = browserUnavailable();
if (unavailable !== undefined) console.log(`# device search index suite skipped: ${unavailable}`);

const ANNA = '10000000-0000-4000-8000-00000000000a' as UserId;
const BRUNO = '10000000-0000-4000-8000-00000000000b' as UserId;
const T0 = Date.UTC(2026, 10, 1, 9, 0);
const MINUTE = 60_000;

function message(
  conversationId: string,
  seq: number,
  text: string,
  options: { minute?: number; senderId?: string; expiresAt?: number } = {},
): IndexedMessage {
  return {
    conversationId,
    seq,
    senderId: options.senderId ?? ANNA,
    createdAt: T0 + (options.minute ?? seq) * MINUTE,
    expiresAt: options.expiresAt ?? null,
    text,
    textSeq: seq,
  };
}

const put = (m: IndexedMessage): IndexChange => ({ kind: 'put', message: m });

/** The words each hit's highlights cover, as the page would show them marked. */
const marked = (hit: SearchHit): string[] => hit.highlights.map((h) => hit.snippet.slice(h.start, h.end));
const places = (hits: readonly SearchHit[]): string[] =>
  hits.map((h) => `${h.conversationId.slice(0, 1)}${h.seq}`);

describe('device search index in Chromium (real IndexedDB, WebCrypto)', { skip: unavailable }, () => {
  let removeBuild: () => void;
  let server: WebTestServer;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;

  before(async () => {
    const pageBuild = await buildSearchPage();
    removeBuild = pageBuild.remove;
    server = await startWebTestServer(pageBuild.dir);
    browser = await launchChromium();
    ({ page, problems } = await openContext(browser, 'desktop'));
    await page.goto(server.url);
    await page.waitForFunction(() => 'enletsSearch' in window);
  });

  after(async () => {
    await browser.close();
    await server.close();
    removeBuild();
  });

  /** Applies the changes to the user's index, then runs each query (a reopened index: what was written). */
  async function indexAndSearch(
    userId: string,
    changes: readonly IndexChange[],
    queries: readonly { query: string; conversationId?: string; now?: number }[],
  ): Promise<SearchHit[][]> {
    return page.evaluate(
      async ({ userId, changes, queries }) => {
        const { DeviceSearchIndex, IndexedDbSearchStore } = window.enletsSearch;
        const store = await IndexedDbSearchStore.open(userId);
        await (await DeviceSearchIndex.open(store)).apply(changes);
        const reopened = await DeviceSearchIndex.open(store);
        const results = [];
        for (const query of queries) results.push((await reopened.search({ limit: 20, ...query })).hits);
        store.close();
        return results;
      },
      { userId, changes, queries },
    );
  }

  it('finds words whatever their case and accents, the last word as a prefix, newest first', async () => {
    const userId = randomUUID();
    const x = `a${randomUUID().slice(1)}`;
    const y = `b${randomUUID().slice(1)}`;
    const [
      muller,
      withDiacritics,
      upper,
      city,
      prefix,
      wordAndPrefix,
      notTogether,
      completeWord,
      inX,
      german,
      polish,
      nothing,
    ] = await indexAndSearch(
      userId,
      [
        put(message(x, 1, 'Meeting with Herr Müller at the Łódź border crossing.')),
        put(message(x, 2, 'müller confirmed the plates AB-1234', { senderId: BRUNO })),
        put(message(y, 1, 'MULLER was seen in Kraków, near the Straße.', { minute: 30 })),
        put(message(y, 2, 'Nothing to report from Gdańsk.', { minute: 31 })),
      ],
      [
        { query: 'muller' },
        { query: 'Müller' },
        { query: 'MÜLLER ' },
        { query: 'lodz' },
        { query: 'mul' },
        { query: 'border cro' },
        { query: 'border kraków ' },
        { query: 'mul ' },
        { query: 'muller', conversationId: x },
        { query: 'strasse' },
        { query: 'gdansk' },
        { query: 'zebra' },
      ],
    );
    assert.deepEqual(places(muller ?? []), ['b1', 'a2', 'a1'], 'every spelling, newest first');
    assert.deepEqual(places(withDiacritics ?? []), ['b1', 'a2', 'a1']);
    assert.deepEqual(places(upper ?? []), ['b1', 'a2', 'a1']);
    assert.deepEqual(places(city ?? []), ['a1']);
    assert.deepEqual(marked(city?.[0] as SearchHit), ['Łódź'], 'the word as written is highlighted');
    assert.deepEqual(places(prefix ?? []), ['b1', 'a2', 'a1'], 'the last word is a prefix while typed');
    assert.deepEqual(places(wordAndPrefix ?? []), ['a1']);
    assert.deepEqual(marked(wordAndPrefix?.[0] as SearchHit), ['border', 'crossing']);
    assert.deepEqual(places(notTogether ?? []), [], 'every word must be in the same message');
    assert.deepEqual(
      places(completeWord ?? []),
      [],
      'after a space the word is complete: "mul" is not "müller"',
    );
    assert.deepEqual(places(inX ?? []), ['a2', 'a1'], 'only the conversation asked for');
    assert.deepEqual(places(german ?? []), ['b1']);
    assert.deepEqual(places(polish ?? []), ['b2']);
    assert.deepEqual(nothing, []);
    const first = muller?.[0] as SearchHit;
    assert.equal(first.senderId, ANNA);
    assert.equal(first.createdAt, T0 + 30 * MINUTE);
    assert.equal(muller?.[1]?.senderId, BRUNO);
    assert.deepEqual(marked(first), ['MULLER']);
  });

  it('an edit replaces the words; a delete and an expiry take the message out', async () => {
    const userId = randomUUID();
    const x = `a${randomUUID().slice(1)}`;
    const now = T0 + 100 * MINUTE;
    const edit = (text: string, editSeq: number, senderId = ANNA): IndexChange => ({
      kind: 'edit',
      conversationId: x,
      seq: 1,
      senderId,
      text,
      editSeq,
    });
    const [beforeEdit] = await indexAndSearch(
      userId,
      [
        put(message(x, 1, 'The canary sings at dawn')),
        put(message(x, 2, 'This canary disappears', { expiresAt: now + MINUTE })),
      ],
      [{ query: 'canary', now }],
    );
    assert.deepEqual(places(beforeEdit ?? []), ['a2', 'a1']);

    const [canaryAfterEdit, falcon, staleEdit, foreignEdit] = await indexAndSearch(
      userId,
      [
        edit('The falcon flies at dusk', 5),
        // Older than the edit applied: ignored. So is the message read again, and an edit by someone else.
        edit('The owl hoots', 3),
        put(message(x, 1, 'The canary sings at dawn')),
        edit('The vulture circles', 6, BRUNO),
      ],
      [
        { query: 'canary', now },
        { query: 'falc', now },
        { query: 'owl', now },
        { query: 'vulture', now },
      ],
    );
    assert.deepEqual(places(canaryAfterEdit ?? []), ['a2'], 'the old words are gone with the edit');
    assert.deepEqual(places(falcon ?? []), ['a1']);
    assert.deepEqual(marked(falcon?.[0] as SearchHit), ['falcon']);
    assert.deepEqual(staleEdit, []);
    assert.deepEqual(foreignEdit, []);

    const [deleted, expiredMeanwhile] = await indexAndSearch(
      userId,
      [{ kind: 'remove', conversationId: x, seq: 1 }],
      [
        { query: 'falcon', now },
        { query: 'canary', now: now + 2 * MINUTE },
      ],
    );
    assert.deepEqual(deleted, []);
    assert.deepEqual(expiredMeanwhile, [], 'an expired message is never a hit, even before the sweep');

    const swept = await page.evaluate(
      async ({ userId, later }) => {
        const { DeviceSearchIndex, IndexedDbSearchStore, sealedBlocks } = window.enletsSearch;
        const store = await IndexedDbSearchStore.open(userId);
        const before = (await sealedBlocks(userId)).length;
        const removed = await (await DeviceSearchIndex.open(store)).removeExpired(later);
        store.close();
        return { before, removed, after: (await sealedBlocks(userId)).length };
      },
      { userId, later: now + 2 * MINUTE },
    );
    assert.deepEqual(
      swept,
      { before: 1, removed: 1, after: 0 },
      'the sweep takes the expired one out, and its block',
    );
    const raw = await page.evaluate((userId) => window.enletsSearch.rawDatabase(userId), userId);
    assert.equal(
      raw.records,
      1,
      'nothing of the messages is left, no document and no posting: only the keys',
    );
  });

  it('walks a conversation newest first: edits, deletions and the progress are kept straight', async () => {
    const userId = randomUUID();
    const x = randomUUID();
    const event = (
      seq: number,
      kind: ConversationEvent['kind'],
      refSeq: number | null = null,
      payload: string | null = 'AA==',
    ): ConversationEvent => ({
      conversationId: x,
      seq,
      kind,
      senderId: ANNA,
      senderDeviceId: 'd',
      clientMessageId: null,
      refSeq,
      threadRootSeq: null,
      tlp: 'GREEN',
      mentions: [],
      mentionsAll: false,
      attachments: [],
      payload,
      system: null,
      createdAt: T0 + seq * MINUTE,
      expiresAt: null,
      deletedAt: payload === null ? T0 : null,
      deletedByManager: false,
    });
    const text = (t: string) => ({ type: 'text' as const, text: t });
    const history: ShownEvent[] = [
      { event: event(1, 'message'), status: 'decrypted', content: text('first draft about the heron') },
      { event: event(2, 'message'), status: 'own', content: text('the kestrel is nesting') },
      { event: event(3, 'message', null, null), status: 'deleted', content: null },
      {
        event: event(4, 'edit', 1),
        status: 'decrypted',
        content: { type: 'edit', text: 'second draft: the egret' },
      },
      {
        event: event(5, 'edit', 1),
        status: 'decrypted',
        content: { type: 'edit', text: 'final: the bittern' },
      },
      { event: event(6, 'message'), status: 'unavailable', content: null },
      { event: event(7, 'delete', 2), status: 'system', content: null },
      {
        event: event(8, 'message'),
        status: 'decrypted',
        content: {
          type: 'files',
          text: 'see attachment',
          files: [{ name: 'osprey-sighting.pdf', mimeType: 'application/pdf', size: 1 }],
        },
      },
    ];
    // The server no longer serves what a deletion erased (the kestrel message and its payload).
    const served = history.map((s) =>
      s.event.seq === 2
        ? { ...s, event: { ...s.event, payload: null }, status: 'deleted' as const, content: null }
        : s,
    );
    const seen = await page.evaluate(
      async ({ userId, x, served }) => {
        const { DeviceSearch, DeviceSearchIndex, IndexedDbSearchStore } = window.enletsSearch;
        const store = await IndexedDbSearchStore.open(userId);
        let requests = 0;
        // Inline functions only: tsx would wrap a named one in a `__name` call the page lacks.
        const search = new DeviceSearch(
          await DeviceSearchIndex.open(store),
          (conversationId, beforeSeq, limit) => {
            requests += 1;
            const events = served.filter(
              (s) => s.event.conversationId === conversationId && s.event.seq < beforeSeq,
            );
            return Promise.resolve(events.slice(-limit));
          },
        );
        search.catchUp([{ id: x, headSeq: 8 }]);
        await search.whenIndexed();
        const found: Record<string, number[]> = {};
        for (const query of ['bittern', 'draft', 'heron', 'kestrel', 'osprey'])
          found[query] = (await search.search({ query })).hits.map((h) => h.seq);
        const result = { ...found, requests };
        // Nothing new: the next open does not walk again.
        search.catchUp([{ id: x, headSeq: 8 }]);
        await search.whenIndexed();
        await search.close();
        store.close();
        return { ...result, requestsAfterSecondCatchUp: requests };
      },
      { userId, x, served },
    );
    assert.deepEqual(seen, {
      bittern: [1],
      draft: [],
      heron: [],
      kestrel: [],
      osprey: [8],
      requests: 1,
      requestsAfterSecondCatchUp: 1,
    });
  });

  it('resumes a walk interrupted by a reload at the page where it stopped, never past an edit it still holds', async () => {
    const userId = randomUUID();
    const x = randomUUID();
    // 4,600 messages: the walk reads pages of 500 newest first and writes every 4,000 changes, so it has written
    // eight pages (4,600 down to 601) when the ninth request is interrupted. Message 300 was edited by event
    // 700 (in the eighth page): the index holds that edit in memory only, so the walk records it may resume
    // below 701, not below 601 — after the reload it must read the edit again, before the message.
    const seen = await page.evaluate(
      async ({ userId, x, anna, t0 }) => {
        const { DeviceSearch, DeviceSearchIndex, IndexedDbSearchStore } = window.enletsSearch;
        const history: ShownEvent[] = [];
        for (let seq = 1; seq <= 4_600; seq += 1) {
          const edit = seq === 700;
          history.push({
            event: {
              conversationId: x,
              seq,
              kind: edit ? 'edit' : 'message',
              senderId: anna,
              senderDeviceId: 'd',
              clientMessageId: null,
              refSeq: edit ? 300 : null,
              threadRootSeq: null,
              tlp: 'GREEN',
              mentions: [],
              mentionsAll: false,
              attachments: [],
              payload: 'AA==',
              system: null,
              createdAt: t0 + seq * 1_000,
              expiresAt: null,
              deletedAt: null,
              deletedByManager: false,
            },
            status: 'decrypted',
            content: edit
              ? { type: 'edit', text: 'kittiwake sighted' }
              : { type: 'text', text: seq === 300 ? 'guillemot sighted' : `report m${String(seq)}` },
          });
        }

        // The first browser session: the ninth page never comes (the tab is reloaded while it loads).
        // Inline functions only: tsx would wrap a named one in a `__name` call the page lacks.
        const firstStore = await IndexedDbSearchStore.open(userId);
        const firstRequests: number[] = [];
        const ninth: { reached?: (value: undefined) => void } = {};
        const reachedNinth = new Promise<undefined>((resolve) => {
          ninth.reached = resolve;
        });
        const first = new DeviceSearch(await DeviceSearchIndex.open(firstStore), (_, beforeSeq, limit) => {
          firstRequests.push(beforeSeq);
          if (firstRequests.length < 9)
            return Promise.resolve(history.filter((s) => s.event.seq < beforeSeq).slice(-limit));
          ninth.reached?.(undefined);
          return new Promise<ShownEvent[]>(() => undefined);
        });
        first.catchUp([{ id: x, headSeq: 4_600 }]);
        await reachedNinth;
        // Gone without closing, as a reload goes: only what was written stays.

        const store = await IndexedDbSearchStore.open(userId);
        const afterReload = await store.progress(x);
        const requests: number[] = [];
        const second = new DeviceSearch(await DeviceSearchIndex.open(store), (_, beforeSeq, limit) => {
          requests.push(beforeSeq);
          return Promise.resolve(history.filter((s) => s.event.seq < beforeSeq).slice(-limit));
        });
        second.catchUp([{ id: x, headSeq: 4_600 }]);
        await second.whenIndexed();
        const found: Record<string, number[]> = {};
        for (const query of ['m4600', 'm601', 'm600', 'm1', 'kittiwake', 'guillemot'])
          found[query] = (await second.search({ query })).hits.map((h) => h.seq);
        const done = await store.progress(x);
        second.catchUp([{ id: x, headSeq: 4_600 }]);
        await second.whenIndexed();
        await second.close();
        store.close();
        return { firstRequests, afterReload, requests, found, done };
      },
      { userId, x, anna: ANNA, t0: T0 },
    );
    assert.equal(seen.firstRequests.length, 9);
    assert.deepEqual(seen.afterReload, { complete: 0, walked: { top: 4_600, bottom: 701 } });
    assert.deepEqual(seen.requests, [701, 201], 'the walk goes on from the edit it held, not from the top');
    assert.deepEqual(seen.found, {
      m4600: [4_600],
      m601: [601],
      m600: [600],
      m1: [1],
      kittiwake: [300],
      guillemot: [],
    });
    assert.deepEqual(seen.done, { complete: 4_600 });
  });

  it('keeps no word readable at rest, in any form; its keys cannot be exported; another key reads nothing', async () => {
    const userId = randomUUID();
    const control = randomUUID();
    const x = randomUUID();
    const canaries = ['Quokkaträgerin', 'Żurawinowy', 'Zebrafalke'];
    const folded = ['quokkatragerin', 'zurawinowy', 'zebrafalke'];
    const hits = await indexAndSearch(
      userId,
      [
        put(message(x, 1, `Canary one: ${canaries.join(' ')} at the border`)),
        put(message(x, 2, `${canaries[0] ?? ''} again, twice: ${canaries[0] ?? ''}`)),
      ],
      [{ query: 'quokkatragerin' }],
    );
    assert.deepEqual(places(hits[0] ?? []).length, 2, 'the canary is indexed and found');

    const seen = await page.evaluate(
      async ({ userId, control, x, canary }) => {
        const { rawDatabase, writePlaintext, IndexedDbE2eeStore } = window.enletsSearch;
        // The decrypted content is sealed too (ADR 0015), with the same at-rest key.
        const e2ee = await IndexedDbE2eeStore.open(userId);
        await e2ee.putContent(x, 1, { content: new TextEncoder().encode(canary), status: 'decrypted' });
        e2ee.close();
        // The control: the same scan on a database holding the canary in plaintext must find it.
        await writePlaintext(control, canary);
        return { raw: await rawDatabase(userId), control: await rawDatabase(control) };
      },
      { userId, control, x, canary: canaries[0] ?? '' },
    );
    const rawBytes = Buffer.from(seen.raw.base64, 'base64');
    const controlBytes = Buffer.from(seen.control.base64, 'base64');
    assert.ok(controlBytes.includes(Buffer.from(canaries[0] ?? '', 'utf8')), 'the scan finds plaintext');
    assert.ok(seen.raw.records > 4, 'the index wrote records');
    for (const word of [...canaries, ...folded]) {
      for (const form of [word, word.toLowerCase(), word.toUpperCase()]) {
        assert.ok(!rawBytes.includes(Buffer.from(form, 'utf8')), `${form} in UTF-8`);
        assert.ok(!rawBytes.includes(Buffer.from(form, 'utf16le')), `${form} in UTF-16LE`);
        assert.ok(!rawBytes.includes(Buffer.from(form, 'utf16le').swap16()), `${form} in UTF-16BE`);
      }
    }
    assert.deepEqual(seen.raw.cryptoKeys.map((k) => [k.store, k.algorithm, k.extractable]).sort(), [
      ['searchKeys', 'AES-GCM', false],
      ['searchKeys', 'HMAC', false],
    ]);

    const other = await page.evaluate(
      async ({ userId }) => {
        const { DeviceSearchIndex, IndexedDbSearchStore, generateSearchKeys, openSealed, sealedBlocks } =
          window.enletsSearch;
        const store = await IndexedDbSearchStore.open(userId);
        const otherKeys = await generateSearchKeys();
        // Its HMAC names other buckets: empty ones find nothing, ones the device key sealed do not open.
        const otherHits = await (
          await DeviceSearchIndex.open(store, otherKeys)
        )
          .search({ query: 'quokkatragerin', limit: 5 })
          .then(
            (result) => result.hits.length,
            (error: unknown) => (error instanceof Error ? error.name : String(error)),
          );
        const [block] = await sealedBlocks(userId);
        const sealed = { iv: Uint8Array.from(block?.iv ?? []), data: Uint8Array.from(block?.data ?? []) };
        const context = `enlets-search-v1/block/${String(block?.block)}`;
        const refused = await openSealed(otherKeys, sealed, context).then(
          () => 'opened',
          (error: unknown) => (error instanceof Error ? error.name : String(error)),
        );
        const stored = await store.loadKeys();
        const exported = await crypto.subtle.exportKey('raw', stored?.seal as CryptoKey).then(
          () => 'exported',
          (error: unknown) => (error instanceof Error ? error.name : String(error)),
        );
        const rightKey = new TextDecoder().decode(await openSealed(stored!, sealed, context));
        const movedRecord = await openSealed(stored!, sealed, `${context}0`).then(
          () => 'opened',
          (error: unknown) => (error instanceof Error ? error.name : String(error)),
        );
        store.close();
        return { otherHits, refused, exported, rightKey, movedRecord };
      },
      { userId },
    );
    assert.ok(other.otherHits === 0 || other.otherHits === 'OperationError', 'another key finds nothing');
    assert.equal(other.refused, 'OperationError', 'another key cannot open a document');
    assert.equal(other.exported, 'InvalidAccessError', 'the stored key cannot be exported');
    assert.match(other.rightKey, /Quokkaträgerin/, 'the device key opens it');
    assert.equal(other.movedRecord, 'OperationError', 'a record moved to another place does not open');
    assert.deepEqual(problems.cspViolations, []);
  });
});
