import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { ConversationListResponse, EventRangeResponse } from '@enlets/protocol';
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
if (unavailable !== undefined) console.log(`# broadcasts suite skipped: ${unavailable}`);

/** Chromium logs every refused request on the console; 401 is the signed-out check before signing in. */
const EXPECTED_CONSOLE = /Failed to load resource: the server responded with a status of 401/;
/** Encryption, a second browser's live update and a new group's Welcome take a few round trips. */
const SLOW = { timeout: 30_000 };

describe('broadcasts in Chromium: one sender, two recipients, a private reply', { skip: unavailable }, () => {
  let removeBuild: () => void;
  let server: WebTestServer;
  let browser: Browser;
  let anna: SeededUser;
  let bruno: SeededUser;
  let carla: SeededUser;
  let annaPage: Page;
  let brunoPage: Page;
  let carlaPage: Page;
  let broadcastId: string;
  const passphrases = new Map<string, string>();
  const allProblems: PageProblems[] = [];
  const bulletin = 'Bulletin 12: new skimming devices seen at Görlitz station';
  const privateReply = 'Question on bulletin 12, for you only: which platform?';

  /** The user's first device, outside the browser and then stopped: the browser recovers the keys from it. */
  async function firstDevice(user: SeededUser): Promise<void> {
    const { device, passphrase } = await firstDeviceOf(server.url, user);
    passphrases.set(user.id, passphrase);
    await device.stop();
  }

  async function signedInPage(user: SeededUser, viewport: ViewportName): Promise<Page> {
    const { page, problems } = await openContext(browser, viewport);
    allProblems.push(problems);
    await signInAndRecover(page, server.url, user, passphrases.get(user.id) ?? '', 60_000);
    await page.locator('.connection[data-state="live"]').waitFor(SLOW);
    return page;
  }

  const message = (page: Page, text: string) => page.locator('.timeline .message', { hasText: text });
  const row = (page: Page, name: string) => page.locator('.conversation-row', { hasText: name });

  async function chatOpen(page: Page, title: string): Promise<void> {
    await page.locator('#chat-title', { hasText: title }).waitFor(SLOW);
    await page.getByRole('dialog').waitFor({ state: 'detached' });
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
  });

  after(async () => {
    await browser.close();
    await server.close();
    removeBuild();
  });

  it('creates a broadcast for two recipients, whose browsers show it decrypted and read-only', async () => {
    annaPage = await signedInPage(anna, 'desktop');
    brunoPage = await signedInPage(bruno, 'phone');
    carlaPage = await signedInPage(carla, 'desktop');

    const opener = annaPage.getByRole('button', { name: 'New broadcast' });
    await opener.click();
    const dialog = annaPage.getByRole('dialog', { name: 'New broadcast' });
    await dialog.waitFor();
    await annaPage.getByLabel('Title of the broadcast').fill('Weekly bulletin');
    // No recipient yet: refused here, with the reason, before anything is created.
    await dialog.getByRole('button', { name: 'Create broadcast' }).click();
    await dialog.getByRole('alert').getByText('Choose at least one recipient.').waitFor();
    for (const name of ['Bruno Lefèvre', 'Carla Rossi']) {
      await annaPage.getByLabel('Search members by name').fill(name.split(' ')[0] ?? name);
      await annaPage.getByRole('button', { name: `Add ${name}` }).click();
      await annaPage.getByRole('button', { name: `Remove ${name}` }).waitFor();
    }
    await dialog.getByText('Recipients: 2 chosen').waitFor();
    await assertNoSeriousAxeViolations(annaPage, 'new broadcast');
    await screenshotBothSizes(annaPage, 'broadcast-new');
    await dialog.getByRole('button', { name: 'Create broadcast' }).click();
    await chatOpen(annaPage, 'Weekly bulletin');
    await annaPage.getByText('Your broadcast to 2 recipients.', { exact: false }).waitFor();
    await row(annaPage, 'Weekly bulletin').getByText('Broadcast', { exact: true }).waitFor();

    // The sender writes through the ordinary composer: the first message sets up the group's encryption.
    const composer = annaPage.getByLabel('Message to Weekly bulletin');
    await composer.fill(bulletin);
    await composer.press('Enter');
    await message(annaPage, bulletin).waitFor(SLOW);
    // The sender's own message keeps the actions of the composer she has.
    await message(annaPage, bulletin).getByRole('button', { name: 'Reply', exact: true }).waitFor(SLOW);
    await assertNoSeriousAxeViolations(annaPage, 'broadcast (sender)');
    await screenshotBothSizes(annaPage, 'broadcast-sender');

    // The server holds ciphertext only.
    const { conversations } = await anna.api.get<ConversationListResponse>('/conversations');
    const broadcast = conversations.find((c) => c.kind === 'broadcast');
    assert.ok(broadcast, 'the broadcast is a conversation of kind broadcast');
    broadcastId = broadcast.id;
    const { events } = await anna.api.get<EventRangeResponse>(`/conversations/${broadcastId}/events`);
    const stored = events.filter((e) => e.kind === 'message');
    assert.equal(stored.length, 1);
    for (const event of stored) {
      assert.ok(event.payload !== null && event.payload !== '', 'the message has a payload');
      assert.ok(!Buffer.from(event.payload, 'base64').toString('utf8').includes('skimming'), 'not plaintext');
    }

    // Both recipients see it, decrypted, marked as a broadcast, without a message field.
    for (const [page, name] of [
      [brunoPage, 'Bruno'],
      [carlaPage, 'Carla'],
    ] as const) {
      const entry = row(page, 'Weekly bulletin');
      await entry.waitFor(SLOW);
      await entry.getByText('Broadcast', { exact: true }).waitFor();
      await entry.click();
      await chatOpen(page, 'Weekly bulletin');
      await message(page, bulletin).waitFor(SLOW);
      await page.getByText('Broadcast from Anna Schmidt').waitFor();
      await page.getByRole('button', { name: 'Reply privately' }).waitFor();
      assert.equal(
        await page.getByLabel('Message to Weekly bulletin').count(),
        0,
        `${name} has no message field in the broadcast`,
      );
      // Nor the per-message actions that need one: reacting stays, replying goes through "Reply privately".
      const received = message(page, bulletin);
      await received.getByRole('button', { name: 'React with 👍' }).waitFor();
      for (const action of ['Reply', 'Edit', 'Delete', 'Pin'])
        assert.equal(
          await received.getByRole('button', { name: action, exact: true }).count(),
          0,
          `${name} is offered no "${action}" on a broadcast message`,
        );
    }
    await assertNoSeriousAxeViolations(brunoPage, 'broadcast (recipient)');
    await screenshotBothSizes(brunoPage, 'broadcast-recipient');
  });

  it('opens a private conversation with the sender on "Reply privately"; the other recipient sees none of it', async () => {
    await brunoPage.getByRole('button', { name: 'Reply privately' }).click();
    await chatOpen(brunoPage, 'Anna Schmidt');
    const composer = brunoPage.getByLabel('Message to Anna Schmidt');
    await composer.fill(privateReply);
    await composer.press('Enter');
    await message(brunoPage, privateReply).waitFor(SLOW);

    // The sender reads it in a 1:1 conversation with Bruno, not in the broadcast.
    const direct = row(annaPage, 'Bruno Lefèvre');
    await direct.waitFor(SLOW);
    assert.equal(await direct.getByText('Broadcast', { exact: true }).count(), 0, 'a 1:1, not a broadcast');
    await direct.click();
    await chatOpen(annaPage, 'Bruno Lefèvre');
    await message(annaPage, privateReply).waitFor(SLOW);
    await assertNoSeriousAxeViolations(annaPage, 'private reply (sender)');
    await screenshotBothSizes(annaPage, 'broadcast-reply');

    // Replying again leads to the same conversation, not a second one.
    await brunoPage.getByRole('button', { name: 'Back to the conversations' }).click();
    await row(brunoPage, 'Weekly bulletin').click();
    await brunoPage.getByRole('button', { name: 'Reply privately' }).click();
    await chatOpen(brunoPage, 'Anna Schmidt');
    await message(brunoPage, privateReply).waitFor(SLOW);

    // Carla: still only the broadcast, no conversation with Anna, and no trace of Bruno's reply.
    assert.equal(await row(carlaPage, 'Anna Schmidt').count(), 0, 'Carla has no 1:1 with Anna');
    assert.equal(await message(carlaPage, privateReply).count(), 0, 'the reply is not in the broadcast');
    const carlas = await carla.api.get<ConversationListResponse>('/conversations');
    assert.deepEqual(
      carlas.conversations.map((c) => c.kind),
      ['broadcast'],
      'the server lists only the broadcast for Carla',
    );
    const brunos = await bruno.api.get<ConversationListResponse>('/conversations');
    assert.equal(brunos.conversations.filter((c) => c.kind === 'direct').length, 1, 'one 1:1 for Bruno');
  });

  it('reported no CSP violation and no console error on any page', () => {
    assert.deepEqual(
      allProblems.flatMap((p) => p.cspViolations),
      [],
    );
    assert.deepEqual(
      allProblems.flatMap((p) => p.consoleErrors).filter((line) => !EXPECTED_CONSOLE.test(line)),
      [],
    );
  });
});
