import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import type { Browser, Page } from 'playwright-core';
import type { ConversationEvent } from '@enlets/protocol';
import type { OutboxEntry } from '@enlets/client';
import { browserUnavailable, launchChromium, openContext, type PageProblems } from './helpers/browser.js';
import { startWebTestServer, type WebTestServer } from './helpers/web-server.js';

const WEB_ROOT = new URL('..', import.meta.url).pathname;
const PAGE_ROOT = new URL('./storage-page', import.meta.url).pathname;

const unavailable = browserUnavailable();
if (unavailable !== undefined) console.log(`# browser storage suite skipped: ${unavailable}`);

/**
 * Builds test/storage-page (the real stores, on `window`) with the client's own Vite config (so with its
 * `source` condition and worker settings), into a fresh directory.
 */
async function buildStoragePage(): Promise<{ readonly dir: string; readonly remove: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'enlets-storage-page-'));
  await build({
    root: PAGE_ROOT,
    configFile: join(WEB_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: dir, emptyOutDir: true, sourcemap: false },
  });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A received message event, as the server sends it. */
function event(conversationId: string, seq: number, text: string): ConversationEvent {
  return {
    conversationId,
    seq,
    kind: 'message',
    senderId: null,
    senderDeviceId: null,
    clientMessageId: null,
    refSeq: null,
    threadRootSeq: null,
    tlp: 'GREEN',
    mentions: [],
    mentionsAll: false,
    attachments: [],
    payload: Buffer.from(text, 'utf8').toString('base64'),
    system: null,
    createdAt: 1_790_000_000_000 + seq,
    expiresAt: null,
    deletedAt: null,
    deletedByManager: false,
  };
}

const text = (payload: string | null): string =>
  payload === null ? '' : Buffer.from(payload, 'base64').toString('utf8');

