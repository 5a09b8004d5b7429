import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { encodeContent } from '@enlets/client';
import type { CreateConversationResponse } from '@enlets/protocol';
import type { SecureTestDevice } from '../../client/test/secure-device.js';
import { waitFor } from '../../client/test/helpers.js';
import { browserUnavailable, openPersistentContext, type PageProblems } from './helpers/browser.js';
import { firstDevice, signInAndRecover } from './helpers/devices.js';
import {
  buildWebClient,
  seedUser,
  startWebTestServer,
  type SeededUser,
  type WebTestServer,
} from './helpers/web-server.js';

const unavailable = browserUnavailable();
if (unavailable !== undefined) console.log(`# storage at rest suite skipped: ${unavailable}`);

/**
 * Words that must never be readable in the browser's IndexedDB, in any store: what Anna reads, writes, edits and
 * the name of the file she sends. No run of four bytes repeats inside one, so a compressed copy (LevelDB's
 * Snappy blocks) would still hold each as it is.
 */
const CANARIES = {
  received: 'Marabou-Kestrel-8317',
  sent: 'Quetzal-Wombat-4926',
  edited: 'Ibex-Narwhal-5073',
  fileName: 'Okapi-Dossier-6148.txt',
  fileText: 'Tapir-Caracal-2759',
} as const;
/** Stored in the clear on purpose, in the same origin's IndexedDB: the scans must find it. */
const CONTROL = 'Axolotl-Control-3904';

