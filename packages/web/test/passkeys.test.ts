import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, CDPSession, Page } from 'playwright-core';
import type { PasskeyListResponse } from '@enlets/protocol';
import {
  assertNoSeriousAxeViolations,
  browserUnavailable,
  launchChromium,
  openContext,
  screenshotBothSizes,
  type PageProblems,
} from './helpers/browser.js';
import { firstDevice, waitForUnlockedMessenger } from './helpers/devices.js';
import {
  buildWebClient,
  seedUser,
  startWebTestServer,
  type SeededUser,
  type WebTestServer,
} from './helpers/web-server.js';

const unavailable = browserUnavailable();
if (unavailable !== undefined) console.log(`# passkeys suite skipped: ${unavailable}`);

/** Chromium logs every 4xx response on the console; a 401 is how the client learns it is signed out. */
const EXPECTED_CONSOLE = /Failed to load resource: the server responded with a status of 40[01]/;

/**
 * A platform authenticator of the browser, through the DevTools protocol: CTAP2 over the internal transport,
 * with discoverable credentials and user verification that always succeeds (as a fingerprint would). WebAuthn
 * refuses IP addresses as RP IDs, which is why the suite's server is at http://localhost:<port> (a secure
 * context) and its public URL says so.
 */
async function addPlatformAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

