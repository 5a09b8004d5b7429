import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import type { CreateConversationResponse } from '@enlets/protocol';
import {
  assertNoSeriousAxeViolations,
  browserUnavailable,
  launchChromium,
  openContext,
  screenshotBothSizes,
  type PageProblems,
  type ViewportName,
} from './helpers/browser.js';
import { firstDevice as firstDeviceOf, signInAndRecover } from './helpers/devices.js';
import {
  buildWebClient,
  seedUser,
  startWebTestServer,
  type SeededUser,
  type WebTestServer,
} from './helpers/web-server.js';

const unavailable = browserUnavailable();
if (unavailable !== undefined) console.log(`# attachments preview suite skipped: ${unavailable}`);

const EXPECTED_CONSOLE = /Failed to load resource: the server responded with a status of 401/;
const SLOW = { timeout: 30_000 };

/** What the photo's metadata says, as a camera would write it: it must never leave the original file. */
const LOCATION_MARKER = 'GPS 52.520008 N 13.404954 E ENLETS-SECRET-LOCATION';
const WIDTH = 640;
const HEIGHT = 360;

/** A PNG of `width`×`height` with an `eXIf` and a `tEXt` chunk carrying `marker` (CRC-32 as PNG defines it). */
function pngWithMetadata(width: number, height: number, marker: string): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (bytes: Buffer): number => {
    let c = 0xffffffff;
    for (const byte of bytes) c = (crcTable[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  // A scene: a gradient sky, a dark band, and a bright square (so the thumbnail has something to show).
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x += 1) {
      const square = x > 400 && x < 520 && y > 120 && y < 240;
      const band = y > 280;
      const pixel = square
        ? [250, 210, 40]
        : band
          ? [40, 60, 50]
          : [40 + Math.round((x / width) * 120), 90, 200 - Math.round((y / height) * 80)];
      row.set(pixel, 1 + x * 3);
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('eXIf', Buffer.concat([Buffer.from('MM\0*', 'latin1'), Buffer.from(marker, 'latin1')])),
    chunk('tEXt', Buffer.from(`Location\0${marker}`, 'latin1')),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('image thumbnails, the preview, and forwarding files, in Chromium', { skip: unavailable }, () => {
  let removeBuild: () => void;
  let server: WebTestServer;
  let browser: Browser;
  let anna: SeededUser;
  let bruno: SeededUser;
  let carla: SeededUser;
  let annaPage: Page;
  let brunoPage: Page;
  let carlaPage: Page;
  const passphrases = new Map<string, string>();
  const allProblems: PageProblems[] = [];
  const photo = pngWithMetadata(WIDTH, HEIGHT, LOCATION_MARKER);
  let thumbnailBytes: Buffer | undefined;

  async function firstDevice(user: SeededUser): Promise<void> {
    const { device, passphrase } = await firstDeviceOf(server.url, user);
    passphrases.set(user.id, passphrase);
    await device.stop();
  }

  async function signedInPage(user: SeededUser, viewport: ViewportName): Promise<Page> {
    const { context, page, problems } = await openContext(browser, viewport);
    await context.addInitScript(recordObjectUrls);
    allProblems.push(problems);
    await signInAndRecover(page, server.url, user, passphrases.get(user.id) ?? '', 60_000);
    await page.locator('.connection[data-state="live"]').waitFor(SLOW);
    return page;
  }

  async function open(page: Page, name: string): Promise<void> {
    await page.getByRole('button', { name: new RegExp(name) }).click();
    await page.getByRole('heading', { name, exact: true }).waitFor();
  }

  const message = (page: Page, text: string) => page.locator('.timeline .message', { hasText: text });

  /**
   * Test instrumentation, installed before the app loads: remembers each Blob the page turns into a `blob:` URL
   * and each URL it revokes. The app's CSP rightly refuses `fetch` of `blob:` URLs (connect-src), and Chromium
   * keeps another page from fetching them, so the test reads the bytes from the Blob itself.
   */
  function recordObjectUrls(): void {
    const state = window as unknown as { enletsBlobs: Map<string, Blob>; enletsRevoked: Set<string> };
    state.enletsBlobs = new Map();
    state.enletsRevoked = new Set();
    const create = URL.createObjectURL.bind(URL);
    const revoke = URL.revokeObjectURL.bind(URL);
    URL.createObjectURL = (object: Blob | MediaSource) => {
      const url = create(object);
      if (object instanceof Blob) state.enletsBlobs.set(url, object);
      return url;
    };
    URL.revokeObjectURL = (url: string) => {
      state.enletsRevoked.add(url);
      revoke(url);
    };
  }

  /** The bytes behind a `blob:` URL the page made. */
  async function blobBytes(page: Page, url: string): Promise<Buffer> {
    const bytes = await page.evaluate(async (source) => {
      const blob = (window as unknown as { enletsBlobs: Map<string, Blob> }).enletsBlobs.get(source);
      return blob === undefined ? null : Array.from(new Uint8Array(await blob.arrayBuffer()));
    }, url);
    assert.ok(bytes !== null, `the page made ${url}`);
    return Buffer.from(bytes);
  }

  const revoked = (page: Page, url: string): Promise<boolean> =>
    page.evaluate(
      (source) => (window as unknown as { enletsRevoked: Set<string> }).enletsRevoked.has(source),
      url,
    );

  /** Saves the file from the open preview and returns what the browser wrote. */
  async function saveFromPreview(page: Page): Promise<Buffer> {
    const dialog = page.getByRole('dialog', { name: 'Image: scene.png' });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'Save' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'scene.png');
    return readFileSync(await download.path());
  }

  before(async () => {
    const webBuild = await buildWebClient();
    removeBuild = webBuild.remove;
    server = await startWebTestServer(webBuild.dir);
    browser = await launchChromium();
    anna = await seedUser(server, 'Anna Schmidt');
    bruno = await seedUser(server, 'Bruno Lefèvre');
    carla = await seedUser(server, 'Carla Rossi');
    for (const user of [anna, bruno, carla]) await firstDevice(user);
    await anna.api.post<CreateConversationResponse>('/conversations', {
      kind: 'group',
      name: 'Scene photos',
      tlp: 'GREEN',
      memberIds: [bruno.id],
    });
    await bruno.api.post<CreateConversationResponse>('/conversations', {
      kind: 'group',
      name: 'Evidence desk',
      tlp: 'GREEN',
      memberIds: [carla.id],
    });
    annaPage = await signedInPage(anna, 'desktop');
    brunoPage = await signedInPage(bruno, 'desktop');
    carlaPage = await signedInPage(carla, 'phone');
  });

  after(async () => {
    await browser.close();
    await server.close();
    removeBuild();
  });

  it('sends a photo with a thumbnail made on the device, shown to the other member at its size', async () => {
    await open(annaPage, 'Scene photos');
    await annaPage.locator('input[type="file"]').setInputFiles({
      name: 'scene.png',
      mimeType: 'image/png',
      buffer: photo,
    });
    await annaPage.getByRole('list', { name: 'Files to send' }).getByText('scene.png').waitFor();
    await annaPage.getByLabel('Message to Scene photos').fill('Photo of the loading bay');
    await annaPage.getByRole('button', { name: 'Send' }).click();
    // The sender's own row shows the thumbnail once the message is stored.
    await message(annaPage, 'Photo of the loading bay')
      .getByRole('button', { name: 'Open scene.png' })
      .waitFor(SLOW);

    await open(brunoPage, 'Scene photos');
    const row = message(brunoPage, 'Photo of the loading bay');
    const opener = row.getByRole('button', { name: 'Open scene.png' });
    await opener.waitFor(SLOW);
    const image = opener.getByRole('img', { name: 'scene.png' });
    await image.waitFor();
    await brunoPage.waitForFunction(
      () => (document.querySelector<HTMLImageElement>('.image-thumbnail img')?.naturalWidth ?? 0) > 0,
    );
    const shown = await image.evaluate((img: HTMLImageElement) => ({
      src: img.src,
      width: img.getAttribute('width'),
      height: img.getAttribute('height'),
      naturalWidth: img.naturalWidth,
      naturalHeight: img.naturalHeight,
      alt: img.alt,
    }));
    // 640×360 fits a 320-pixel square as 320×180: the shape kept, the box reserved before decoding.
    assert.deepEqual(
      [shown.width, shown.height, shown.naturalWidth, shown.naturalHeight, shown.alt],
      ['320', '180', 320, 180, 'scene.png'],
    );
    assert.match(shown.src, /^blob:/);
    const frame = await opener.locator('.image-thumbnail-frame').boundingBox();
    assert.ok(
      frame !== null && Math.abs(frame.width / frame.height - 16 / 9) < 0.05,
      'the box has its shape',
    );

    // The thumbnail is a fresh WebP of a few KB: the photo's metadata did not come along.
    thumbnailBytes = await blobBytes(brunoPage, shown.src);
    assert.equal(thumbnailBytes.subarray(0, 4).toString('latin1'), 'RIFF');
    assert.equal(thumbnailBytes.subarray(8, 12).toString('latin1'), 'WEBP');
    assert.ok(thumbnailBytes.length < 24 * 1024, `a few KB (${String(thumbnailBytes.length)} bytes)`);
    assert.equal(thumbnailBytes.includes(Buffer.from('ENLETS-SECRET-LOCATION')), false);
    assert.equal(thumbnailBytes.includes(Buffer.from('EXIF', 'latin1')), false);
    await screenshotBothSizes(brunoPage, 'attachments-thumbnail');
  });

  it('opens the whole image in a preview: downloaded, decrypted, identical to what was sent', async () => {
    const row = message(brunoPage, 'Photo of the loading bay');
    await row.getByRole('button', { name: 'Open scene.png' }).click();
    const dialog = brunoPage.getByRole('dialog', { name: 'Image: scene.png' });
    await dialog.waitFor();
    const full = dialog.getByRole('img', { name: 'scene.png' });
    await full.waitFor(SLOW);
    await brunoPage.waitForFunction(
      () => (document.querySelector<HTMLImageElement>('.image-preview img')?.naturalWidth ?? 0) > 0,
    );
    const natural = await full.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
    assert.deepEqual(natural, [WIDTH, HEIGHT]);
    const previewUrl = await full.getAttribute('src');
    assert.match(previewUrl ?? '', /^blob:/);
    assert.equal(
      sha256(await blobBytes(brunoPage, previewUrl ?? '')),
      sha256(photo),
      'the preview shows the decrypted original',
    );
    await assertNoSeriousAxeViolations(brunoPage, 'image preview');
    await screenshotBothSizes(brunoPage, 'attachments-preview');
    assert.equal(sha256(await saveFromPreview(brunoPage)), sha256(photo), 'Save keeps the original');

    // Escape closes it, the focus goes back to the thumbnail, and the decrypted image's URL is released.
    await brunoPage.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(
      await row.getByRole('button', { name: 'Open scene.png' }).evaluate((b) => b === document.activeElement),
      true,
    );
    const released = await revoked(brunoPage, previewUrl ?? '');
    assert.equal(released, true, 'the blob: URL was revoked');
  });

  it('keeps the server blind: one ciphertext blob, and neither the photo nor its thumbnail in its data', async () => {
    const { db, config } = server.built.services;
    const blobs = await db.selectFrom('blobs').select(['id', 'size']).execute();
    assert.equal(blobs.length, 1, 'only the file was uploaded, no thumbnail of its own');
    assert.ok(thumbnailBytes !== undefined);
    const thumbnailBase64 = thumbnailBytes.toString('base64');
    const idat = photo.subarray(photo.length - 200, photo.length - 100);
    const markers: readonly [string, Buffer][] = [
      ['the location in the metadata', Buffer.from('ENLETS-SECRET-LOCATION')],
      ['a stretch of the thumbnail', thumbnailBytes.subarray(64, 128)],
      ['the thumbnail as the message spells it', Buffer.from(thumbnailBase64.slice(100, 180))],
      ['a stretch of the photo', idat],
      ['the photo in base64', Buffer.from(photo.toString('base64').slice(400, 480))],
    ];
    const databaseDir = dirname(config.databaseUrl.replace(/^sqlite:/, ''));
    const files = [...filesUnder(config.dataDir), ...filesUnder(databaseDir)];
    assert.ok(
      files.some((f) => f.includes(blobs[0]?.id ?? '-')),
      'the blob store was searched',
    );
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const [what, marker] of markers)
        assert.equal(bytes.includes(marker), false, `${what} is in ${file}`);
    }
    // And through the database itself, whatever its files look like.
    const payloads = await db.selectFrom('events').select('payload').execute();
    for (const { payload } of payloads) {
      if (payload === null) continue;
      const bytes = Buffer.from(payload);
      for (const [what, marker] of markers)
        assert.equal(bytes.includes(marker), false, `${what} in a payload`);
    }
  });

  it('forwards the photo to a conversation with a third person, who can open it too', async () => {
    const row = message(brunoPage, 'Photo of the loading bay');
    await row.getByRole('button', { name: 'Forward' }).click();
    const dialog = brunoPage.getByRole('dialog', { name: 'Forward this message to…' });
    await dialog.waitFor();
    await dialog.getByText('Its file goes with it, still end-to-end encrypted.').waitFor();
    await assertNoSeriousAxeViolations(brunoPage, 'forward dialog with a file');
    await dialog.getByRole('button', { name: /^Evidence desk/ }).click();
    await brunoPage.getByRole('status').getByText('Forwarded to Evidence desk.').waitFor();
    await dialog.waitFor({ state: 'hidden' });

    await open(carlaPage, 'Evidence desk');
    const forwarded = message(carlaPage, 'Photo of the loading bay');
    const opener = forwarded.getByRole('button', { name: 'Open scene.png' });
    await opener.waitFor(SLOW);
    // By keyboard: Enter on the focused thumbnail opens the preview.
    await opener.focus();
    await carlaPage.keyboard.press('Enter');
    const preview = carlaPage.getByRole('dialog', { name: 'Image: scene.png' });
    await preview.getByRole('img', { name: 'scene.png' }).waitFor(SLOW);
    await assertNoSeriousAxeViolations(carlaPage, 'image preview (phone)');
    await screenshotBothSizes(carlaPage, 'attachments-preview-forwarded');
    assert.equal(sha256(await saveFromPreview(carlaPage)), sha256(photo), 'the forwarded file opens');
    await preview.getByRole('button', { name: 'Close' }).click();
    await preview.waitFor({ state: 'detached' });
  });

  it('reported no CSP violation and no unexpected console error', () => {
    for (const problems of allProblems) {
      assert.deepEqual(problems.cspViolations, []);
      assert.deepEqual(
        problems.consoleErrors.filter((e) => !EXPECTED_CONSOLE.test(e)),
        [],
      );
    }
  });
});
