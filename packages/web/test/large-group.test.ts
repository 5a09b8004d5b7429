import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { decodeContent, encodeContent } from '@enlets/client';
import type { CreateConversationResponse } from '@enlets/protocol';
import { openSecureDevice, type SecureTestDevice } from '../../client/test/secure-device.js';
import { waitFor } from '../../client/test/helpers.js';
import {
  assertNoSeriousAxeViolations,
  browserUnavailable,
  launchChromium,
  openContext,
  screenshotBothSizes,
  type PageProblems,
} from './helpers/browser.js';
import { firstDevice, signInAndRecover } from './helpers/devices.js';
import { buildWebClient, seedUser, startWebTestServer, type WebTestServer } from './helpers/web-server.js';

const unavailable = browserUnavailable();
if (unavailable !== undefined) console.log(`# large group suite skipped: ${unavailable}`);

/** Lowered from the default 200, so that a group of four is "large" (ADR 0021). */
const LARGE_GROUP_MEMBERS = 4;

/**
 * A large conversation (ADR 0021) in the browser: a new device may not join its encryption by itself, a manager's
 * device adds it with its next batch. Until then the chat says so instead of offering a composer whose
 * messages could not be sent; once added, the member reads and writes as anywhere else.
 */
describe('a new browser in a large conversation waits for a manager’s device', { skip: unavailable }, () => {
  let removeBuild: () => void;
  let server: WebTestServer;
  let browser: Browser;
  const devices: SecureTestDevice[] = [];
  const problems: PageProblems[] = [];

  before(async () => {
    const build = await buildWebClient();
    removeBuild = build.remove;
    server = await startWebTestServer(build.dir, { mlsLargeGroupMembers: LARGE_GROUP_MEMBERS });
    browser = await launchChromium();
  });
  after(async () => {
    await Promise.all(devices.map((d) => d.stop()));
    await browser.close();
    await server.close();
    removeBuild();
  });

  it('says it is waiting instead of offering a composer, then lets the member write once added', async () => {
    const mira = await seedUser(server, 'Mira Lind'); // the group's owner: her device batches
    const yara = await seedUser(server, 'Yara Nunes');
    const others = [await seedUser(server, 'Otto Berg'), await seedUser(server, 'Ines Roth')];
    const created = await mira.api.post<CreateConversationResponse>('/conversations', {
      kind: 'group',
      name: 'Border liaison',
      tlp: 'AMBER',
      memberIds: [yara.id, ...others.map((o) => o.id)],
    });
    const conversationId = created.conversation.id;
    // Batches only when asked: the timer would wait an hour, and no threshold is reached.
    const manager = await openSecureDevice(server.url, mira.id, mira.token, {
      batchCommits: { intervalMs: 60 * 60 * 1000, maxPending: 1000 },
    });
    devices.push(manager);
    const yaraFirst = await firstDevice(server.url, yara);
    devices.push(yaraFirst.device);
    const opened = await manager.messenger.send(
      conversationId,
      encodeContent({ type: 'text', text: 'liaison open' }),
    );
    await opened.acknowledged;

    // Yara signs in on a new browser: its device is not in the conversation's group, and may not join by itself.
    const context = await openContext(browser, 'desktop');
    problems.push(context.problems);
    const page = context.page;
    await signInAndRecover(page, server.url, yara, yaraFirst.passphrase);
    await page.getByRole('button', { name: /Border liaison/ }).click();
    const waiting = page.locator('.chat-awaiting-welcome');
    await waiting.waitFor({ timeout: 60_000 });
    assert.match((await waiting.textContent()) ?? '', /waiting to be added/);
    assert.equal(await page.getByLabel('Message to Border liaison').count(), 0, 'no composer meanwhile');
    await assertNoSeriousAxeViolations(page, 'chat waiting for a manager’s device');
    await screenshotBothSizes(page, 'chat-awaiting-welcome');

    // Mira's device batches: the browser's device is added, and the chat offers the composer.
    const batch = await manager.messenger.commitPendingChanges(conversationId);
    assert.equal(batch.added, 1, 'the browser’s device was added');
    await waiting.waitFor({ state: 'detached', timeout: 60_000 });
    const field = page.getByLabel('Message to Border liaison');
    await field.fill('Yara here, reading you');
    await field.press('Enter');
    await waitFor(
      () =>
        manager.shown.some((e) => {
          const content = e.content === null ? undefined : decodeContent(e.content);
          return content?.type === 'text' && content.text === 'Yara here, reading you';
        })
          ? true
          : undefined,
      'Mira’s device reads what the browser sent',
      60_000,
    );
    for (const p of problems) assert.deepEqual(p.cspViolations, [], 'no CSP violations');
  });
});