/** Every form a string takes in Chromium's IndexedDB values (V8: Latin-1 or UTF-16LE) or in our bytes (UTF-8). */
function forms(text: string): Buffer[] {
  return [Buffer.from(text, 'utf8'), Buffer.from(text, 'latin1'), Buffer.from(text, 'utf16le')];
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Reads the account's database through the IndexedDB API in the app's page, as any script of the origin
 * could: each listed store's keys and values, strings as UTF-8, byte arrays as they are; and whether each value
 * is a sealed record. A string, not a function: tsx would wrap helpers of an evaluated function in `__name`.
 */
const SCAN_STORES = `async ({ database, stores }) => {
  const utf8 = new TextEncoder();
  const parts = [];
  const shapes = {};
  const collect = (value) => {
    if (typeof value === 'string') parts.push(utf8.encode(value));
    else if (typeof value === 'number') parts.push(utf8.encode(String(value)));
    else if (value instanceof Uint8Array) parts.push(value);
    else if (ArrayBuffer.isView(value)) parts.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    else if (value instanceof ArrayBuffer) parts.push(new Uint8Array(value));
    else if (Array.isArray(value)) value.forEach(collect);
    else if (typeof value === 'object' && value !== null)
      for (const [key, item] of Object.entries(value)) { collect(key); collect(item); }
  };
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open(database);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  for (const name of stores) {
    const [keys, values] = await new Promise((resolve, reject) => {
      const tx = db.transaction(name, 'readonly');
      const keys = tx.objectStore(name).getAllKeys();
      const values = tx.objectStore(name).getAll();
      tx.oncomplete = () => resolve([keys.result, values.result]);
      tx.onerror = () => reject(tx.error);
    });
    keys.forEach(collect);
    values.forEach(collect);
    shapes[name] = values.map((value) =>
      typeof value === 'object' && value !== null && !(value instanceof Uint8Array) &&
      Object.keys(value).sort().join() === 'data,iv' ? 'sealed' : 'clear');
  }
  db.close();
  let binary = '';
  for (const part of parts) for (const byte of part) binary += String.fromCharCode(byte);
  return { base64: btoa(binary), shapes };
}`;

describe('decrypted messages at rest in Chromium, written through the real UI', { skip: unavailable }, () => {
  let removeBuild: () => void;
  let server: WebTestServer;
  let anna: SeededUser;
  let bruno: SeededUser;
  let brunoFirst: SecureTestDevice;
  let annaFirst: SecureTestDevice;
  let conversationId: string;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  let problems: PageProblems;

  before(async () => {
    const webBuild = await buildWebClient();
    removeBuild = webBuild.remove;
    server = await startWebTestServer(webBuild.dir);
    anna = await seedUser(server, 'Anna Schmidt');
    bruno = await seedUser(server, 'Bruno Lefèvre');
    const annaDevice = await firstDevice(server.url, anna);
    annaFirst = annaDevice.device;
    brunoFirst = (await firstDevice(server.url, bruno)).device;
    const created = await anna.api.post<CreateConversationResponse>('/conversations', {
      kind: 'group',
      name: 'Operation Heron',
      tlp: 'GREEN',
      memberIds: [bruno.id],
    });
    conversationId = created.conversation.id;
    profile = mkdtempSync(join(tmpdir(), 'enlets-profile-'));
    ({ context, page, problems } = await openPersistentContext(profile, 'desktop'));
    await signInAndRecover(page, server.url, anna, annaDevice.passphrase);
  });

  after(async () => {
    await annaFirst.stop();
    await brunoFirst.stop();
    await context.close().catch(() => undefined);
    await server.close();
    removeBuild();
    rmSync(profile, { recursive: true, force: true });
  });

  it('keeps no word of what was read, sent, edited or attached readable in IndexedDB, on disk or through the API', async () => {
    await page.getByRole('button', { name: /Operation Heron/ }).click();
    await page.locator('.connection[data-state="live"]').waitFor();
    const composer = page.getByLabel('Message to Operation Heron');

    // Received: decrypted in this browser.
    const sent = await brunoFirst.messenger.send(
      conversationId,
      encodeContent({ type: 'text', text: `Convoy code ${CANARIES.received}` }),
    );
    await sent.acknowledged;
    const received = page.locator('.timeline .message', { hasText: CANARIES.received });
    await received.waitFor({ timeout: 30_000 });
    await received.getByRole('button', { name: 'React with ✅' }).click();

    // Sent, then edited.
    await composer.fill(`First draft ${CANARIES.sent}`);
    await composer.press('Enter');
    const own = page.locator('.timeline .message', { hasText: CANARIES.sent });
    await own.waitFor();
    await own.getByRole('button', { name: 'Edit' }).click();
    await composer.fill(`Corrected ${CANARIES.edited}`);
    await composer.press('Enter');
    await page.locator('.timeline .message', { hasText: CANARIES.edited }).waitFor();

    // A file: its name, and the file's key, travel inside the message.
    await page.locator('input[type="file"]').setInputFiles({
      name: CANARIES.fileName,
      mimeType: 'text/plain',
      buffer: Buffer.from('contents of the dossier', 'utf8'),
    });
    await page.getByRole('list', { name: 'Files to send' }).getByText(CANARIES.fileName).waitFor();
    await composer.fill(`Dossier attached ${CANARIES.fileText}`);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.timeline .message', { hasText: CANARIES.fileName }).waitFor({ timeout: 30_000 });

    // Bruno's device read all of it: every message left the outbox, was acknowledged and stored with its seq.
    await waitFor(
      () =>
        brunoFirst.texts(conversationId).some((text) => text?.includes(CANARIES.fileText) === true) ||
        undefined,
      'Bruno receives the file message',
    );
    await page.locator('.message.is-sending').waitFor({ state: 'detached' });
    assert.equal(await page.locator('.message.is-sending').count(), 0);

    // Through the IndexedDB API, as a script of the origin: the message store holds only sealed records.
    const control = await page.evaluate(async (text) => {
      const request = indexedDB.open('enlets-at-rest-control', 1);
      request.addEventListener('upgradeneeded', () => request.result.createObjectStore('plain'));
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        request.addEventListener('success', () => resolve(request.result));
        request.addEventListener('error', () => reject(new Error('the control database did not open')));
      });
      const tx = db.transaction('plain', 'readwrite');
      tx.objectStore('plain').put({ text }, 1);
      await new Promise((resolve) => tx.addEventListener('complete', resolve));
      db.close();
      return 'written';
    }, CONTROL);
    assert.equal(control, 'written');
    const scan = async (database: string, stores: readonly string[]) => {
      const scanned = await page.evaluate<{ base64: string; shapes: Record<string, string[]> }>(
        `(${SCAN_STORES})(${JSON.stringify({ database, stores })})`,
      );
      return { bytes: Buffer.from(scanned.base64, 'base64'), shapes: scanned.shapes };
    };
    const messageStores = await scan(`enlets-account-${anna.id}`, ['contents', 'ownPending']);
    const wholeAccount = await scan(`enlets-account-${anna.id}`, [
      'outbox',
      'events',
      'contents',
      'ownPending',
      'searchBlocks',
      'searchSegments',
    ]);
    const controlScan = await scan('enlets-at-rest-control', ['plain']);
    assert.ok(controlScan.bytes.includes(Buffer.from(CONTROL, 'utf8')), 'the API scan finds plaintext');
    const contents = messageStores.shapes['contents'] ?? [];
    // Bruno's message, Anna's message, its edit, the reaction, the file message (at least; commits carry none).
    assert.ok(contents.length >= 5, `the message store holds the messages (${String(contents.length)})`);
    assert.deepEqual(new Set(contents), new Set(['sealed']), 'every decrypted message is sealed');
    assert.ok((messageStores.shapes['ownPending'] ?? []).every((shape) => shape === 'sealed'));
    for (const canary of Object.values(CANARIES)) {
      for (const form of forms(canary)) {
        assert.ok(!messageStores.bytes.includes(form), `${canary} readable in the message store`);
        assert.ok(!wholeAccount.bytes.includes(form), `${canary} readable in the account's database`);
      }
    }
    // The timeline still shows all of it: sealing changed nothing a person sees.
    await page.reload();
    await page.getByRole('button', { name: /Operation Heron/ }).click();
    await page.locator('.timeline .message', { hasText: CANARIES.edited }).waitFor({ timeout: 30_000 });
    await page.locator('.timeline .message', { hasText: CANARIES.received }).waitFor();
    await page.locator('.timeline .message', { hasText: CANARIES.fileName }).waitFor();
    assert.deepEqual(problems.cspViolations, []);

    // On disk: the profile's IndexedDB files (LevelDB log, tables, blobs), read raw once Chromium closed them.
    await context.close();
    const indexedDbDir = join(profile, 'Default', 'IndexedDB');
    const files = filesUnder(indexedDbDir);
    const onDisk = Buffer.concat(files.map((file) => readFileSync(file)));
    assert.ok(
      forms(CONTROL).some((form) => onDisk.includes(form)),
      `the raw scan finds plaintext (${String(files.length)} files, ${String(onDisk.length)} bytes)`,
    );
    const hits = Object.values(CANARIES).filter((canary) =>
      forms(canary).some((form) => onDisk.includes(form)),
    );
    assert.deepEqual(hits, [], 'no canary in the IndexedDB files on disk');
  });
});
