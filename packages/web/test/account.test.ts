import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { create as createQr } from 'qrcode';
import { encodeContent, EnletsApiError, EnletsHttpClient } from '@enlets/client';
import { decodeDeviceList, fromBase64Url, safetyNumber, toBase64Url } from '@enlets/crypto';
import type { CreateConversationResponse, UserDevicesResponse } from '@enlets/protocol';
import { openSecureDevice, type SecureTestDevice } from '../../client/test/secure-device.js';
import {
  browserUnavailable,
  launchChromium,
  openContext,
  screenshot,
  type PageProblems,
  type ViewportName,
  screenshotBothSizes,
  assertNoSeriousAxeViolations,
} from './helpers/browser.js';
import {
  buildWebClient,
  seedUser,
  startWebTestServer,
  type SeededUser,
  type WebTestServer,
} from './helpers/web-server.js';
import { firstDevice as firstDeviceOf, signInAndRecover } from './helpers/devices.js';

const unavailable = browserUnavailable();
if (unavailable !== undefined) console.log(`# account screens suite skipped: ${unavailable}`);

/** Chromium logs every 4xx response on the console; a 401/404 is how the client learns some states. */
const EXPECTED_CONSOLE = /Failed to load resource: the server responded with a status of 40[14]/;

/** The dark runs of the rows of the QR symbol of `text` (`qrcode` 1.5.4 in Node, same options). */
function darkRuns(text: string): number {
  const { size, data } = createQr(text, { errorCorrectionLevel: 'M' }).modules;
  let runs = 0;
  for (let row = 0; row < size; row++)
    for (let column = 0; column < size; column++)
      if (data[row * size + column] !== 0 && (column === 0 || data[row * size + column - 1] === 0)) runs++;
  return runs;
}

