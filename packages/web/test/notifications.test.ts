import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { encodeContent } from '@enlets/client';
import type { CreateConversationResponse } from '@enlets/protocol';
import type { SecureTestDevice } from '../../client/test/secure-device.js';
import {
  assertNoSeriousAxeViolations,
  browserUnavailable,
  launchChromium,
  openContext,
  screenshotBothSizes,
  type PageProblems,
} from './helpers/browser.js';
import {
  buildWebClient,
  seedUser,
  startWebTestServer,
  type SeededUser,
  type WebTestServer,
} from './helpers/web-server.js';
import { firstDevice, signInAndRecover } from './helpers/devices.js';

const unavailable = browserUnavailable();
if (unavailable !== undefined) console.log(`# notifications suite skipped: ${unavailable}`);

/**
 * Chromium logs every 4xx response on the console (a 401/404 is how the client learns some states), and logs its
 * refusal of a push subscription in a Playwright context (which it treats as incognito: no Push API there).
 */
const EXPECTED_CONSOLE =
  /Failed to load resource: the server responded with a status of 40[14]|does not support the Push API in incognito mode/;

/** A notification as `ServiceWorkerRegistration.getNotifications()` lists it in the page. */
interface ListedNotice {
  readonly title: string;
  readonly body: string;
  readonly tag: string;
}

/** The notifications the app's service worker registration shows now (both paths show through it). */
function listNotices(page: Page): Promise<ListedNotice[]> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return (await registration.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag }));
  });
}

async function closeNotices(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    for (const notice of await registration.getNotifications()) notice.close();
  });
}

/** Waits until a notification matching `predicate` is shown, and returns it. */
async function waitForNotice(
  page: Page,
  predicate: (notice: ListedNotice) => boolean,
  timeoutMs = 30_000,
): Promise<ListedNotice> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await listNotices(page)).find(predicate);
    if (found !== undefined) return found;
    if (Date.now() > deadline)
      throw new Error(`no such notification; shown: ${JSON.stringify(await listNotices(page))}`);
    await page.waitForTimeout(200);
  }
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The page thinks its tab is in the background. Headless Chromium keeps every page visible, and CDP has no
 * "hide this tab" command, so the Page Visibility API is overridden on the document (as a switch to another
 * tab would set it) and `visibilitychange` is fired; the app reads `document.visibilityState` when a message
 * arrives.
 */
async function hideTab(page: Page): Promise<void> {
  // A string: the test runner's compiler would wrap a function's inner arrows in a helper the page lacks.
  await page.evaluate(`
    Object.defineProperty(document, 'visibilityState', { configurable: true, get() { return 'hidden'; } });
    Object.defineProperty(document, 'hidden', { configurable: true, get() { return true; } });
    document.dispatchEvent(new Event('visibilitychange'));
  `);
}

