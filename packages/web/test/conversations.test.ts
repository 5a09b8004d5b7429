import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { ChannelDetails } from '@enlets/protocol';
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
  seedUser,
  startWebTestServer,
  type SeededUser,
  type WebTestServer,
} from './helpers/web-server.js';
import { firstDevice as firstDeviceOf, signInAndRecover } from './helpers/devices.js';

const unavailable = browserUnavailable();
if (unavailable !== undefined) console.log(`# conversations suite skipped: ${unavailable}`);

/** Chromium logs every refused request on the console; the refusals this suite provokes are expected. */
const EXPECTED_CONSOLE = /Failed to load resource: the server responded with a status of (401|403|409)/;
/** Encryption, sharing and a second browser's live update take a few round trips on a shared machine. */
const SLOW = { timeout: 30_000 };

describe(
  'starting conversations, channels and conversation settings in Chromium',
  { skip: unavailable },
  () => {
    let removeBuild: () => void;
    let server: WebTestServer;
    let browser: Browser;
    let anna: SeededUser;
    let bruno: SeededUser;
    let carla: SeededUser;
    let gustav: SeededUser;
    let annaPage: Page;
    let brunoPage: Page;
    const passphrases = new Map<string, string>();
    const allProblems: PageProblems[] = [];

    /**
     * The user's first device, made outside the browser with a cheap recovery KDF, then stopped: the browser
     * recovers the identity with the passphrase (as a second device would) and is the device the test drives.
     */
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

    const bothSizes = screenshotBothSizes;

    const assertAccessible = assertNoSeriousAxeViolations;

    /** Sends a message from the open conversation's composer. */
    async function say(page: Page, to: string, text: string): Promise<void> {
      const composer = page.getByLabel(`Message to ${to}`);
      await composer.fill(text);
      await composer.press('Enter');
    }

    const message = (page: Page, text: string) => page.locator('.timeline .message', { hasText: text });
    /** A conversation's row in the list (its name also labels the open chat's settings button). */
    const row = (page: Page, name: string) => page.locator('.conversation-row', { hasText: name });

    /** The chat pane shows this conversation (no dialog left open over it). */
    async function chatOpen(page: Page, title: string): Promise<void> {
      await page.locator('#chat-title', { hasText: title }).waitFor(SLOW);
      await page.getByRole('dialog').waitFor({ state: 'detached' });
    }

    /** On the phone the list and the chat take turns: back to the list when a chat is open. */
    async function toList(page: Page): Promise<void> {
      const back = page.getByRole('button', { name: 'Back to the conversations' });
      if (await back.isVisible()) await back.click();
    }

    async function openSettings(page: Page, title: string): Promise<void> {
      await page.getByRole('button', { name: `Settings of ${title}` }).click();
      await page.getByRole('dialog', { name: `Settings: ${title}` }).waitFor();
    }

    async function directoryMember(page: Page, name: string, action: string): Promise<void> {
      await page.getByLabel('Search members by name').fill(name.split(' ')[0] ?? name);
      await page.getByRole('button', { name: `${action} ${name}` }).click();
    }

    before(async () => {
      const webBuild = await buildWebClient();
      removeBuild = webBuild.remove;
      server = await startWebTestServer(webBuild.dir);
      browser = await launchChromium();
      anna = await seedUser(server, 'Anna Schmidt');
      bruno = await seedUser(server, 'Bruno Lefèvre');
      carla = await seedUser(server, 'Carla Rossi');
      gustav = await seedUser(server, 'Gustav Partner', ['partner_guest']);
      for (const user of [anna, bruno, carla]) await firstDevice(user);
    });

    after(async () => {
      await browser.close();
      await server.close();
      removeBuild();
    });

    it('starts a 1:1 and a group from the UI, and both sides exchange encrypted messages in each', async () => {
      annaPage = await signedInPage(anna, 'desktop');
      brunoPage = await signedInPage(bruno, 'phone');

      // The dialog is modal: it takes the focus, Escape closes it, and the focus is back on its button.
      const opener = annaPage.getByRole('button', { name: 'New conversation' });
      await opener.click();
      const dialog = annaPage.getByRole('dialog', { name: 'New conversation' });
      await dialog.waitFor();
      assert.equal(await dialog.evaluate((d) => d.contains(document.activeElement)), true, 'focus is inside');
      await annaPage.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await opener.evaluate((b) => b === document.activeElement), true, 'focus returned');

      await opener.click();
      await annaPage.getByLabel('Search members by name').fill('Bru');
      await annaPage.getByRole('button', { name: 'Start conversation with Bruno Lefèvre' }).waitFor();
      await assertAccessible(annaPage, 'new conversation');
      await bothSizes(annaPage, 'new-conversation');
      // Tab from the last control wraps to the first: the focus stays in the dialog.
      for (let i = 0; i < 12; i++) await annaPage.keyboard.press('Tab');
      assert.equal(
        await dialog.evaluate((d) => d.contains(document.activeElement)),
        true,
        'focus is trapped',
      );
      await annaPage.getByRole('button', { name: 'Start conversation with Bruno Lefèvre' }).click();
      await chatOpen(annaPage, 'Bruno Lefèvre');
      await say(annaPage, 'Bruno Lefèvre', 'Direct line open — Zażółć');

      await row(brunoPage, 'Anna Schmidt').click(SLOW);
      await message(brunoPage, 'Direct line open').waitFor(SLOW);
      await say(brunoPage, 'Anna Schmidt', 'Reading you loud and clear');
      await message(annaPage, 'Reading you loud and clear').waitFor(SLOW);

      // A group with a name, a marking and a member, from the same dialog.
      await opener.click();
      await annaPage.getByLabel('Group', { exact: true }).check();
      await annaPage.getByLabel('Name of the group').fill('Joint Investigation Team');
      await annaPage.getByLabel('Handling marking').selectOption('AMBER');
      await directoryMember(annaPage, 'Bruno Lefèvre', 'Add');
      await annaPage.getByRole('button', { name: 'Remove Bruno Lefèvre' }).waitFor();
      await assertAccessible(annaPage, 'new group');
      await bothSizes(annaPage, 'new-group');
      await annaPage.getByRole('button', { name: 'Create group' }).click();
      await chatOpen(annaPage, 'Joint Investigation Team');
      await annaPage.getByText('Handling: TLP:AMBER').waitFor();
      await say(annaPage, 'Joint Investigation Team', 'JIT kick-off: suspects cross at Görlitz');

      await toList(brunoPage);
      await row(brunoPage, 'Joint Investigation Team').click(SLOW);
      await message(brunoPage, 'JIT kick-off').waitFor(SLOW);
      await say(brunoPage, 'Joint Investigation Team', 'Görlitz team briefed');
      await message(annaPage, 'Görlitz team briefed').waitFor(SLOW);
    });

    it('shows the server’s refusal with its code, naming the TLP rule that applied', async () => {
      await annaPage.getByRole('button', { name: 'New conversation' }).click();
      await annaPage.getByLabel('Group', { exact: true }).check();
      await annaPage.getByLabel('Name of the group').fill('Red cell');
      await annaPage.getByLabel('Handling marking').selectOption('RED');
      await directoryMember(annaPage, 'Gustav Partner', 'Add');
      await annaPage.getByRole('button', { name: 'Create group' }).click();
      const alert = annaPage.getByRole('dialog').getByRole('alert');
      await alert.waitFor();
      const text = (await alert.textContent()) ?? '';
      assert.match(text, /TLP:RED stays inside the network: a partner guest cannot be a member/);
      assert.match(text, /TLP_VIOLATION: guest_excluded_from_strict/);
      await assertAccessible(annaPage, 'refusal');
      await annaPage.keyboard.press('Escape');
      assert.ok(gustav.id, 'the guest exists in the directory');
    });

    it('browses channels, joins an open one, asks for a closed one, and joins with a password', async () => {
      // Anna opens a channel from the directory's form: the network scope is the Secretariat's, so first refused.
      await annaPage.getByRole('button', { name: 'Browse channels' }).click();
      const channels = annaPage.getByRole('dialog', { name: 'Channels' });
      await channels.waitFor();
      await annaPage.getByRole('button', { name: 'Create a channel' }).click();
      await annaPage.getByLabel('Name of the channel').fill('Open Source Intel');
      await annaPage.getByLabel('Description (optional)').fill('OSINT leads, shared openly.');
      await annaPage.getByLabel('Channel for').selectOption('network');
      await assertAccessible(annaPage, 'create channel');
      await bothSizes(annaPage, 'create-channel');
      await annaPage.getByRole('button', { name: 'Create channel' }).click();
      await annaPage.getByRole('alert').getByText('FORBIDDEN: channels.create.network').waitFor();
      await annaPage.getByText('Only the Secretariat may open network-wide channels.').waitFor();
      await annaPage.getByLabel('Channel for').selectOption('adhoc');
      await annaPage.getByRole('button', { name: 'Create channel' }).click();
      await chatOpen(annaPage, 'Open Source Intel');

      const channel = (name: string, joinMode: string, extra: object = {}) =>
        anna.api.post<ChannelDetails>('/channels', {
          name,
          tlp: 'GREEN',
          joinMode,
          listed: true,
          readOnly: false,
          leaveAllowed: true,
          scopeKind: 'adhoc',
          ...extra,
        });
      await channel('Closed Ops Room', 'closed');
      await channel('Password Vault', 'password', { password: 'vault-password-2026' });

      await toList(brunoPage);
      await brunoPage.getByRole('button', { name: 'Browse channels' }).click();
      const directory = brunoPage.getByRole('dialog', { name: 'Channels' });
      await directory.getByRole('heading', { name: 'Password Vault' }).waitFor();
      const entry = (name: string) => directory.locator('.channel-entry', { hasText: name });
      assert.match((await entry('Open Source Intel').textContent()) ?? '', /Open: join at once/);
      assert.match((await entry('Closed Ops Room').textContent()) ?? '', /Closed: ask to join/);
      assert.match((await entry('Password Vault').textContent()) ?? '', /Password required/);
      await assertAccessible(brunoPage, 'channel directory');
      await bothSizes(brunoPage, 'channels');

      // A closed channel: the request shows as pending, here and after the dialog is opened again.
      await directory.getByRole('button', { name: 'Ask to join Closed Ops Room' }).click();
      await entry('Closed Ops Room').getByText('Request pending').waitFor();

      // A password channel: a wrong password is refused with the server's code, the right one lets in.
      await directory.getByRole('button', { name: 'Join with password Password Vault' }).click();
      await brunoPage.getByLabel('Password of Password Vault').fill('not the password');
      await directory.getByRole('button', { name: 'Join Password Vault' }).click();
      const refused = entry('Password Vault').getByRole('alert');
      await refused.waitFor();
      assert.match(
        (await refused.textContent()) ?? '',
        /The channel password is wrong\.\s*INVALID_CREDENTIALS/,
      );
      await brunoPage.getByLabel('Password of Password Vault').fill('vault-password-2026');
      await directory.getByRole('button', { name: 'Join Password Vault' }).click();
      await chatOpen(brunoPage, 'Password Vault');

      // An open channel: joined at once; Bruno's device joins its encryption and Anna reads him.
      await toList(brunoPage);
      await brunoPage.getByRole('button', { name: 'Browse channels' }).click();
      await entry('Closed Ops Room').getByText('Request pending').waitFor();
      await directory.getByRole('button', { name: 'Join Open Source Intel' }).click();
      await chatOpen(brunoPage, 'Open Source Intel');
      await say(brunoPage, 'Open Source Intel', 'New lead on the forum, posting details');
      await row(annaPage, 'Open Source Intel').click();
      await message(annaPage, 'New lead on the forum').waitFor(SLOW);

      // Anna, in her own browser, approves the request; Bruno's list gets the channel.
      await row(annaPage, 'Closed Ops Room').click();
      await chatOpen(annaPage, 'Closed Ops Room');
      await openSettings(annaPage, 'Closed Ops Room');
      const settings = annaPage.getByRole('dialog', { name: 'Settings: Closed Ops Room' });
      await settings.getByRole('heading', { name: '1 request to join' }).waitFor();
      await assertAccessible(annaPage, 'settings with a request');
      await bothSizes(annaPage, 'channel-settings');
      await settings.getByRole('button', { name: 'Approve Bruno Lefèvre' }).click();
      await settings.getByText('Bruno Lefèvre is now a member.').first().waitFor();
      await settings.locator('.member-list .safe-name', { hasText: 'Bruno Lefèvre' }).waitFor();
      await annaPage.keyboard.press('Escape');
      await toList(brunoPage);
      await row(brunoPage, 'Closed Ops Room').waitFor(SLOW);
    });

    it('shares earlier messages with a newcomer when a manager turns history on and adds them', async () => {
      // Carla's browser is signed in before she is added: its device is what the share is addressed to.
      const carlaPage = await signedInPage(carla, 'desktop');
      await row(annaPage, 'Joint Investigation Team').click();
      await openSettings(annaPage, 'Joint Investigation Team');
      const settings = annaPage.getByRole('dialog', { name: 'Settings: Joint Investigation Team' });
      await settings.getByText(/get an explicit, audited copy of earlier messages/).waitFor();
      await settings.getByLabel('Share earlier messages with newcomers').check();
      await settings.getByText('History for newcomers is on.').first().waitFor();
      await directoryMember(annaPage, 'Carla Rossi', 'Add');
      await settings
        .getByText(/Shared [1-9]\d* earlier messages? with Carla Rossi\./)
        .first()
        .waitFor(SLOW);
      await assertAccessible(annaPage, 'conversation settings');
      await bothSizes(annaPage, 'conversation-settings');
      await annaPage.keyboard.press('Escape');

      await row(carlaPage, 'Joint Investigation Team').click(SLOW);
      const earlier = message(carlaPage, 'JIT kick-off: suspects cross at Görlitz');
      await earlier.getByText('Shared with you by Anna Schmidt').waitFor(SLOW);
      await message(carlaPage, 'Görlitz team briefed').getByText('Shared with you by Anna Schmidt').waitFor();
      await bothSizes(carlaPage, 'history-shared');
      await carlaPage.context().close();
    });

    it('leaves a channel: it is gone from the list', async () => {
      await toList(brunoPage);
      await row(brunoPage, 'Open Source Intel').click();
      await openSettings(brunoPage, 'Open Source Intel');
      await brunoPage.getByRole('button', { name: 'Leave conversation' }).click();
      await brunoPage.getByRole('button', { name: 'Leave', exact: true }).click();
      await brunoPage.getByRole('dialog').waitFor({ state: 'detached' });
      await row(brunoPage, 'Open Source Intel').waitFor({ state: 'detached', ...SLOW });
      await row(brunoPage, 'Password Vault').waitFor();
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
  },
);