describe('the account screens in Chromium against the real server', { skip: unavailable }, () => {
  let removeBuild: () => void;
  let server: WebTestServer;
  let browser: Browser;
  let anna: SeededUser;
  let bruno: SeededUser;
  let directId: string;
  let annaFirst: SecureTestDevice;
  let brunoFirst: SecureTestDevice;
  const extraDevices: SecureTestDevice[] = [];
  const passphrases = new Map<string, string>();
  let annaPage: Page;
  let brunoPage: Page;
  const allProblems: PageProblems[] = [];

  async function firstDevice(user: SeededUser): Promise<SecureTestDevice> {
    const { device, passphrase } = await firstDeviceOf(server.url, user);
    passphrases.set(user.id, passphrase);
    return device;
  }

  /** A fresh browser profile: a new device, which recovers the user's keys with the passphrase. */
  async function signedInPage(user: SeededUser, viewport: ViewportName): Promise<Page> {
    const { page, problems } = await openContext(browser, viewport);
    allProblems.push(problems);
    await signInAndRecover(page, server.url, user, passphrases.get(user.id) ?? '', 60_000);
    await page.locator('.connection[data-state="live"]').waitFor({ timeout: 30_000 });
    return page;
  }

  async function openAccount(page: Page): Promise<void> {
    await page.getByRole('link', { name: 'Account', exact: true }).click();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
  }

  async function openVerification(page: Page, contactName: string): Promise<string> {
    await page.getByRole('link', { name: `Compare safety number ${contactName}` }).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(`Verify ${contactName}`) }).waitFor();
    const digits = (await page.locator('.safety .safety-number').textContent({ timeout: 30_000 })) ?? '';
    return digits.replace(/\s/g, '');
  }

  const bothSizes = screenshotBothSizes;

  const assertAccessible = assertNoSeriousAxeViolations;

  async function focusedText(page: Page): Promise<string | undefined> {
    return page.evaluate(() => document.activeElement?.textContent ?? undefined);
  }

  async function identityKeyOf(user: SeededUser): Promise<Uint8Array> {
    const { identityKey } = await user.api.get<UserDevicesResponse>(`/e2ee/users/${user.id}/devices`);
    assert.ok(identityKey !== null, `${user.displayName} has an identity key`);
    return fromBase64Url(identityKey);
  }

  before(async () => {
    const webBuild = await buildWebClient();
    removeBuild = webBuild.remove;
    server = await startWebTestServer(webBuild.dir);
    browser = await launchChromium();
    anna = await seedUser(server, 'Anna Schmidt');
    bruno = await seedUser(server, 'Bruno Lefèvre');
    annaFirst = await firstDevice(anna);
    brunoFirst = await firstDevice(bruno);
    const direct = await anna.api.post<CreateConversationResponse>('/conversations', {
      kind: 'direct',
      userId: bruno.id,
    });
    directId = direct.conversation.id;
    // The first message makes the conversation's MLS group, which every later device joins.
    const sent = await annaFirst.messenger.send(
      directId,
      encodeContent({ type: 'text', text: 'Hello Bruno.' }),
    );
    await sent.acknowledged;
  });

  after(async () => {
    for (const device of [annaFirst, brunoFirst, ...extraDevices]) await device.stop();
    await browser.close();
    await server.close();
    removeBuild();
  });

  it('lists the sessions with this browser marked, and signs out another one remotely', async () => {
    // Another session of Anna's, made through the API as a laptop in the field would.
    const laptop = new EnletsHttpClient({ baseUrl: server.url });
    await laptop.login({ email: anna.email, password: anna.password, deviceLabel: 'Field laptop' });
    assert.equal((await laptop.me()).id, anna.id);

    annaPage = await signedInPage(anna, 'desktop');
    await openAccount(annaPage);
    const sessions = annaPage.getByRole('region', { name: 'Sessions' });
    const current = sessions.locator('.account-item.is-current');
    await current.waitFor();
    assert.match((await current.textContent()) ?? '', /This browser/);
    assert.match((await current.textContent()) ?? '', /Chrom/, 'its browser, from the user agent');
    const laptopRow = sessions.locator('.account-item', { hasText: 'Field laptop' });
    await laptopRow.waitFor();
    assert.equal(
      await sessions.locator('.account-item').count(),
      3,
      'the browser, the first device, the laptop',
    );

    // The devices of the signed list: the first device and this browser, both signed by Anna's identity key.
    const devices = annaPage.getByRole('region', { name: 'Encrypted devices' });
    await devices.locator('.account-item').nth(1).waitFor();
    assert.equal(
      await devices.locator('.account-item', { hasText: 'Signed by your identity key' }).count(),
      2,
    );
    assert.equal(await devices.locator('.account-item.is-current').count(), 1);

    await assertAccessible(annaPage, 'account');
    await bothSizes(annaPage, 'account');
    await annaPage.evaluate(() => document.getElementById('sessions-heading')?.scrollIntoView());
    await screenshot(annaPage, 'account-sessions', 'desktop');

    // By keyboard: the confirmation takes focus; Escape goes back to the button that asked.
    const signOut = laptopRow.getByRole('button', { name: 'Sign out Field laptop' });
    await signOut.focus();
    await annaPage.keyboard.press('Enter');
    await laptopRow.getByRole('button', { name: 'Yes, sign out' }).waitFor();
    assert.equal(await focusedText(annaPage), 'Yes, sign out');
    await annaPage.keyboard.press('Escape');
    await signOut.waitFor();
    await annaPage.waitForFunction(() => document.activeElement?.textContent === 'Sign out Field laptop');
    await annaPage.keyboard.press('Enter');
    await laptopRow.getByRole('button', { name: 'Yes, sign out' }).waitFor();
    await annaPage.keyboard.press('Enter');
    await sessions.getByRole('status').filter({ hasText: '“Field laptop” was signed out.' }).waitFor();
    await laptopRow.waitFor({ state: 'detached' });
    assert.equal(await sessions.locator('.account-item').count(), 2);
    assert.equal(
      await annaPage.evaluate(() => document.activeElement?.id),
      'sessions-heading',
      'focus returns to the section, where the outcome is announced',
    );
    await assert.rejects(
      laptop.me(),
      (error: unknown) => error instanceof EnletsApiError && error.status === 401,
    );
  });

  it('shows the same safety number in both browsers and in Node, as digits and a QR code', async () => {
    brunoPage = await signedInPage(bruno, 'phone');
    await openAccount(brunoPage);
    const brunoDigits = await openVerification(brunoPage, 'Anna Schmidt');

    await annaPage
      .getByRole('region', { name: 'Contacts and verification' })
      .locator('.account-item')
      .waitFor();
    const annaDigits = await openVerification(annaPage, 'Bruno Lefèvre');

    const computed = safetyNumber(
      { userId: anna.id, identityKey: await identityKeyOf(anna) },
      { userId: bruno.id, identityKey: await identityKeyOf(bruno) },
    );
    assert.match(annaDigits, /^\d{60}$/);
    assert.equal(annaDigits, brunoDigits, 'both browsers show the same number');
    assert.equal(annaDigits, computed.digits, 'and it is what the crypto package computes');
    assert.equal(await annaPage.locator('.safety .safety-number .safety-group').count(), 12);

    const qr = annaPage.getByRole('img', { name: 'QR code of the safety number' });
    await qr.waitFor();
    assert.equal(
      await qr.locator('rect').count(),
      1 + darkRuns(computed.qrText),
      'the QR code holds the payload the crypto package computes (a background, then one rect per dark run)',
    );
    assert.equal(await annaPage.locator('.safety-qr image, .safety-qr foreignObject').count(), 0);

    await assertAccessible(annaPage, 'verification');
    await bothSizes(annaPage, 'verification');
  });

  it('keeps a contact verified across a reload', async () => {
    await annaPage.getByRole('button', { name: 'Mark as verified' }).click();
    await annaPage.getByText('You verified this contact’s safety number.').waitFor();
    // Focus moves to the new state in the frame after it renders (the button pressed is gone by then).
    await annaPage.waitForFunction(() => document.activeElement?.className === 'verify-status', undefined, {
      timeout: 5_000,
    });
    assert.match((await annaPage.locator('.verify-status').textContent()) ?? '', /Verified/);

    await annaPage.reload();
    await annaPage
      .getByRole('heading', { level: 1, name: /Verify Bruno Lefèvre/ })
      .waitFor({ timeout: 30_000 });
    await annaPage.getByText('You verified this contact’s safety number.').waitFor({ timeout: 30_000 });
    assert.equal(await annaPage.getByRole('button', { name: 'Mark as verified' }).count(), 0);

    // The chat shows it next to the contact.
    await annaPage.getByRole('link', { name: 'Back to conversations' }).click();
    await annaPage.getByRole('button', { name: /Bruno Lefèvre/ }).click();
    const security = annaPage.locator('.chat-security');
    await security.getByText('Verified').waitFor({ timeout: 30_000 });
  });

  it("shows one user's availability change to the other", async () => {
    await annaPage.getByRole('link', { name: 'Account', exact: true }).click();
    const profile = annaPage.getByRole('region', { name: 'Profile and availability' });
    await profile.getByRole('radio', { name: 'Busy' }).check();
    await profile.getByLabel('Status message (optional)').fill('In a briefing until 11:00');
    await profile.getByRole('button', { name: 'Update availability' }).click();
    await profile.getByText('Your contacts now see you as: Busy.').waitFor();

    // Bruno is on Anna's verification screen: her presence changes there, live.
    const presence = brunoPage.locator('.verify-status .presence-line');
    await presence.filter({ hasText: 'In a briefing until 11:00' }).waitFor({ timeout: 15_000 });
    assert.match((await presence.textContent()) ?? '', /^Busy/);
    // And in the chat with her.
    await brunoPage.getByRole('link', { name: 'Back to your account' }).click();
    await brunoPage.getByRole('link', { name: 'Back to conversations' }).click();
    await brunoPage.getByRole('button', { name: /Anna Schmidt/ }).click();
    await brunoPage.locator('.chat-header', { hasText: 'Busy' }).waitFor();
  });

  it('shows her own availability and read-receipt setting as the server has them after a reload', async () => {
    const profile = annaPage.getByRole('region', { name: 'Profile and availability' });
    const receipts = profile.getByRole('checkbox', { name: 'Share read receipts' });
    assert.equal(await receipts.isChecked(), true, 'on until she turns it off');
    await receipts.uncheck();
    await profile.getByText('Read receipts are off.').waitFor();

    await annaPage.reload();
    await profile.waitFor({ timeout: 30_000 });
    // Nothing in this browser keeps these: the screen reads them from the account (GET /me).
    assert.equal(await profile.getByRole('radio', { name: 'Busy' }).isChecked(), true);
    assert.equal(
      await profile.getByLabel('Status message (optional)').inputValue(),
      'In a briefing until 11:00',
    );
    assert.equal(await receipts.isChecked(), false);

    // Turned back on from another of her devices (a bearer session), the next visit here shows that.
    await anna.api.put('/me/read-receipts', { enabled: true });
    await annaPage.reload();
    await profile.waitFor({ timeout: 30_000 });
    assert.equal(await receipts.isChecked(), true);
  });

  it("warns about an identity change of a contact, in the chat and on the contact's screen", async () => {
    // The API refuses a second identity key for a user (E2EE_IDENTITY_EXISTS): an identity reset is simulated
    // at the server (as a compromised server or an operator reset would do), then a new device of Bruno's
    // registers a new identity key as a first device does, and joins the conversation.
    await assert.rejects(
      bruno.api.put('/e2ee/identity', { identityKey: 'A'.repeat(43) }),
      (error: unknown) => error instanceof EnletsApiError && error.code === 'E2EE_IDENTITY_EXISTS',
    );
    const before = await bruno.api.get<UserDevicesResponse>(`/e2ee/users/${bruno.id}/devices`);
    assert.ok(before.identityKey !== null && before.deviceList !== null);
    await server.built.services.db.deleteFrom('e2ee_identities').where('user_id', '=', bruno.id).execute();
    const { token } = await new EnletsHttpClient({ baseUrl: server.url }).login({
      email: bruno.email,
      password: bruno.password,
    });
    assert.ok(token);
    const impostor = await openSecureDevice(server.url, bruno.id, token);
    extraDevices.push(impostor);
    assert.notEqual(
      toBase64Url(await identityKeyOf(bruno)),
      before.identityKey,
      'the server now announces another identity key for Bruno',
    );
    // The new device trusts Bruno's earlier devices (as the one who staged the reset would make it), so it can
    // join the conversation: its own leaf, under the new key, is what Anna's device must refuse.
    await impostor.e2eeStore.save({
      userId: bruno.id,
      identityKey: fromBase64Url(before.identityKey),
      verification: 'unverified',
      deviceList: decodeDeviceList(fromBase64Url(before.deviceList)),
      changedIdentityKey: undefined,
    });
    await impostor.messenger.ensureJoined(directId);

    // Anna's chat with Bruno: reopened, it checks his key and shows the change.
    await annaPage.getByRole('link', { name: 'Back to conversations' }).click();
    await annaPage.getByRole('button', { name: /Bruno Lefèvre/ }).click();
    const banner = annaPage.locator('.chat-security-banner');
    await banner.getByText(/The identity key of this contact changed/).waitFor({ timeout: 30_000 });
    // Anna's device refused the new device's join (its handshake): the worker's warning, with its reason.
    await banner
      .getByText('Something in this conversation failed a security check:')
      .waitFor({ timeout: 30_000 });
    assert.match((await banner.textContent()) ?? '', /identity key differs from the one pinned/);
    assert.equal(await banner.getAttribute('role'), 'alert');
    assert.match((await annaPage.locator('.chat-security').textContent()) ?? '', /Safety number changed/);
    await assertAccessible(annaPage, 'chat with a security warning');
    await bothSizes(annaPage, 'chat-identity-changed');

    await banner.getByRole('link', { name: 'Review the safety number' }).click();
    await annaPage.getByRole('heading', { name: 'The identity key of this contact changed' }).waitFor();
    assert.equal(await annaPage.getByRole('button', { name: 'Mark as verified' }).count(), 0);
    const newDigits = (
      (await annaPage.locator('.account-warning .safety-number').textContent()) ?? ''
    ).replace(/\s/g, '');
    const expected = safetyNumber(
      { userId: anna.id, identityKey: await identityKeyOf(anna) },
      { userId: bruno.id, identityKey: await identityKeyOf(bruno) },
    );
    assert.equal(newDigits, expected.digits, 'the number for the new key, to compare before accepting');
    await assertAccessible(annaPage, 'identity change');
    await bothSizes(annaPage, 'verification-identity-changed');
  });

  it('left no CSP violations or console errors', () => {
    for (const problems of allProblems) {
      assert.deepEqual(problems.cspViolations, []);
      assert.deepEqual(
        problems.consoleErrors.filter((e) => !EXPECTED_CONSOLE.test(e)),
        [],
      );
    }
  });
});