describe('browser storage (IndexedDB) in Chromium, served by the real server', { skip: unavailable }, () => {
  let removeBuild: () => void;
  let server: WebTestServer;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;

  /** A reload: everything in the page's memory is gone, only what the stores wrote remains. */
  async function reload(): Promise<void> {
    await page.reload();
  }

  before(async () => {
    const pageBuild = await buildStoragePage();
    removeBuild = pageBuild.remove;
    server = await startWebTestServer(pageBuild.dir);
    browser = await launchChromium();
    ({ page, problems } = await openContext(browser, 'desktop'));
    await page.goto(server.url);
  });

  after(async () => {
    await browser.close();
    await server.close();
    removeBuild();
  });

  it('keeps the outbox in sending order across a reload; a retry keeps its place, a sent one leaves', async () => {
    const userId = randomUUID();
    const conversationId = randomUUID();
    const entry = (clientMessageId: string, createdAt: number): OutboxEntry => ({
      clientMessageId,
      conversationId,
      body: JSON.stringify({ clientMessageId }),
      createdAt,
      attempts: 0,
      status: 'pending',
    });
    // Queued in the same millisecond: the order they were queued in still decides.
    const queued = [entry('first', 1000), entry('second', 1000), entry('third', 1000)];
    const retried: OutboxEntry = {
      ...entry('first', 1000),
      attempts: 3,
      status: 'failed',
      error: { code: 'FORBIDDEN', message: 'no longer a member' },
    };
    const fourth = entry('fourth', 999);
    await page.evaluate(
      async ({ userId, queued, retried }) => {
        const store = await window.enletsStorage.IndexedDbClientStore.open(userId);
        for (const queuedEntry of queued) await store.putOutbox(queuedEntry);
        await store.putOutbox(retried);
        await store.deleteOutbox('second');
        await store.deleteOutbox('never-queued');
      },
      { userId, queued, retried },
    );
    await reload();
    const outbox = await page.evaluate(
      async ({ userId, fourth }) => {
        const store = await window.enletsStorage.IndexedDbClientStore.open(userId);
        await store.putOutbox(fourth);
        return store.listOutbox();
      },
      { userId, fourth },
    );
    assert.deepEqual(
      outbox.map((e) => [e.clientMessageId, e.status, e.attempts]),
      [
        ['first', 'failed', 3],
        ['third', 'pending', 0],
        ['fourth', 'pending', 0],
      ],
    );
    assert.deepEqual(outbox[0]!.error, { code: 'FORBIDDEN', message: 'no longer a member' });
    assert.equal(outbox[1]!.body, '{"clientMessageId":"third"}');
  });

  it('saveEvents moves the cursor and keeps each (conversation, seq) once, across a reload', async () => {
    const userId = randomUUID();
    const [x, y] = [randomUUID(), randomUUID()];
    const batches = [
      [event(x, 1, 'one'), event(x, 2, 'two'), event(x, 3, 'three'), event(y, 5, 'y five')],
      // A resync sends 2 and 3 again (2 was edited meanwhile), then 4.
      [event(x, 2, 'two, edited'), event(x, 3, 'three'), event(x, 4, 'four')],
      [event(x, 10, 'ten')],
      // An older event arriving late never moves the cursor back.
      [event(x, 7, 'seven')],
    ];
    await page.evaluate(
      async ({ userId, batches }) => {
        const store = await window.enletsStorage.IndexedDbClientStore.open(userId);
        for (const batch of batches) await store.saveEvents(batch);
        await store.saveEvents([]);
        await store.setSyncToken('sync-token-1');
      },
      { userId, batches },
    );
    await reload();
    const seen = await page.evaluate(
      async ({ userId, x, y }) => {
        const store = await window.enletsStorage.IndexedDbClientStore.open(userId);
        const result = {
          cursorX: await store.getCursor(x),
          cursorY: await store.getCursor(y),
          cursorUnseen: (await store.getCursor('never-seen')) ?? 'none',
          x: await store.listEvents(x),
          afterTwoLimitTwo: (await store.listEvents(x, { afterSeq: 2, limit: 2 })).map((e) => e.seq),
          limitZero: (await store.listEvents(x, { limit: 0 })).length,
          y: (await store.listEvents(y)).map((e) => e.seq),
          token: await store.getSyncToken(),
        };
        await store.setSyncToken(undefined);
        return { ...result, tokenCleared: (await store.getSyncToken()) ?? 'none' };
      },
      { userId, x, y },
    );
    assert.equal(seen.cursorX, 10);
    assert.equal(seen.cursorY, 5);
    assert.equal(seen.cursorUnseen, 'none');
    assert.deepEqual(
      seen.x.map((e) => [e.seq, text(e.payload)]),
      [
        [1, 'one'],
        [2, 'two, edited'],
        [3, 'three'],
        [4, 'four'],
        [7, 'seven'],
        [10, 'ten'],
      ],
    );
    assert.deepEqual(seen.x[0], event(x, 1, 'one'), 'an event comes back exactly as it was received');
    assert.deepEqual(seen.afterTwoLimitTwo, [3, 4]);
    assert.equal(seen.limitZero, 0);
    assert.deepEqual(seen.y, [5]);
    assert.equal(seen.token, 'sync-token-1');
    assert.equal(seen.tokenCleared, 'none');
  });

  it('keeps only the most recent events of a conversation, and the cursor of all of them', async () => {
    const userId = randomUUID();
    const x = randomUUID();
    const batches = [[1, 2, 3, 4, 5].map((seq) => event(x, seq, `m${String(seq)}`)), [event(x, 6, 'm6')]];
    const seen = await page.evaluate(
      async ({ userId, x, batches }) => {
        const store = await window.enletsStorage.IndexedDbClientStore.open(userId, {
          keepPerConversation: 3,
        });
        for (const batch of batches) await store.saveEvents(batch);
        return { seqs: (await store.listEvents(x)).map((e) => e.seq), cursor: await store.getCursor(x) };
      },
      { userId, x, batches },
    );
    assert.deepEqual(seen, { seqs: [4, 5, 6], cursor: 6 });
  });

  it('a call that fails writes nothing of itself', async () => {
    const userId = randomUUID();
    const x = randomUUID();
    const good = event(x, 1, 'fine');
    const seen = await page.evaluate(
      async ({ userId, good }) => {
        const store = await window.enletsStorage.IndexedDbClientStore.open(userId);
        // NaN is no valid key: the second put fails after the first was issued in the same transaction.
        const failure = await store.saveEvents([good, { ...good, seq: Number.NaN }]).then(
          () => 'saved',
          (error: unknown) => (error instanceof Error ? error.name : String(error)),
        );
        return {
          failure,
          cursor: (await store.getCursor(good.conversationId)) ?? 'none',
          events: (await store.listEvents(good.conversationId)).length,
        };
      },
      { userId, good },
    );
    assert.deepEqual(seen, { failure: 'DataError', cursor: 'none', events: 0 });
  });

  it('dropConversation forgets a conversation left, across a reload, and nothing else', async () => {
    const userId = randomUUID();
    const [left, kept] = [randomUUID(), randomUUID()];
    const events = [event(left, 1, 'a'), event(left, 2, 'b'), event(kept, 1, 'c')];
    await page.evaluate(
      async ({ userId, events, left }) => {
        const store = await window.enletsStorage.IndexedDbClientStore.open(userId);
        await store.saveEvents(events);
        await store.dropConversation(left);
      },
      { userId, events, left },
    );
    await reload();
    const seen = await page.evaluate(
      async ({ userId, left, kept }) => {
        const store = await window.enletsStorage.IndexedDbClientStore.open(userId);
        return {
          leftCursor: (await store.getCursor(left)) ?? 'none',
          leftEvents: (await store.listEvents(left)).length,
          keptCursor: await store.getCursor(kept),
          keptEvents: (await store.listEvents(kept)).length,
        };
      },
      { userId, left, kept },
    );
    assert.deepEqual(seen, { leftCursor: 'none', leftEvents: 0, keptCursor: 1, keptEvents: 1 });
  });

  it('keeps keys, group states, KeyPackages, decrypted content and trust records across a reload', async () => {
    const userId = randomUUID();
    const peer = randomUUID();
    const conversation = randomUUID();
    await page.evaluate(
      async ({ userId, peer, conversation }) => {
        const keys = await window.enletsStorage.IndexedDbE2eeStore.open(userId);
        await keys.putSecret('identity', Uint8Array.of(1, 2, 3));
        await keys.putSecret('device', Uint8Array.of(4, 5, 6));
        await keys.putSecret('archive', Uint8Array.of(7, 8, 9));
        // A whole state, then the two parts: the epoch part once, the ratchets after each message.
        await keys.putGroup(conversation, Uint8Array.of(1));
        await keys.putGroupParts(conversation, Uint8Array.of(10, 11), Uint8Array.of(12));
        await keys.putGroupParts(conversation, undefined, Uint8Array.of(13));
        await keys.putGroupPosition(conversation, { joinedEpoch: 3, lastCommitSeq: 42 });
        await keys.putKeyPackage('aa01', Uint8Array.of(20));
        await keys.putKeyPackage('bb02', Uint8Array.of(21));
        await keys.putContent(conversation, 5, { content: Uint8Array.of(30, 31), status: 'decrypted' });
        await keys.putContent(conversation, 6, { content: null, status: 'refused', reason: 'forged sender' });
        await keys.putOwnPending('cm-1', Uint8Array.of(40));
        await keys.setDecryptedUpTo(conversation, 6);
        await keys.save({
          userId: peer,
          identityKey: Uint8Array.of(50, 51),
          verification: 'verified',
          deviceList: {
            userId: peer,
            version: 2,
            devices: [{ deviceId: 'peer-device', signatureKey: Uint8Array.of(60) }],
            signature: Uint8Array.of(70),
          },
          changedIdentityKey: undefined,
        });
      },
      { userId, peer, conversation },
    );
    await reload();
    const seen = await page.evaluate(
      async ({ userId, peer, conversation }) => {
        const { bytes } = window.enletsStorage;
        const keys = await window.enletsStorage.IndexedDbE2eeStore.open(userId);
        const five = await keys.getContent(conversation, 5);
        const six = await keys.getContent(conversation, 6);
        const trust = await keys.load(peer);
        const before = {
          identity: bytes(await keys.getSecret('identity')),
          device: bytes(await keys.getSecret('device')),
          archive: bytes(await keys.getSecret('archive')),
          group: bytes(await keys.getGroup(conversation)),
          ratchets: bytes(await keys.getGroupRatchets(conversation)),
          position: await keys.getGroupPosition(conversation),
          keyPackages: (await keys.listKeyPackages()).map((p) => [p.refHex, bytes(p.bytes)]),
          five: five && { ...five, content: bytes(five.content) },
          six,
          decryptedUpTo: await keys.getDecryptedUpTo(conversation),
          decryptedUpToUnseen: await keys.getDecryptedUpTo('never-seen'),
          trust: trust && {
            ...trust,
            identityKey: bytes(trust.identityKey),
            signatureKey: bytes(trust.deviceList?.devices[0]?.signatureKey),
            signature: bytes(trust.deviceList?.signature),
            deviceList: undefined,
          },
          unknownPeer: (await keys.load('nobody')) ?? 'none',
        };
        // A whole state replaces both parts (ratchets left beside it would not fit it).
        const other = `${conversation}-2`;
        await keys.putGroupParts(other, Uint8Array.of(14), Uint8Array.of(15));
        await keys.putGroup(other, Uint8Array.of(16));
        const wholeAgain = [bytes(await keys.getGroup(other)), bytes(await keys.getGroupRatchets(other))];
        await keys.deleteGroup(conversation);
        await keys.deleteKeyPackage('aa01');
        const taken = [bytes(await keys.takeOwnPending('cm-1')), bytes(await keys.takeOwnPending('cm-1'))];
        return {
          before,
          afterDelete: {
            wholeAgain,
            group: bytes(await keys.getGroup(conversation)),
            ratchets: bytes(await keys.getGroupRatchets(conversation)),
            position: (await keys.getGroupPosition(conversation)) ?? 'none',
            keyPackages: (await keys.listKeyPackages()).map((p) => p.refHex),
            taken,
          },
        };
      },
      { userId, peer, conversation },
    );
    assert.deepEqual(seen.before, {
      identity: [1, 2, 3],
      device: [4, 5, 6],
      archive: [7, 8, 9],
      group: [10, 11],
      ratchets: [13],
      position: { joinedEpoch: 3, lastCommitSeq: 42 },
      keyPackages: [
        ['aa01', [20]],
        ['bb02', [21]],
      ],
      five: { content: [30, 31], status: 'decrypted' },
      six: { content: null, status: 'refused', reason: 'forged sender' },
      decryptedUpTo: 6,
      decryptedUpToUnseen: 0,
      trust: {
        userId: peer,
        identityKey: [50, 51],
        verification: 'verified',
        deviceList: undefined,
        changedIdentityKey: undefined,
        signatureKey: [60],
        signature: [70],
      },
      unknownPeer: 'none',
    });
    assert.deepEqual(seen.afterDelete, {
      wholeAgain: [[16], 'undefined'],
      group: 'undefined',
      ratchets: 'undefined',
      position: 'none',
      keyPackages: ['bb02'],
      taken: [[40], 'undefined'],
    });
  });

  it('returns copies: changing an array passed in or handed out changes nothing stored', async () => {
    const userId = randomUUID();
    const conversation = randomUUID();
    const seen = await page.evaluate(
      async ({ userId, conversation }) => {
        const keys = await window.enletsStorage.IndexedDbE2eeStore.open(userId);
        const passed = Uint8Array.of(1, 2, 3);
        await keys.putSecret('identity', passed);
        passed[0] = 99;
        const handedOut = (await keys.getSecret('identity'))!;
        handedOut[1] = 99;

        const content = Uint8Array.of(4, 5);
        await keys.putContent(conversation, 1, { content, status: 'own' });
        content[0] = 99;
        (await keys.getContent(conversation, 1))!.content![1] = 99;

        await keys.putKeyPackage('aa', Uint8Array.of(6));
        (await keys.listKeyPackages())[0]!.bytes[0] = 99;

        (await keys.getSecret('identity'))!.fill(0);

        // A view on a larger buffer stores only its own bytes, not the rest of the buffer.
        const larger = Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7);
        await keys.putGroup(conversation, larger.subarray(2, 4));
        const group = (await keys.getGroup(conversation))!;

        return {
          identity: Array.from((await keys.getSecret('identity'))!),
          content: Array.from((await keys.getContent(conversation, 1))!.content!),
          keyPackage: Array.from((await keys.listKeyPackages())[0]!.bytes),
          group: Array.from(group),
          groupBuffer: group.buffer.byteLength,
        };
      },
      { userId, conversation },
    );
    assert.deepEqual(seen, {
      identity: [1, 2, 3],
      content: [4, 5],
      keyPackage: [6],
      group: [2, 3],
      groupBuffer: 2,
    });
  });

  it("a new login on this browser drops the earlier device's keys, groups and queue, and keeps the user's", async () => {
    const userId = randomUUID();
    const peer = randomUUID();
    const conversation = randomUUID();
    const received = [event(conversation, 1, 'hello'), event(conversation, 2, 'again')];
    const firstLogin = await page.evaluate(
      async ({ userId, peer, conversation, received }) => {
        const { store, keys } = await window.enletsStorage.openAccount(userId);
        const claimedFresh = await keys.claimFor('device-A');
        await keys.putSecret('identity', Uint8Array.of(1));
        await keys.putSecret('device', Uint8Array.of(2));
        await keys.putSecret('archive', Uint8Array.of(3));
        await keys.putGroup(conversation, Uint8Array.of(4));
        await keys.putGroupPosition(conversation, { joinedEpoch: 1, lastCommitSeq: 1 });
        await keys.putKeyPackage('aa', Uint8Array.of(5));
        await keys.putOwnPending('cm-A', Uint8Array.of(6));
        await keys.setDecryptedUpTo(conversation, 2);
        await keys.putContent(conversation, 1, { content: Uint8Array.of(7), status: 'decrypted' });
        await keys.save({
          userId: peer,
          identityKey: Uint8Array.of(8),
          verification: 'verified',
          deviceList: undefined,
          changedIdentityKey: undefined,
        });
        await store.putOutbox({
          clientMessageId: 'cm-A',
          conversationId: conversation,
          body: '{"sealed":"for device A"}',
          createdAt: 1,
          attempts: 0,
          status: 'pending',
        });
        await store.saveEvents(received);
        await store.setSyncToken('token-A');
        return { claimedFresh, claimedAgain: await keys.claimFor('device-A'), owner: await keys.owner() };
      },
      { userId, peer, conversation, received },
    );
    assert.deepEqual(firstLogin, { claimedFresh: false, claimedAgain: false, owner: 'device-A' });

    await reload();
    const claimed = await page.evaluate(
      async ({ userId }) => {
        const keys = await window.enletsStorage.IndexedDbE2eeStore.open(userId);
        return keys.claimFor('device-B');
      },
      { userId },
    );
    assert.equal(claimed, true, 'claimFor reports that an earlier device was dropped');

    await reload();
    const seen = await page.evaluate(
      async ({ userId, peer, conversation }) => {
        const { bytes } = window.enletsStorage;
        const { store, keys } = await window.enletsStorage.openAccount(userId);
        return {
          owner: await keys.owner(),
          claimedAgain: await keys.claimFor('device-B'),
          kept: {
            identity: bytes(await keys.getSecret('identity')),
            archive: bytes(await keys.getSecret('archive')),
            content: bytes((await keys.getContent(conversation, 1))?.content),
            trusted: (await keys.load(peer))?.verification,
          },
          dropped: {
            device: bytes(await keys.getSecret('device')),
            group: bytes(await keys.getGroup(conversation)),
            position: (await keys.getGroupPosition(conversation)) ?? 'none',
            keyPackages: (await keys.listKeyPackages()).length,
            ownPending: bytes(await keys.takeOwnPending('cm-A')),
            decryptedUpTo: await keys.getDecryptedUpTo(conversation),
            outbox: (await store.listOutbox()).length,
            cursor: (await store.getCursor(conversation)) ?? 'none',
            events: (await store.listEvents(conversation)).length,
            syncToken: (await store.getSyncToken()) ?? 'none',
          },
        };
      },
      { userId, peer, conversation },
    );
    assert.deepEqual(seen, {
      owner: 'device-B',
      claimedAgain: false,
      kept: { identity: [1], archive: [3], content: [7], trusted: 'verified' },
      dropped: {
        device: 'undefined',
        group: 'undefined',
        position: 'none',
        keyPackages: 0,
        ownPending: 'undefined',
        decryptedUpTo: 0,
        outbox: 0,
        cursor: 'none',
        events: 0,
        syncToken: 'none',
      },
    });

    // Logout: the device ends; the user's keys stay for the next login, which then has nothing to drop.
    const afterLogout = await page.evaluate(
      async ({ userId, conversation }) => {
        const keys = await window.enletsStorage.IndexedDbE2eeStore.open(userId);
        await keys.putSecret('device', Uint8Array.of(9));
        await keys.putGroup(conversation, Uint8Array.of(10));
        await keys.forgetDevice();
        return {
          owner: (await keys.owner()) ?? 'none',
          device: (await keys.getSecret('device')) === undefined,
          group: (await keys.getGroup(conversation)) === undefined,
          identity: Array.from((await keys.getSecret('identity')) ?? []),
          nextLoginDropped: await keys.claimFor('device-C'),
        };
      },
      { userId, conversation },
    );
    assert.deepEqual(afterLogout, {
      owner: 'none',
      device: true,
      group: true,
      identity: [1],
      nextLoginDropped: false,
    });
  });

  it('two accounts on one browser see nothing of each other; forgetting one leaves the other', async () => {
    const [anna, bruno] = [randomUUID(), randomUUID()];
    const shared = randomUUID();
    const received = { [anna]: [event(shared, 1, 'for Anna')], [bruno]: [event(shared, 7, 'for Bruno')] };
    const before = await page.evaluate(
      async ({ anna, bruno, shared, received }) => {
        const api = window.enletsStorage;
        const accounts = { [anna]: await api.openAccount(anna), [bruno]: await api.openAccount(bruno) };
        for (const [userId, { store, keys }] of Object.entries(accounts)) {
          await keys.putSecret('identity', new TextEncoder().encode(userId));
          await store.saveEvents(received[userId]!);
          await store.putOutbox({
            clientMessageId: `queued-by-${userId}`,
            conversationId: shared,
            body: '{}',
            createdAt: 1,
            attempts: 0,
            status: 'pending',
          });
        }
        const views: Record<string, { identity: string; seqs: number[]; outbox: string[] }> = {};
        for (const [userId, { store, keys }] of Object.entries(accounts)) {
          views[userId] = {
            identity: new TextDecoder().decode((await keys.getSecret('identity')) ?? new Uint8Array()),
            seqs: (await store.listEvents(shared)).map((e) => e.seq),
            outbox: (await store.listOutbox()).map((e) => e.clientMessageId),
          };
        }

        // Sign-out with "forget this browser" while Anna's stores are still open (as the E2EE worker holds
        // them): the open connections must step aside rather than block the deletion.
        const deleted = await Promise.race([
          api.deleteAccountDatabase(anna).then(() => 'deleted'),
          new Promise<string>((resolve) => setTimeout(() => resolve('blocked'), 5000)),
        ]);
        const staleCall = await accounts[anna]!.keys.getSecret('identity').then(
          () => 'answered',
          (error: unknown) => (error instanceof Error ? error.name : String(error)),
        );
        const names = (await indexedDB.databases()).map((d) => d.name);
        return {
          views,
          deleted,
          staleCall,
          annaListed: names.includes(api.accountDatabaseName(anna)),
          brunoListed: names.includes(api.accountDatabaseName(bruno)),
        };
      },
      { anna, bruno, shared, received },
    );
    assert.deepEqual(before.views, {
      [anna]: { identity: anna, seqs: [1], outbox: [`queued-by-${anna}`] },
      [bruno]: { identity: bruno, seqs: [7], outbox: [`queued-by-${bruno}`] },
    });
    assert.equal(before.deleted, 'deleted');
    assert.equal(before.staleCall, 'InvalidStateError', "the forgotten account's open store stops answering");
    assert.equal(before.annaListed, false);
    assert.equal(before.brunoListed, true);

    await reload();
    const after = await page.evaluate(
      async ({ anna, bruno, shared }) => {
        const views: Record<string, { identity: number; seqs: number[]; outbox: number }> = {};
        for (const userId of [anna, bruno]) {
          const { store, keys } = await window.enletsStorage.openAccount(userId);
          views[userId] = {
            identity: (await keys.getSecret('identity'))?.length ?? 0,
            seqs: (await store.listEvents(shared)).map((e) => e.seq),
            outbox: (await store.listOutbox()).length,
          };
        }
        return views;
      },
      { anna, bruno, shared },
    );
    assert.deepEqual(after, {
      [anna]: { identity: 0, seqs: [], outbox: 0 },
      [bruno]: { identity: bruno.length, seqs: [7], outbox: 1 },
    });
  });

  it('works in a Web Worker (no window) on the same data as the page', async () => {
    // The server's CSP requires Trusted Types with no policy allowed (`trusted-types 'none'`), which refuses
    // every `new Worker(url)`: this page bypasses the CSP to check the stores in a worker; the client's own
    // worker needs a Trusted Types policy the CSP names (see the report of issue 5's storage work).
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
    await page.goto(server.url);
    const userId = randomUUID();
    await page.evaluate(async (userId) => {
      const store = await window.enletsStorage.IndexedDbClientStore.open(userId);
      const keys = await window.enletsStorage.IndexedDbE2eeStore.open(userId);
      await keys.putSecret('identity', Uint8Array.of(1, 2, 3));
      await store.putOutbox({
        clientMessageId: 'from-page',
        conversationId: 'c',
        body: '{}',
        createdAt: 1,
        attempts: 0,
        status: 'pending',
      });
    }, userId);
    const report = await page.evaluate(
      (userId) => window.enletsStorage.runInWorker({ userId, clientMessageId: 'from-worker' }),
      userId,
    );
    assert.deepEqual(report, {
      ok: true,
      hadWindow: false,
      outboxSeen: ['from-page'],
      identitySeen: [1, 2, 3],
    });
    await page.reload();
    const seen = await page.evaluate(async (userId) => {
      const store = await window.enletsStorage.IndexedDbClientStore.open(userId);
      const keys = await window.enletsStorage.IndexedDbE2eeStore.open(userId);
      return {
        outbox: (await store.listOutbox()).map((e) => e.clientMessageId),
        group: Array.from((await keys.getGroup('00000000-0000-4000-8000-000000000001')) ?? []),
      };
    }, userId);
    assert.deepEqual(seen, { outbox: ['from-page', 'from-worker'], group: [7, 7, 7] });
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('seals decrypted content at rest, and seals what an earlier version stored in the clear', async () => {
    const userId = randomUUID();
    const conversation = randomUUID();
    // Canaries without a repeated run of bytes: they would show as they are in any file or value holding them.
    const [earlier, earlierPending, fresh, freshPending] = [
      'Okapi-Wachtel-73',
      'Żubr-Kranich-41',
      'Lynx-Fischotter-58',
      'Gämse-Birkhuhn-26',
    ];
    const utf8 = (text: string): number[] => Array.from(Buffer.from(text, 'utf8'));
    const found = (raw: { base64: string }, canary: string): boolean => {
      const bytes = Buffer.from(raw.base64, 'base64');
      return [
        Buffer.from(canary, 'utf8'),
        Buffer.from(canary, 'latin1'),
        Buffer.from(canary, 'utf16le'),
        Buffer.from(canary, 'utf16le').swap16(),
      ].some((form) => bytes.includes(form));
    };

    // A browser upgraded from version 2: content in the clear.
    const before = await page.evaluate(
      async ({ userId, conversation, earlier, earlierPending }) => {
        const api = window.enletsStorage;
        await api.writeVersion2Database(
          userId,
          [
            [conversation, 1, { content: new TextEncoder().encode(earlier), status: 'decrypted' }],
            [conversation, 2, { content: null, status: 'refused', reason: 'forged sender' }],
            [conversation, 3, { content: Uint8Array.of(1), status: 'shared', sharedBy: 'user-9' }],
          ],
          [['cm-earlier', new TextEncoder().encode(earlierPending)]],
        );
        return api.rawDatabase(userId, ['contents', 'ownPending']);
      },
      { userId, conversation, earlier, earlierPending },
    );
    assert.ok(found(before, earlier) && found(before, earlierPending), 'the scan finds content in the clear');

    await reload();
    const after = await page.evaluate(
      async ({ userId, conversation, fresh, freshPending }) => {
        const api = window.enletsStorage;
        const keys = await api.IndexedDbE2eeStore.open(userId);
        await keys.whenSealed();
        await keys.putContent(conversation, 4, { content: new TextEncoder().encode(fresh), status: 'own' });
        await keys.putOwnPending('cm-fresh', new TextEncoder().encode(freshPending));
        const contents = await keys.getContents(conversation, [1, 2, 3, 4, 5]);
        const read = [...contents].map(([seq, c]) => [seq, { ...c, content: api.bytes(c.content) }]);
        const raw = await api.rawDatabase(userId, ['contents', 'ownPending']);
        const shapes = {
          contents: await api.recordShapes(userId, 'contents'),
          ownPending: await api.recordShapes(userId, 'ownPending'),
        };
        return {
          read,
          raw,
          shapes,
          mark: (await api.meta(userId, 'unsealedContent')) ?? 'none',
          taken: [
            api.bytes(await keys.takeOwnPending('cm-earlier')),
            api.bytes(await keys.takeOwnPending('cm-fresh')),
          ],
        };
      },
      { userId, conversation, fresh, freshPending },
    );
    assert.deepEqual(after.read, [
      [1, { content: utf8(earlier), status: 'decrypted' }],
      [2, { content: 'null', status: 'refused', reason: 'forged sender' }],
      [3, { content: [1], status: 'shared', sharedBy: 'user-9' }],
      [4, { content: utf8(fresh), status: 'own' }],
    ]);
    assert.deepEqual(after.taken, [utf8(earlierPending), utf8(freshPending)]);
    assert.deepEqual(after.shapes, {
      contents: ['sealed', 'sealed', 'sealed', 'sealed'],
      ownPending: ['sealed', 'sealed'],
    });
    assert.equal(after.mark, 'none', 'the upgrade mark goes once everything is sealed');
    for (const canary of [earlier, earlierPending, fresh, freshPending])
      assert.ok(!found(after.raw, canary), `${canary} is not readable in the stores`);

    // A record moved to another message's place does not open there: it reads as unavailable, not as content.
    const moved = await page.evaluate(
      async ({ userId, conversation }) => {
        const api = window.enletsStorage;
        await api.copyContentRecord(userId, [conversation, 1], [conversation, 9]);
        const keys = await api.IndexedDbE2eeStore.open(userId);
        const content = await keys.getContent(conversation, 9);
        return { status: content?.status, content: content?.content };
      },
      { userId, conversation },
    );
    assert.deepEqual(moved, { status: 'unavailable', content: null });
  });

  it('reported no console errors or CSP violations on the page', () => {
    assert.deepEqual(problems.cspViolations, []);
    assert.deepEqual(problems.consoleErrors, []);
  });
});
