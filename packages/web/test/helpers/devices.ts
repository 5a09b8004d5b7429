import type { Page } from 'playwright-core';
import { generateRecoveryCode } from '@enlets/client';
import { RECOVERY_KDF_MIN } from '@enlets/crypto';
import { openSecureDevice, type SecureTestDevice } from '../../../client/test/secure-device.js';
import type { SeededUser } from './web-server.js';

/**
 * A user's first end-to-end encrypted device, outside the browser (as the CLI or another browser would be),
 * with a recovery backup under a generated code (the cheapest Argon2id the format accepts: the suites check the
 * client, not the hashing cost). A browser of the user then unlocks with `passphrase`.
 */
export async function firstDevice(
  serverUrl: string,
  user: SeededUser,
): Promise<{ readonly device: SecureTestDevice; readonly passphrase: string }> {
  const device = await openSecureDevice(serverUrl, user.id, user.token);
  const passphrase = generateRecoveryCode();
  await device.messenger.setUpRecovery(passphrase, { kdf: RECOVERY_KDF_MIN });
  return { device, passphrase };
}

/**
 * Signs in on `page` (a fresh browser profile: a new device) and recovers the user's keys with the passphrase,
 * up to the conversation list. Argon2id runs in the browser's worker: the wait is generous.
 */
export async function signInAndRecover(
  page: Page,
  serverUrl: string,
  user: SeededUser,
  passphrase: string,
  timeoutMs = 60_000,
): Promise<void> {
  await page.goto(serverUrl);
  await page.getByLabel('E-mail address').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Recover your messages on this browser' }).waitFor();
  await page.getByLabel('Recovery passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Recover', exact: true }).click();
  await waitForUnlockedMessenger(page, timeoutMs);
}

/**
 * Waits until the messenger is unlocked: this browser's keys are open and messages can be read and sent. The
 * conversation list alone proves nothing, as it shows at once, next to the passphrase step (SecureGate).
 */
export async function waitForUnlockedMessenger(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.locator('.messenger[data-locked="false"]').waitFor({ timeout: timeoutMs });
  await page.getByRole('heading', { name: 'Conversations' }).waitFor({ timeout: timeoutMs });
}