describe('passkeys in Chromium against the real server', { skip: unavailable }, () => {
  let removeBuild: () => void;
  let server: WebTestServer;
  let browser: Browser;
  let anna: SeededUser;
  let passphrase: string;
  const allProblems: PageProblems[] = [];
  let stopFirstDevice: () => Promise<void>;

  before(async () => {
    const webBuild = await buildWebClient();
    removeBuild = webBuild.remove;
    server = await startWebTestServer(webBuild.dir);
    assert.match(
      server.url,
      /^http:\/\/localhost:\d+$/,
      'a host name, not an IP address: WebAuthn needs one',
    );
    browser = await launchChromium();
    anna = await seedUser(server, 'Anna Schmidt');
    const first = await firstDevice(server.url, anna);
    passphrase = first.passphrase;
    stopFirstDevice = () => first.device.stop();
  });

  after(async () => {
    await stopFirstDevice();
    await browser.close();
    await server.close();
    removeBuild();
  });

  async function recoverKeys(page: Page): Promise<void> {
    await page.getByRole('heading', { name: 'Recover your messages on this browser' }).waitFor();
    await page.getByLabel('Recovery passphrase').fill(passphrase);
    await page.getByRole('button', { name: 'Recover', exact: true }).click();
    await waitForUnlockedMessenger(page, 60_000);
  }

  async function openAccount(page: Page): Promise<void> {
    await page.getByRole('link', { name: 'Account', exact: true }).click();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
  }

  async function signOut(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in', level: 2 }).waitFor();
  }

  it('adds a passkey in the account screen, signs in with it alone, and refuses it once removed', async () => {
    const { page, problems } = await openContext(browser, 'desktop');
    allProblems.push(problems);
    const { cdp, authenticatorId } = await addPlatformAuthenticator(page);

    // Signed in the ordinary way first (password; Anna has no TOTP here), keys recovered with the passphrase.
    await page.goto(server.url);
    await page.getByLabel('E-mail address').fill(anna.email);
    await page.getByLabel('Password').fill(anna.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await recoverKeys(page);
    await openAccount(page);

    const section = page.getByRole('region', { name: 'Passkeys' });
    await section.getByText('You have no passkeys yet.').waitFor();
    await section.getByRole('button', { name: 'Add a passkey' }).click();
    const form = section.getByRole('form', { name: 'Add a passkey' });
    await form.waitFor();
    assert.equal(
      await page.evaluate(() => document.activeElement?.textContent),
      'Add a passkey',
      'focus moves to the form heading',
    );
    await form.getByLabel('Name of the passkey').fill('Work laptop');
    await form.getByLabel('Current password').fill(anna.password);
    await assertNoSeriousAxeViolations(page, 'add passkey');
    await section.scrollIntoViewIfNeeded();
    await screenshotBothSizes(page, 'passkeys-add');
    await form.getByRole('button', { name: 'Create passkey' }).click();

    await section.getByRole('status').filter({ hasText: 'The passkey “Work laptop” was added.' }).waitFor();
    const row = section.locator('.account-item', { hasText: 'Work laptop' });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /Last used\s*Not used yet/);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(credentials.length, 1);
    assert.equal(credentials[0]?.isResidentCredential, true, 'a discoverable credential: no e-mail needed');
    const stored = await anna.api.get<PasskeyListResponse>('/me/passkeys');
    assert.deepEqual(
      stored.passkeys.map((p) => p.name),
      ['Work laptop'],
    );
    await assertNoSeriousAxeViolations(page, 'passkeys list');
    await screenshotBothSizes(page, 'passkeys-account');

    // Signed out, then in again with the passkey only: no e-mail address, password or TOTP code typed. This
    // browser kept the user's keys when it signed out (ADR 0015), so it goes straight to the messenger.
    await signOut(page);
    await page.goto(server.url);
    const passkeyButton = page.getByRole('button', { name: 'Use a passkey' });
    await passkeyButton.waitFor();
    await assertNoSeriousAxeViolations(page, 'sign-in with passkey');
    await screenshotBothSizes(page, 'passkeys-sign-in');
    assert.equal(await page.getByLabel('E-mail address').inputValue(), '');
    await passkeyButton.click();
    await page.getByRole('heading', { name: 'Conversations' }).waitFor({ timeout: 30_000 });
    await page.locator('.connection[data-state="live"]').waitFor({ timeout: 30_000 });

    // The same passkey in a new browser (as a passkey synced by the platform would be): it signs in, and the
    // end-to-end encryption is unchanged: a new browser still recovers the keys with the passphrase (ADR 0012).
    const { credentials: used } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    const [credential] = used;
    assert.ok(credential !== undefined);
    const other = await openContext(browser, 'phone');
    allProblems.push(other.problems);
    const phone = other.page;
    const synced = await addPlatformAuthenticator(phone);
    await synced.cdp.send('WebAuthn.addCredential', { authenticatorId: synced.authenticatorId, credential });
    await phone.goto(server.url);
    await phone.getByRole('button', { name: 'Use a passkey' }).click();
    await recoverKeys(phone);
    await phone.locator('.connection[data-state="live"]').waitFor({ timeout: 30_000 });

    await openAccount(phone);
    const phoneSection = phone.getByRole('region', { name: 'Passkeys' });
    const phoneRow = phoneSection.locator('.account-item', { hasText: 'Work laptop' });
    await phoneRow.waitFor();
    assert.doesNotMatch((await phoneRow.textContent()) ?? '', /Not used yet/, 'the last use is shown');

    // Removing it takes a confirmation; Escape backs out, focus returns to the button that asked.
    const remove = phoneRow.getByRole('button', { name: 'Remove Work laptop' });
    await remove.click();
    const confirm = phoneRow.getByRole('button', { name: 'Yes, remove' });
    await confirm.waitFor();
    assert.equal(await phone.evaluate(() => document.activeElement?.textContent), 'Yes, remove');
    await assertNoSeriousAxeViolations(phone, 'remove passkey confirmation');
    await screenshotBothSizes(phone, 'passkeys-remove');
    await phone.keyboard.press('Escape');
    await phone.waitForFunction(() => document.activeElement?.textContent === 'Remove Work laptop');
    await remove.click();
    await confirm.click();
    await phoneSection
      .getByRole('status')
      .filter({ hasText: 'The passkey “Work laptop” was removed.' })
      .waitFor();
    await phoneSection.getByText('You have no passkeys yet.').waitFor();
    assert.deepEqual((await anna.api.get<PasskeyListResponse>('/me/passkeys')).passkeys, []);
    await other.context.close();

    // The first browser's authenticator still holds the credential, but the server no longer knows it: a clear
    // refusal.
    await signOut(page);
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    const refusal = page
      .getByRole('alert')
      .filter({ hasText: 'This passkey is not registered to any account' });
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? '', /Sign in with your e-mail address and password\./);
    await page.getByRole('button', { name: 'Use a passkey' }).waitFor();
    await assertNoSeriousAxeViolations(page, 'passkey refused');
    await screenshotBothSizes(page, 'passkeys-unknown');
    await page.context().close();
  });

  it('met the CSP and logged no unexpected errors on any screen', () => {
    for (const problems of allProblems) {
      assert.deepEqual(problems.cspViolations, []);
      assert.deepEqual(
        problems.consoleErrors.filter((e) => !EXPECTED_CONSOLE.test(e)),
        [],
      );
    }
  });
});
