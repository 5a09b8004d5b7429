import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { encodeContent, type MessageContent } from '@enlets/client';
import type { CreateConversationResponse } from '@enlets/protocol';
import { type SecureTestDevice } from '../../client/test/secure-device.js';
import { waitFor } from '../../client/test/helpers.js';
import {
  browserUnavailable,
  launchChromium,
  openContext,
  type PageProblems,
  type ViewportName,
  screenshotBothSizes,
  assertNoSeriousAxeViolations,
} from './helpers/browser.js';
import {
  buildWebClient,
  enableTotp,
  seedUser,
  startWebTestServer,
  totpCode,
  type SeededUser,
  type WebTestServer,
} from './helpers/web-server.js';
import {
  firstDevice as firstDeviceOf,
  signInAndRecover,
  waitForUnlockedMessenger,
} from './helpers/devices.js';

const unavailable = browserUnavailable();
if (unavailable !== undefined) console.log(`# web client suite skipped: ${unavailable}`);

/**
 * Chromium logs every 4xx response on the console (a 401 is how the client learns it is signed out), and every
 * request refused while the tests take the browser offline.
 */
const EXPECTED_CONSOLE =
  /Failed to load resource: (the server responded with a status of 401|net::ERR_INTERNET_DISCONNECTED)/;