describe('notifications in Chromium against the real server', { skip: unavailable }, () => {
  let removeBuild: () => void;
  let server: WebTestServer;
  let browser: Browser;
  let anna: SeededUser;
  let bruno: SeededUser;
  let annaDevice: SecureTestDevice;
  let brunoPassphrase: string;
  let directId: string;
  let mutedGroupId: string;
  let context: BrowserContext;
  let page: Page;
  let problems: PageProblems;

  const annaSays = async (conversationId: string, text: string): Promise<void> => {
    const sent = await annaDevice.messenger.send(conversationId, encodeContent({ type: 'text', text }));
    await sent.acknowledged;
  };

  before(async () => {
    const webBuild = await buildWebClient();
    removeBuild = webBuild.remove;
    server = await startWebTestServer(webBuild.dir);
    browser = await launchChromium();
    anna = await seedUser(server, 'Anna Schmidt');
    bruno = await seedUser(server, 'Bruno Lefèvre');
    annaDevice = (await firstDevice(server.url, anna)).device;
    const brunoFirst = await firstDevice(server.url, bruno);
    brunoPassphrase = brunoFirst.passphrase;
    await brunoFirst.device.stop();
    directId = (
      await anna.api.post<CreateConversationResponse>('/conversations', { kind: 'direct', userId: bruno.id })
    ).conversation.id;
    mutedGroupId = (
      await anna.api.post<CreateConversationResponse>('/conversations', {
        kind: 'group',
        name: 'Night shift',
        memberIds: [bruno.id],
      })
    ).conversation.id;
    await bruno.api.patch(`/conversations/${mutedGroupId}/me`, { muted: true });
    // The first messages make the conversations' MLS groups, which Bruno's browser joins.
    await annaSays(directId, 'Hello Bruno.');
    await annaSays(mutedGroupId, 'Shift starts at ten.');
  });

  after(async () => {
    await annaDevice.stop();
    await browser.close();
    await server.close();
    removeBuild();
  });

  it('turns notifications on from the account screen, and says this browser has no push service', async () => {
    ({ context, page, problems } = await openContext(browser, 'desktop'));
    // Playwright cannot answer the permission prompt: the context grants it as the person's "Allow" would.
    await context.grantPermissions(['notifications'], { origin: server.url });
    await signInAndRecover(page, server.url, bruno, brunoPassphrase, 60_000);
    await page.locator('.connection[data-state="live"]').waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: 'Account', exact: true }).click();
    const section = page.getByRole('region', { name: 'Notifications' });
    await section.getByRole('status').getByText('Off in this browser.').waitFor();
    const preview = section.getByLabel('Show message previews');
    assert.equal(await preview.isDisabled(), true, 'previews are chosen once notifications are on');

    await section.getByRole('button', { name: 'Turn on notifications' }).click();
    // Chromium gives a Playwright context no push subscription (it counts as incognito, and there are no Google
    // services here anyway): notifications still come while the app is open, and the screen says so.
    await section.getByRole('button', { name: 'Turn off notifications' }).waitFor({ timeout: 40_000 });
    const status = (await section.getByRole('status').textContent()) ?? '';
    assert.match(status, /^On/);
    assert.match(status, /no push service/, 'this browser cannot get a push subscription here');
    assert.equal(await preview.isChecked(), false, 'previews are off by default');
    assert.equal(await preview.isDisabled(), false);

    await assertNoSeriousAxeViolations(page, 'account (notifications)');
    await section.scrollIntoViewIfNeeded();
    await screenshotBothSizes(page, 'notifications-settings');
  });

  it('shows a push as a generic "New messages" notification with nothing of any message', async () => {
    const appCdp: CDPSession = await context.newCDPSession(page);
    const registrationId = new Promise<string>((resolve) => {
      appCdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const ours = registrations.find((r) => r.scopeURL === `${server.url}/` && !r.isDeleted);
        if (ours !== undefined) resolve(ours.registrationId);
      });
    });
    await appCdp.send('ServiceWorker.enable');
    await closeNotices(page);
    const canary = `CANARY-${randomUUID()}`;
    await annaSays(directId, `The meeting point is ${canary}`);
    // What the server's push carries (packages/server/src/push/sender.ts) once the browser's push stack has
    // decrypted it; handed to the service worker through DevTools, as there is no push service here.
    const push = async (cdp: CDPSession): Promise<void> => {
      await cdp.send('ServiceWorker.deliverPushMessage', {
        origin: server.url,
        registrationId: await registrationId,
        data: JSON.stringify({ v: 1, type: 'wake' }),
      });
    };

    // The app's window has the focus (headless Chromium focuses every page): the person is looking at it, so the
    // worker shows nothing and the page itself tells about what is new.
    await push(appCdp);
    await page.waitForTimeout(1500);
    assert.deepEqual(await listNotices(page), [], 'no notice over a focused window of the app');
    await appCdp.detach();

    // The worker speaks the language chosen in the app (the page tells it), also with no page open.
    await page.locator('.language-picker select').selectOption('de');
    await page.getByRole('heading', { name: 'Benachrichtigungen' }).waitFor();
    const worker = context.serviceWorkers()[0];
    assert.ok(worker !== undefined, 'the app installed its service worker');
    await waitUntil(
      async () =>
        (await worker.evaluate(
          `caches.open('enlets-settings-v1').then((c) => c.match('/__enlets/locale')).then((r) => r && r.text())`,
        )) === 'de',
      'the service worker keeps the language',
    );

    // The app closed: the push is all there is, and the worker shows the generic notice.
    const blank = await context.newPage();
    const blankCdp = await context.newCDPSession(blank);
    await blankCdp.send('ServiceWorker.enable');
    await page.close();
    await push(blankCdp);
    await blankCdp.detach();
    await blank.close();
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.consoleErrors.push(message.text());
    });
    await page.goto(server.url);
    await page.locator('.connection[data-state="live"]').waitFor({ timeout: 30_000 });
    const notice = await waitForNotice(page, (n) => n.tag === 'enlets-new-messages');
    assert.equal(notice.title, 'ENLETS Messenger');
    assert.equal(notice.body, 'Neue Nachrichten', 'generic, in the language chosen in the app');
    const shown = JSON.stringify(await listNotices(page));
    assert.ok(!shown.includes(canary), 'no message content');
    assert.ok(!shown.includes('Anna'), 'not even who wrote');
    await closeNotices(page);
    await page.locator('.language-picker select').selectOption('en');
    await page.getByRole('heading', { name: 'Conversations' }).waitFor();
  });

  it('notifies while the app is open in a hidden tab: generic by default, a preview when chosen, never for a muted chat', async () => {
    // In plain view the person sees the message arrive: no notification.
    await annaSays(directId, 'You are looking at this one.');
    await page.waitForTimeout(2000);
    assert.deepEqual(await listNotices(page), [], 'nothing while the tab is visible');

    await hideTab(page);
    const first = `CANARY-${randomUUID()}`;
    await annaSays(directId, `Plate number ${first}`);
    const generic = await waitForNotice(page, (n) => n.tag === 'enlets-new-messages');
    assert.equal(generic.body, 'New messages');
    assert.ok(!JSON.stringify(await listNotices(page)).includes(first), 'no preview unless chosen');
    await closeNotices(page);

    // The preview is chosen in the account screen (the live notifier follows the stored choice at once).
    await page.getByRole('link', { name: 'Account', exact: true }).click();
    await page.getByRole('region', { name: 'Notifications' }).getByLabel('Show message previews').check();
    await annaSays(mutedGroupId, 'Muted chats stay quiet.');
    const second = `Check the harbour, ${randomUUID().slice(0, 8)}`;
    await annaSays(directId, second);
    const withPreview = await waitForNotice(page, (n) => n.tag === `enlets-chat-${directId}`);
    assert.equal(withPreview.title, 'Anna Schmidt');
    assert.equal(withPreview.body, second);
    const all = await listNotices(page);
    assert.equal(
      all.filter((n) => n.tag === `enlets-chat-${mutedGroupId}`).length,
      0,
      'the muted group (its message came first) shows nothing',
    );
    assert.ok(!JSON.stringify(all).includes('Muted chats stay quiet.'));
    await closeNotices(page);

    assert.deepEqual(problems.cspViolations, []);
    assert.deepEqual(
      problems.consoleErrors.filter((e) => !EXPECTED_CONSOLE.test(e)),
      [],
      'no console errors',
    );
    await context.close();
  });
});
