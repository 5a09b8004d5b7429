import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { encodeContent } from '@enlets/client';
import type { CreateConversationResponse } from '@enlets/protocol';
import { waitFor } from '../../client/test/helpers.js';
import type { SecureTestDevice } from '../../client/test/secure-device.js';
import {
  assertNoSeriousAxeViolations,
  browserUnavailable,
  launchChromium,
  openContext,
  screenshotBothSizes,
  type PageProblems,
} from './helpers/browser.js';
import { firstDevice, signInAndRecover } from './helpers/devices.js';
import {
  buildWebClient,
  seedUser,
  startWebTestServer,
  type SeededUser,
  type WebTestServer,
} from './helpers/web-server.js';

const unavailable = browserUnavailable();
if (unavailable !== undefined) console.log(`# device search suite skipped: ${unavailable}`);

/** Resource errors the app handles itself (a probe for a recovery backup, an expired session). */
const EXPECTED_CONSOLE = /Failed to load resource: the server responded with a status of 40[134]/;
/** More than one page of history (50) after it: the first hit is not on the chat's first screen. */
const FILLER = 60;

describe('device search in Chromium against the real server', { skip: unavailable }, () => {
  let removeBuild: () => void;
  let server: WebTestServer;
  let browser: Browser;
  let anna: SeededUser;
  let bruno: SeededUser;
  let annaFirst: SecureTestDevice;
  let brunoFirst: SecureTestDevice;
  let annaPage: Page;
  let problems: PageProblems;
  let heronId = '';

  /** Sends from a Node device (a user's first device, as the CLI would be); resolves with the seq. */
  const say = async (device: SecureTestDevice, conversationId: string, text: string): Promise<number> => {
    const sent = await device.messenger.send(conversationId, encodeContent({ type: 'text', text }));
    return (await sent.acknowledged).seq;
  };

  const field = (): ReturnType<Page['getByRole']> =>
    annaPage.getByRole('combobox', { name: 'Search messages' });
  const hit = (text: string | RegExp): ReturnType<Page['locator']> =>
    annaPage.getByRole('listbox', { name: 'Search results' }).getByRole('option').filter({ hasText: text });
  const status = (): ReturnType<Page['locator']> => annaPage.locator('.search-status');

  /** Types a query; the same query runs again while older history is still being indexed. */
  async function search(query: string): Promise<void> {
    await field().fill(query);
  }

  before(async () => {
    const webBuild = await buildWebClient();
    removeBuild = webBuild.remove;
    server = await startWebTestServer(webBuild.dir);
    browser = await launchChromium();
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
    heronId = created.conversation.id;
    // Sent before Anna's browser exists: it gets them back from her history archive only.
    await say(brunoFirst, heronId, 'Herr Müller was seen at the Łódź checkpoint at dawn.');
    for (let i = 1; i <= FILLER; i += 1)
      await say(brunoFirst, heronId, `Routine report ${String(i)}: all quiet.`);
    await waitFor(() => annaFirst.texts(heronId).length === FILLER + 1 || undefined, 'Anna reads them');
    await annaFirst.messenger.flushArchive();

    ({ page: annaPage, problems } = await openContext(browser, 'desktop'));
    await signInAndRecover(annaPage, server.url, anna, annaDevice.passphrase, 60_000);
    await annaPage.locator('.connection[data-state="live"]').waitFor({ timeout: 30_000 });
  });

  after(async () => {
    await annaFirst.stop();
    await brunoFirst.stop();
    await browser.close();
    await server.close();
    removeBuild();
  });

  it('finds recovered history whatever the accents; the keyboard opens the chat at the message', async () => {
    await search('muller lodz');
    const found = hit('Herr Müller');
    // The recovered history is indexed in the background after the recovery: the search runs again meanwhile.
    await found.waitFor({ timeout: 60_000 });
    assert.deepEqual(await found.locator('mark').allTextContents(), ['Müller', 'Łódź']);
    assert.match((await found.textContent()) ?? '', /Operation Heron/);
    assert.match((await found.textContent()) ?? '', /Bruno Lefèvre/);
    await status().filter({ hasText: '1 message found' }).waitFor();
    await assertNoSeriousAxeViolations(annaPage, 'search results');
    await screenshotBothSizes(annaPage, 'search-results');

    await field().press('ArrowDown');
    assert.equal(await found.getAttribute('aria-selected'), 'true');
    assert.equal(await field().getAttribute('aria-activedescendant'), await found.getAttribute('id'));
    await field().press('Enter');
    await annaPage.getByRole('heading', { name: 'Operation Heron', exact: true }).waitFor();
    // Older than the chat's first page: loaded down to it, scrolled to and focused.
    const message = annaPage.locator('.timeline .message', { hasText: 'Herr Müller was seen' });
    await message.waitFor({ timeout: 20_000 });
    await annaPage.waitForFunction(
      () => document.activeElement?.closest('.message')?.textContent.includes('Herr Müller') === true,
    );
    assert.ok(await isInView(annaPage, message), 'the message found is on screen');
    await screenshotBothSizes(annaPage, 'search-opened');
  });

  it('finds what is exchanged now, own messages too, by prefix; a click opens it; edits and deletions follow', async () => {
    const kestrel = await say(brunoFirst, heronId, 'The kestrel left the nest near Gdańsk.');
    // Back to the latest messages (the view stayed at the message found, and the chat does not jump away).
    await annaPage.locator('.chat-scroller').evaluate((scroller) => {
      scroller.scrollTop = scroller.scrollHeight;
    });
    await annaPage.locator('.timeline .message', { hasText: 'The kestrel left' }).waitFor();
    const composer = annaPage.getByLabel('Message to Operation Heron');
    await composer.fill('Bittern spotted by the reservoir');
    await composer.press('Enter');
    await annaPage.locator('.timeline .message', { hasText: 'Bittern spotted' }).waitFor();

    await search('bitt');
    await hit('Bittern spotted').waitFor({ timeout: 20_000 });
    assert.match((await hit('Bittern spotted').textContent()) ?? '', /You: Bittern/);

    await search('gdan');
    const gdansk = hit('kestrel');
    await gdansk.waitFor({ timeout: 20_000 });
    assert.deepEqual(await gdansk.locator('mark').allTextContents(), ['Gdańsk']);
    await gdansk.click();
    const row = annaPage.locator('.timeline .message', { hasText: 'The kestrel left' });
    await row.waitFor();
    assert.ok(await isInView(annaPage, row));

    // Bruno edits it: the old words no longer find it, the new ones do.
    const edited = await brunoFirst.messenger.send(
      heronId,
      encodeContent({ type: 'edit', text: 'The osprey left the nest near Gdańsk.' }),
      { kind: 'edit', refSeq: kestrel },
    );
    await edited.acknowledged;
    await search('osprey ');
    await hit('osprey').waitFor({ timeout: 20_000 });
    await search('kestrel ');
    await status().filter({ hasText: 'No messages found.' }).waitFor({ timeout: 20_000 });

    // He deletes it: gone from the results.
    const deleted = await brunoFirst.session.send(heronId, {
      kind: 'delete',
      refSeq: kestrel,
      payload: new Uint8Array(0),
    });
    await deleted.acknowledged;
    await annaPage.locator('.timeline .message.is-deleted').first().waitFor({ timeout: 20_000 });
    await search('osprey ');
    await status().filter({ hasText: 'No messages found.' }).waitFor({ timeout: 20_000 });
    assert.equal(await hit('osprey').count(), 0);

    // Escape clears the search.
    await field().press('Escape');
    assert.equal(await field().inputValue(), '');
    assert.deepEqual(problems.cspViolations, []);
    assert.deepEqual(
      problems.consoleErrors.filter((e) => !EXPECTED_CONSOLE.test(e)),
      [],
    );
  });
});

/** Whether the element's box lies within the chat's scrolling area (it was scrolled to, not just loaded). */
async function isInView(page: Page, locator: ReturnType<Page['locator']>): Promise<boolean> {
  const box = await locator.boundingBox();
  const area = await page.locator('.chat-scroller').boundingBox();
  if (box === null || area === null) return false;
  return box.y >= area.y - 1 && box.y + Math.min(box.height, 40) <= area.y + area.height + 1;
}