describe('packages/web in Chromium against the real server', { skip: unavailable }, () => {
  let removeBuild: () => void;
  let server: WebTestServer;
  let browser: Browser;
  let anna: SeededUser;
  let bruno: SeededUser;
  let nightjarId: string;
  /** Each user's first device, outside the browser (as the CLI or another browser would be). */
  let annaFirst: SecureTestDevice;
  let brunoFirst: SecureTestDevice;
  /** The recovery passphrase each user set up on that first device; a browser unlocks with it. */
  const passphrases = new Map<string, string>();
  /** Anna's and Bruno's browsers, signed in by the first chat test and used by the next. */
  let annaPage: Page;
  let brunoPage: Page;
  const allProblems: PageProblems[] = [];
  const group = async (
    owner: SeededUser,
    name: string,
    members: readonly SeededUser[],
    tlp = 'GREEN',
  ): Promise<string> => {
    const created = await owner.api.post<CreateConversationResponse>('/conversations', {
      kind: 'group',
      name,
      tlp,
      memberIds: members.map((m) => m.id),
    });
    return created.conversation.id;
  };
  /** Sends end-to-end encrypted from a first device and waits for the server's acknowledgement. */
  const say = async (
    device: SecureTestDevice,
    conversationId: string,
    text: string,
    mentions: string[] = [],
  ) => {
    const content: MessageContent = { type: 'text', text };
    const sent = await device.messenger.send(conversationId, encodeContent(content), {
      ...(mentions.length === 0 ? {} : { mentions: mentions as SeededUser['id'][] }),
    });
    await sent.acknowledged;
  };

  async function firstDevice(user: SeededUser): Promise<SecureTestDevice> {
    const { device, passphrase } = await firstDeviceOf(server.url, user);
    passphrases.set(user.id, passphrase);
    return device;
  }

  /** Signs in on a fresh browser profile: a new device, which recovers the user's keys with the passphrase. */
  async function signedInPage(user: SeededUser, viewport: ViewportName): Promise<Page> {
    const { page, problems } = await openContext(browser, viewport);
    allProblems.push(problems);
    await signInAndRecover(page, server.url, user, passphrases.get(user.id) ?? '', 30_000);
    return page;
  }

  const bothSizes = screenshotBothSizes;

  const assertAccessible = assertNoSeriousAxeViolations;

  before(async () => {
    const webBuild = await buildWebClient();
    removeBuild = webBuild.remove;
    server = await startWebTestServer(webBuild.dir);
    browser = await launchChromium();
    anna = await seedUser(server, 'Anna Schmidt');
    bruno = await seedUser(server, 'Bruno Lefèvre');
    annaFirst = await firstDevice(anna);
    brunoFirst = await firstDevice(bruno);
    const old = await group(anna, 'Old case 2025', [bruno]);
    await anna.api.patch(`/conversations/${old}/me`, { archived: true });
    const muted = await group(anna, 'Cross-border pursuit', [bruno]);
    await anna.api.patch(`/conversations/${muted}/me`, { muted: true });
    await say(brunoFirst, muted, 'Shift change at 18:00.');
    const tig = await group(anna, 'Counter-UAS TIG', [bruno]);
    await anna.api.patch(`/conversations/${tig}/me`, { favourite: true });
    await anna.api.post('/conversations', { kind: 'direct', userId: bruno.id });
    nightjarId = await group(anna, 'Operation Nightjar', [bruno], 'AMBER');
    await say(brunoFirst, nightjarId, 'Morning, team. Briefing at 09:30.');
    await say(brunoFirst, nightjarId, '@Anna Schmidt can you check the plates?', [anna.id]);
    // Anna's first device reads them, and keeps them in her history archive for her next devices.
    await waitFor(() => annaFirst.texts(nightjarId).length === 2 || undefined, 'Anna reads the briefing');
    await annaFirst.messenger.flushArchive();
  });

  after(async () => {
    await annaFirst.stop();
    await brunoFirst.stop();
    await browser.close();
    await server.close();
    removeBuild();
  });

  it('serves the client with a strict CSP, cache headers, and SPA fallback outside the API', async () => {
    const index = await fetch(`${server.url}/`);
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    const csp = index.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.match(csp, new RegExp(`connect-src 'self' ws://${new URL(server.url).host}(;|$)`));
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const html = await index.text();
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, 'index.html loads a hashed script');
    const asset = await fetch(`${server.url}${script}`);
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);

    const deepLink = await fetch(`${server.url}/conversations/some-id`);
    assert.equal(deepLink.status, 200);
    assert.equal(await deepLink.text(), html);
    const api404 = await fetch(`${server.url}/api/v1/nothing-here`);
    assert.equal(api404.status, 404);
    assert.equal(((await api404.json()) as { error: { code: string } }).error.code, 'ROUTE_NOT_FOUND');
    assert.equal((await fetch(`${server.url}/missing.png`)).status, 404);
    const health = await fetch(`${server.url}/health`);
    assert.match(health.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  });

  it('signs in, lists conversations with their markers, and delivers a message live exactly once', async () => {
    const { page: signIn, problems } = await openContext(browser, 'desktop');
    allProblems.push(problems);
    await signIn.goto(server.url);
    await signIn.getByRole('heading', { name: 'Sign in' }).waitFor();
    await assertAccessible(signIn, 'sign-in');
    await bothSizes(signIn, 'sign-in');
    await signIn.context().close();

    annaPage = await signedInPage(anna, 'desktop');
    const nightjar = annaPage.getByRole('button', { name: /Operation Nightjar/ });
    await nightjar.waitFor();
    assert.match((await nightjar.textContent()) ?? '', /2 unread messages/);
    assert.match((await nightjar.textContent()) ?? '', /1 mention of you/);
    assert.match(
      (await annaPage.getByRole('button', { name: /Counter-UAS TIG/ }).textContent()) ?? '',
      /Favourite/,
    );
    assert.match(
      (await annaPage.getByRole('button', { name: /Cross-border pursuit/ }).textContent()) ?? '',
      /Muted/,
    );
    await annaPage.getByRole('button', { name: /Bruno Lefèvre/ }).waitFor();
    await annaPage.getByText('Archived (1)').waitFor();
    await annaPage.locator('.connection[data-state="live"]').waitFor();
    await assertAccessible(annaPage, 'conversation list');
    await bothSizes(annaPage, 'conversations');

    brunoPage = await signedInPage(bruno, 'phone');
    await brunoPage.getByRole('button', { name: /Operation Nightjar/ }).click();
    await brunoPage.getByRole('heading', { name: 'Operation Nightjar' }).waitFor();
    await brunoPage.locator('.connection[data-state="live"]').waitFor();

    await nightjar.click();
    // Sent before this browser existed: readable here only through the recovered history archive.
    await annaPage.getByText('can you check the plates?').waitFor();
    const text = 'Plates match the van seen in Kraków — Zażółć gęślą jaźń ✓';
    const composer = annaPage.getByLabel('Message to Operation Nightjar');
    await composer.fill(text);
    await composer.press('Enter');

    const brunoSees = brunoPage.locator('.timeline .message', { hasText: text });
    await brunoSees.waitFor();
    // Longer than the client's own fallback fetch after an acknowledgement: a duplicate would show by now.
    await brunoPage.waitForTimeout(2_500);
    assert.equal(await brunoSees.count(), 1, 'the other user sees the message once');
    assert.equal(await annaPage.locator('.timeline .message', { hasText: text }).count(), 1, 'and so do I');
    assert.equal(await annaPage.locator('.message.is-sending').count(), 0, 'nothing left in the outbox');
    assert.equal(
      await annaPage.locator('#conversation-' + nightjarId + ' .badge-unread').count(),
      0,
      'an open conversation is read',
    );
    await assertAccessible(annaPage, 'chat');
    await bothSizes(annaPage, 'chat');
    await assertAccessible(brunoPage, 'chat (phone)');
  });

  it('replies, reacts, edits and sends a file, all end-to-end encrypted, in both browsers', async () => {
    const original = 'Van left the border crossing at 07:40';
    const brunoMessage = brunoPage.locator('.timeline .message', { hasText: 'Morning, team.' });
    // Bruno replies to his own briefing from his phone; Anna sees the reply with what it answers.
    await brunoMessage.getByRole('button', { name: 'Reply' }).click();
    const brunoComposer = brunoPage.getByLabel('Message to Operation Nightjar');
    await brunoComposer.fill(original);
    await brunoComposer.press('Enter');
    const reply = annaPage.locator('.timeline .message', { hasText: original });
    await reply.waitFor();
    assert.match(
      (await reply.locator('.message-reply').textContent()) ?? '',
      /In reply to Bruno Lefèvre:.*Briefing at 09:30/,
    );

    // Anna reacts; Bruno sees the count.
    await reply.getByRole('button', { name: 'React with ✅' }).click();
    await brunoPage
      .locator('.timeline .message', { hasText: original })
      .locator('.reaction', { hasText: '✅ 1' })
      .waitFor();

    // Bruno corrects his message; Anna sees the new text, marked edited, and the old one nowhere.
    await brunoPage
      .locator('.timeline .message', { hasText: original })
      .getByRole('button', { name: 'Edit' })
      .click();
    await brunoComposer.fill('Van left the border crossing at 07:45');
    await brunoComposer.press('Enter');
    const edited = annaPage.locator('.timeline .message', { hasText: 'at 07:45' });
    await edited.waitFor();
    assert.match((await edited.textContent()) ?? '', /edited/);
    assert.equal(await annaPage.locator('.timeline .message', { hasText: 'at 07:40' }).count(), 0);

    // Anna sends a file; Bruno downloads it and gets exactly its bytes, decrypted in his browser.
    const report = Buffer.from(`Plate check ${'ABC-123 '.repeat(20_000)}— Zażółć`, 'utf8');
    await annaPage.locator('input[type="file"]').setInputFiles({
      name: 'plate-check.txt',
      mimeType: 'text/plain',
      buffer: report,
    });
    await annaPage.getByRole('list', { name: 'Files to send' }).getByText('plate-check.txt').waitFor();
    await annaPage.getByLabel('Message to Operation Nightjar').fill('Plate check attached');
    await annaPage.getByRole('button', { name: 'Send' }).click();
    const fileMessage = brunoPage.locator('.timeline .message', { hasText: 'plate-check.txt' });
    await fileMessage.waitFor({ timeout: 30_000 });
    assert.match((await fileMessage.textContent()) ?? '', /Plate check attached/);
    const [download] = await Promise.all([
      brunoPage.waitForEvent('download'),
      fileMessage.getByRole('button', { name: 'Download plate-check.txt' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'plate-check.txt');
    const path = await download.path();
    assert.deepEqual(readFileSync(path), report, 'the downloaded file is the one sent');
    await assertAccessible(annaPage, 'chat with files');
    await bothSizes(brunoPage, 'chat-features');
  });

  it('keeps one tab per account: a second tab says so instead of driving the same keys', async () => {
    const second = await annaPage.context().newPage();
    await second.goto(server.url);
    await second
      .getByRole('alert')
      .getByText(/open in another tab/)
      .waitFor({ timeout: 30_000 });
    await second.close();
    // The first tab is untouched and still live.
    await annaPage.locator('.connection[data-state="live"]').waitFor();
  });

  it('sends what was typed offline once the network is back, exactly once on both sides', async () => {
    const context = annaPage.context();
    await context.setOffline(true);
    await annaPage.locator('.connection:not([data-state="live"])').waitFor({ timeout: 30_000 });
    const text = 'Written in the tunnel, no signal';
    const composer = annaPage.getByLabel('Message to Operation Nightjar');
    await composer.fill(text);
    await composer.press('Enter');
    await annaPage.locator('.message.is-sending', { hasText: text }).waitFor();
    await brunoPage.waitForTimeout(1_000);
    assert.equal(await brunoPage.locator('.timeline .message', { hasText: text }).count(), 0, 'not out yet');

    await context.setOffline(false);
    const brunoSees = brunoPage.locator('.timeline .message', { hasText: text });
    await brunoSees.waitFor({ timeout: 30_000 });
    await annaPage.locator('.connection[data-state="live"]').waitFor({ timeout: 30_000 });
    await annaPage.locator('.message.is-sending').waitFor({ state: 'detached', timeout: 30_000 });
    await brunoPage.waitForTimeout(2_500);
    assert.equal(await brunoSees.count(), 1, 'the other side sees it once');
    assert.equal(await annaPage.locator('.timeline .message', { hasText: text }).count(), 1, 'and so do I');
  });

  it('is an installable app that starts without a network', async () => {
    const manifestResponse = await fetch(`${server.url}/manifest.webmanifest`);
    assert.equal(manifestResponse.status, 200);
    const manifest = (await manifestResponse.json()) as {
      name: string;
      start_url: string;
      display: string;
      icons: Array<{ src: string; purpose: string }>;
    };
    assert.equal(manifest.name, 'ENLETS Messenger');
    assert.equal(manifest.start_url, '/');
    assert.equal(manifest.display, 'standalone');
    assert.deepEqual(manifest.icons.map((icon) => icon.purpose).sort(), ['any', 'maskable']);
    for (const icon of manifest.icons) assert.equal((await fetch(`${server.url}${icon.src}`)).status, 200);

    const { page, problems } = await openContext(browser, 'phone');
    allProblems.push(problems);
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // The service worker took over and holds the app shell.
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    assert.equal(scope, `${server.url}/`);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

    await page.context().setOffline(true);
    await page.reload();
    // The app itself starts (not the browser's offline page) and says the server cannot be reached.
    await page.getByRole('alert').getByText('The server cannot be reached. Retrying…').waitFor();
    await page.context().setOffline(false);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 20_000 });
    await page.context().close();
  });

  it('asks for the second factor, refusing a wrong password first', async () => {
    const carol = await seedUser(server, 'Carla Rossi');
    const secret = await enableTotp(carol);
    const { page, problems } = await openContext(browser, 'phone');
    allProblems.push(problems);
    await page.goto(server.url);
    await page.getByLabel('E-mail address').fill(carol.email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('The e-mail address or password is wrong.').waitFor();

    await page.getByLabel('Password').fill(carol.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const code = page.getByLabel('Authentication code');
    await code.waitFor();
    assert.equal(await code.evaluate((element) => element === document.activeElement), true);
    await assertAccessible(page, 'second factor');
    await bothSizes(page, 'second-factor');
    // The enrolment used the current step's code, and a used step is refused (replay): the next one is valid.
    await code.fill(totpCode(secret, Date.now() + 30_000));
    await page.getByRole('button', { name: 'Verify' }).click();
    // Carla's first device: her keys are made here, and a recovery passphrase must protect them.
    await page.getByRole('heading', { name: 'Set up your recovery passphrase' }).waitFor({ timeout: 30_000 });
    await assertAccessible(page, 'recovery setup');
    await page.getByLabel('Recovery passphrase', { exact: true }).fill('carla2026');
    await page.getByLabel('Type the passphrase again').fill('carla2026');
    await page.getByRole('button', { name: 'Save recovery passphrase' }).click();
    await page
      .getByRole('alert')
      .getByText(/Use the suggested code/)
      .waitFor();
    await page.getByRole('button', { name: 'Suggest a generated code' }).click();
    const generated = (await page.locator('.recovery-code code').textContent()) ?? '';
    assert.match(generated, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){5}$/, 'a generated code is offered');
    await page.getByLabel('Type the passphrase again').fill(generated);
    await page.getByRole('button', { name: 'Save recovery passphrase' }).click();
    await waitForUnlockedMessenger(page, 60_000);
    await page.getByText('No conversations yet.').waitFor();
  });

  it('signs out for good: the session ends on the server and a reload shows the sign-in', async () => {
    const page = await signedInPage(anna, 'desktop');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const cookies = await page.context().cookies();
    assert.equal(
      cookies.find((c) => c.name === 'enlets_session'),
      undefined,
    );
  });

  it("speaks the browser's language and switches on request", async () => {
    const { page, problems } = await openContext(browser, 'phone', 'pl-PL');
    allProblems.push(problems);
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Logowanie' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'pl');
    await page.getByLabel('Język').selectOption('de');
    await page.getByRole('heading', { name: 'Anmelden' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'de');
    await page.reload();
    await page.getByRole('heading', { name: 'Anmelden' }).waitFor();
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
