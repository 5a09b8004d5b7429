import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { pino } from 'pino';
import { EnletsHttpClient } from '@enlets/client';
import type { Application, CreateConversationResponse, UserId } from '@enlets/protocol';
import { issueSetupToken } from '../../server/src/domain/actions/setup.js';
import { inTransaction } from '../../server/src/domain/services.js';
import { MailWorker } from '../../server/src/mail/worker.js';
import { grantRole } from '../../server/src/storage/repositories/users.js';
import { TestSmtpServer, type ReceivedMail } from '../../server/test/helpers/smtp.js';
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
  totpCode,
  type SeededUser,
  type WebTestServer,
} from './helpers/web-server.js';
import { waitForUnlockedMessenger } from './helpers/devices.js';

const unavailable = browserUnavailable();
if (unavailable !== undefined) console.log(`# membership suite skipped: ${unavailable}`);

/**
 * Chromium logs every 4xx answer on the console. These are the ones the flows provoke on purpose: 401 while
 * signed out (and for a wrong authenticator code), 409 for a decision on an application decided meanwhile.
 */
const EXPECTED_CONSOLE = /Failed to load resource: the server responded with a status of (401|409)/;
/** Argon2id of the recovery backup runs in the browser's worker: seconds, more on a busy machine. */
const KEY_SETUP_MS = 120_000;

describe(
  'membership flows of packages/web in Chromium against the real server',
  { skip: unavailable },
  () => {
    let removeBuild: () => void;
    let server: WebTestServer;
    let browser: Browser;
    let smtp: TestSmtpServer;
    let mailer: MailWorker;
    let ncp: SeededUser;
    const allProblems: PageProblems[] = [];
    const anonymous = (): EnletsHttpClient => new EnletsHttpClient({ baseUrl: server.url });

    async function page(viewport: ViewportName): Promise<Page> {
      const opened = await openContext(browser, viewport);
      allProblems.push(opened.problems);
      return opened.page;
    }

    /** The first link to `path` in a mail, exactly as the recipient would click it. */
    function linkIn(mail: ReceivedMail, path: string): string {
      const link = new RegExp(`https?://[^\\s/]+${path}[^\\s]*`).exec(mail.text)?.[0];
      assert.ok(link, `the mail "${mail.subject}" links to ${path}:\n${mail.text}`);
      assert.ok(link.startsWith(`${server.url}/`), 'the link points at the public URL the browser uses');
      return link;
    }

    function mailTo(to: string, subject: RegExp): Promise<ReceivedMail> {
      return smtp.waitFor(to, (m) => subject.test(m.subject), 20_000);
    }

    const bothSizes = screenshotBothSizes;

    const assertAccessible = assertNoSeriousAxeViolations;

    /** Each step of a flow starts with the keyboard focus in its first field. */
    async function assertFocused(shown: Page, field: Locator): Promise<void> {
      await field.waitFor();
      const handle = await field.elementHandle();
      await shown.waitForFunction((element) => element === document.activeElement, handle, {
        timeout: 5_000,
      });
    }

    /** The application form as an applicant fills it, and the link of the verification mail it sends. */
    async function applyAndVerifyByApi(
      name: string,
      email: string,
      agencyName: string,
    ): Promise<Application> {
      await anonymous().post('/applications', {
        email,
        displayName: name,
        countryCode: 'DE',
        agencyName,
        position: 'Investigator',
        justification: 'Cross-border cases with the Dutch and Polish police need a secure channel.',
      });
      const link = linkIn(await mailTo(email, /Confirm your e-mail address/), '/apply/verify');
      await anonymous().post('/applications/verify', { token: new URL(link).hash.replace('#token=', '') });
      const { applications } = await ncp.api.get<{ applications: Application[] }>(
        '/applications?status=pending',
      );
      const found = applications.find((a) => a.email === email);
      assert.ok(found, `${name}'s application waits for the NCP`);
      return found;
    }

    /** The first device of a signed-in account: keys made here, protected by a generated recovery code. */
    async function setUpRecovery(shown: Page): Promise<string> {
      await shown
        .getByRole('heading', { name: 'Set up your recovery passphrase' })
        .waitFor({ timeout: 60_000 });
      await shown.getByRole('button', { name: 'Suggest a generated code' }).click();
      const generated = (await shown.locator('.recovery-code code').textContent()) ?? '';
      assert.match(generated, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){5}$/);
      await shown.getByLabel('Type the passphrase again').fill(generated);
      await shown.getByRole('button', { name: 'Save recovery passphrase' }).click();
      await waitForUnlockedMessenger(shown, KEY_SETUP_MS);
      return generated;
    }

    before(async () => {
      const webBuild = await buildWebClient();
      removeBuild = webBuild.remove;
      server = await startWebTestServer(webBuild.dir);
      browser = await launchChromium();
      // The product's mail path as in production: the outbox, the worker, nodemailer, a real SMTP peer.
      smtp = new TestSmtpServer();
      const smtpUrl = await smtp.start();
      mailer = new MailWorker({
        db: server.built.services.db,
        clock: server.built.services.clock,
        log: pino({ level: 'silent' }),
        smtpUrl,
        from: 'ENLETS Messenger <no-reply@localhost>',
        pollIntervalMs: 100,
      });
      mailer.start();
    });

    after(async () => {
      await mailer.stop();
      await smtp.stop();
      await browser.close();
      await server.close();
      removeBuild();
    });

    it('creates the first administrator from the one-time setup link', async () => {
      const token = await issueSetupToken(server.built.services);
      assert.ok(token, 'an empty database issues a setup link');
      const shown = await page('phone');
      await shown.goto(`${server.url}/setup#token=${token}`);
      await shown.getByRole('heading', { name: 'Create the first administrator' }).waitFor();
      await assertFocused(shown, shown.getByLabel('Work e-mail address'));
      await assertAccessible(shown, 'first-admin setup');
      await bothSizes(shown, 'setup');
      await shown.getByLabel('Work e-mail address').fill('secretariat@enlets.example');
      await shown.getByLabel('Full name').fill('Sofia Marin');
      await shown.getByLabel('New password').fill('granite orchard lamp 2026');
      await shown.getByLabel('Type the password again').fill('granite orchard lamp 2026');
      await shown.getByRole('button', { name: 'Create administrator' }).click();
      await shown.getByRole('heading', { name: 'Administrator created' }).waitFor();
      await shown.getByRole('link', { name: 'Go to the sign-in page' }).click();
      await shown.getByLabel('E-mail address').fill('secretariat@enlets.example');
      await shown.getByLabel('Password').fill('granite orchard lamp 2026');
      await shown.getByRole('button', { name: 'Sign in' }).click();
      await shown
        .getByRole('heading', { name: 'Set up your recovery passphrase' })
        .waitFor({ timeout: 60_000 });

      // The link works once: opened again, it says setup is done.
      const again = await page('desktop');
      await again.goto(`${server.url}/setup#token=${token}`);
      await again.getByRole('heading', { name: 'Setup is complete' }).waitFor();
      await again.context().close();
      await shown.context().close();
    });

    it('takes an applicant from the application to an end-to-end encrypted conversation with the NCP', async () => {
      ncp = await seedUser(server, 'Nina Novak');
      await inTransaction(server.built.services, (trx) =>
        grantRole(trx, ncp.id, { role: 'ncp', scope: 'DE' }, null, server.built.services.clock.now()),
      );
      await ncp.api.post('/agencies', { countryCode: 'DE', name: 'Bundeskriminalamt' });

      // The applicant finds the form from the sign-in page.
      const applicant = await page('phone');
      await applicant.goto(server.url);
      await applicant.getByRole('link', { name: 'Apply for membership' }).click();
      await applicant.getByRole('heading', { name: 'Apply for membership' }).waitFor();
      assert.equal(new URL(applicant.url()).pathname, '/apply');
      await assertFocused(applicant, applicant.getByLabel('Work e-mail address'));
      const email = 'jonas.weber@bka.example';
      await applicant.getByLabel('Work e-mail address').fill(email);
      await applicant.getByLabel('Full name').fill('Jonas Weber');
      await applicant.getByLabel('Country').selectOption('DE');
      await applicant.getByLabel('Agency').selectOption({ label: 'Bundeskriminalamt' });
      await applicant.getByLabel('Role or position').fill('Analyst, cybercrime unit');
      await applicant
        .getByLabel('Why do you need access?')
        .fill('I coordinate joint investigations with Europol partners and need to exchange case notes.');
      await assertAccessible(applicant, 'application form');
      await bothSizes(applicant, 'apply');
      await applicant.getByRole('button', { name: 'Send application' }).click();
      await applicant.getByRole('heading', { name: 'Check your mailbox' }).waitFor();
      await applicant.getByText(email, { exact: false }).waitFor();
      await assertAccessible(applicant, 'application sent');
      await bothSizes(applicant, 'apply-sent');

      // The link of the verification mail.
      const verification = await mailTo(email, /Confirm your e-mail address/);
      await applicant.goto(linkIn(verification, '/apply/verify'));
      await applicant.getByRole('heading', { name: 'Confirm your e-mail address' }).waitFor();
      await assertFocused(applicant, applicant.getByRole('button', { name: 'Confirm my e-mail address' }));
      await assertAccessible(applicant, 'verify e-mail');
      await bothSizes(applicant, 'verify');
      // Keyboard only: the focused button, pressed with Enter.
      await applicant.keyboard.press('Enter');
      await applicant.getByRole('heading', { name: 'E-mail address confirmed' }).waitFor();
      await assertAccessible(applicant, 'e-mail confirmed');
      await bothSizes(applicant, 'verify-done');

      // The NCP follows the link of their mail, signs in, and lands on the application.
      const vetting = await mailTo(ncp.email, /New ENLETS membership application to vet \(DE\)/);
      const nina = await page('desktop');
      await nina.goto(linkIn(vetting, '/vetting/applications/'));
      await nina.getByLabel('E-mail address').fill(ncp.email);
      await nina.getByLabel('Password').fill(ncp.password);
      await nina.getByRole('button', { name: 'Sign in' }).click();
      const detail = nina.getByRole('article', { name: 'Application of Jonas Weber' });
      await detail.waitFor();
      await detail.getByText('I coordinate joint investigations with Europol partners').waitFor();
      await detail.getByText('Bundeskriminalamt').waitFor();
      await detail.getByText(email).waitFor();
      await assertAccessible(nina, 'vetting (application)');
      await bothSizes(nina, 'vetting-application');
      await detail.getByLabel('Note for the record (optional)').fill('Known from the JIT on card fraud.');
      await detail.getByRole('button', { name: 'Approve application' }).click();
      await detail
        .getByRole('status')
        .getByText('Approved. Jonas Weber gets the invitation by e-mail.')
        .waitFor();
      await detail.locator('.status-pill', { hasText: 'Approved' }).waitFor();
      assert.equal(await detail.getByRole('button', { name: 'Reject application' }).count(), 0);

      // Activation from the invitation: password, authenticator app, recovery codes.
      const invitation = await mailTo(email, /your invitation to the ENLETS Messenger/);
      await applicant.goto(linkIn(invitation, '/activate'));
      await applicant.getByText('Step 1 of 3: choose a password').waitFor();
      await assertFocused(applicant, applicant.getByLabel('New password'));
      await assertAccessible(applicant, 'activation (password)');
      await bothSizes(applicant, 'activate-password');
      const password = 'harbour lantern quietly 42';
      await applicant.getByLabel('New password').fill(password);
      await applicant.getByLabel('Type the password again').fill('harbour lantern quietly 24');
      await applicant.getByRole('button', { name: 'Next' }).click();
      await applicant.getByRole('alert').getByText('The two passwords differ.').waitFor();
      await applicant.getByLabel('Type the password again').fill(password);
      await applicant.getByRole('button', { name: 'Next' }).click();

      await applicant.getByText('Step 2 of 3: set up your authenticator app').waitFor();
      await assertFocused(applicant, applicant.getByLabel('6-digit code from the app'));
      const secret = (await applicant.getByLabel('Secret key').inputValue()).replace(/ /g, '');
      assert.match(secret, /^[A-Z2-7]{32}$/, 'a 160-bit base32 secret, shown as text');
      const uri = await applicant.getByLabel('otpauth address').inputValue();
      const parsed = new URL(uri);
      assert.equal(parsed.protocol, 'otpauth:');
      assert.equal(parsed.host, 'totp');
      assert.equal(decodeURIComponent(parsed.pathname), '/ENLETS Messenger:jonas.weber@bka.example');
      assert.equal(parsed.searchParams.get('secret'), secret);
      assert.equal(parsed.searchParams.get('issuer'), 'ENLETS Messenger');
      await assertAccessible(applicant, 'activation (authenticator)');
      await bothSizes(applicant, 'activate-totp');
      // A wrong code first (one the server's drift window would not accept either): refused, the field cleared.
      const now = Date.now();
      const valid = new Set([-30_000, 0, 30_000].map((d) => totpCode(secret, now + d)));
      const wrong = ['000000', '111111', '222222', '333333'].find((c) => !valid.has(c)) ?? '444444';
      await applicant.getByLabel('6-digit code from the app').fill(wrong);
      await applicant.getByRole('button', { name: 'Activate my account' }).click();
      await applicant
        .getByRole('alert')
        .getByText(/That code does not match/)
        .waitFor();
      await assertFocused(applicant, applicant.getByLabel('6-digit code from the app'));
      await applicant.getByLabel('6-digit code from the app').fill(totpCode(secret, Date.now()));
      await applicant.getByRole('button', { name: 'Activate my account' }).click();

      await applicant.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
      const codes = await applicant.locator('.recovery-code-list code').allTextContents();
      assert.equal(codes.length, 10, 'ten recovery codes, shown once');
      for (const code of codes) assert.match(code, /^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);
      await assertAccessible(applicant, 'activation (recovery codes)');
      await bothSizes(applicant, 'activate-codes');
      const proceed = applicant.getByRole('button', { name: 'Continue' });
      assert.equal(await proceed.isDisabled(), true, 'going on takes the tick that the codes are saved');
      await applicant.getByLabel('I have saved my recovery codes').check();
      await proceed.click();
      // Signed in, into SecureGate: this browser is the account's first device.
      const jonasPassphrase = await setUpRecovery(applicant);
      assert.equal(new URL(applicant.url()).pathname, '/');
      await applicant.getByText('No conversations yet.').waitFor();

      // The account is active with the second factor: a sign-in elsewhere asks for it.
      const { applications } = await ncp.api.get<{ applications: Application[] }>(
        '/applications?status=approved',
      );
      const jonasId = applications.find((a) => a.email === email)?.userId;
      assert.ok(jonasId, 'the approval created the account');
      const login = await anonymous()
        .post('/auth/login', { email, password })
        .catch((error: unknown) => error);
      assert.equal((login as { code?: string }).code, 'SECOND_FACTOR_REQUIRED');

      // The NCP goes back to the messenger (their first device too) with a conversation with the new member.
      await ncp.api.post<CreateConversationResponse>('/conversations', {
        kind: 'direct',
        userId: jonasId as UserId,
      });
      await nina.getByRole('link', { name: 'Back to the messenger' }).click();
      await setUpRecovery(nina);
      await nina.getByRole('link', { name: 'Applications' }).waitFor();
      await nina.getByRole('button', { name: /Jonas Weber/ }).click();
      const toJonas = nina.getByLabel('Message to Jonas Weber');
      await toJonas.fill('Welcome to the network, Jonas.');
      await toJonas.press('Enter');

      await applicant.getByRole('button', { name: /Nina Novak/ }).click({ timeout: 30_000 });
      // The message itself, not the reply that quotes it.
      const ninasMessages = applicant
        .locator('.timeline .message')
        .filter({ hasNot: applicant.locator('.message-reply') })
        .filter({ hasNot: applicant.locator('.message-sender', { hasText: 'You' }) });
      const welcome = ninasMessages.filter({ hasText: 'Welcome to the network, Jonas.' });
      await welcome.waitFor({ timeout: 30_000 });
      // A reply, a reaction.
      await welcome.getByRole('button', { name: 'Reply' }).click();
      const toNina = applicant.getByLabel('Message to Nina Novak');
      await toNina.fill('Thank you! Glad to be on board.');
      await toNina.press('Enter');
      await welcome.getByRole('button', { name: 'React with 👍' }).click();

      const reply = nina.locator('.timeline .message', { hasText: 'Thank you! Glad to be on board.' });
      await reply.waitFor({ timeout: 30_000 });
      await reply.locator('.message-reply', { hasText: 'Welcome to the network, Jonas.' }).waitFor();
      const ninasWelcome = nina
        .locator('.timeline .message', { hasText: 'Welcome to the network' })
        .filter({ hasNot: nina.locator('.message-reply') });
      await ninasWelcome.locator('.reactions').getByText('👍: 1 reaction').waitFor({ timeout: 30_000 });
      // An edit.
      await ninasWelcome.getByRole('button', { name: 'Edit' }).click();
      await toJonas.fill('Welcome to the ENLETS network, Jonas.');
      await toJonas.press('Enter');
      // The same message, changed in place on the other side: one copy, marked edited.
      const editedWelcome = ninasMessages.filter({ hasText: 'Welcome to the ENLETS network, Jonas.' });
      await editedWelcome.waitFor({ timeout: 30_000 });
      await editedWelcome.locator('.message-edited').waitFor();
      assert.equal(await welcome.count(), 0, 'the old text is gone');
      assert.equal(
        await applicant.locator('.timeline .message', { hasText: 'Glad to be on board' }).count(),
        1,
      );

      // A file, end to end encrypted: Nina sees it by name.
      await applicant.locator('input[type="file"]').setInputFiles({
        name: 'cv-jonas-weber.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('Jonas Weber, analyst, cybercrime unit, BKA', 'utf8'),
      });
      await applicant.getByRole('list', { name: 'Files to send' }).getByText('cv-jonas-weber.txt').waitFor();
      await applicant.getByLabel('Message to Nina Novak').fill('My CV, as promised');
      await applicant.getByRole('button', { name: 'Send' }).click();
      await nina
        .locator('.timeline .message', { hasText: 'cv-jonas-weber.txt' })
        .waitFor({ timeout: 30_000 });

      // What Jonas's browser read goes into his history archive (batched after 2 s): wait until it is there,
      // then take a fresh browser, as after losing the laptop. Sign-in, second factor, the passphrase: the
      // conversation comes back with its history.
      // Waiting for the file message's own entry, not a count: the reaction and the edit are archived too, so a
      // count could be reached before the last batch (the file) is uploaded.
      const db = server.built.services.db;
      const fileSeq = (
        await db
          .selectFrom('events')
          .select((eb) => eb.fn.max('seq').as('seq'))
          .where('sender_id', '=', jonasId)
          .where('kind', '=', 'message')
          .executeTakeFirstOrThrow()
      ).seq;
      const archivedFile = async (): Promise<boolean> =>
        (await db
          .selectFrom('e2ee_archive')
          .select('seq')
          .where('user_id', '=', jonasId)
          .where('seq', '=', fileSeq)
          .executeTakeFirst()) !== undefined;
      for (let waited = 0; !(await archivedFile()); waited += 250) {
        assert.ok(waited < 30_000, `Jonas's archive has no entry for the file message after 30 s`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await applicant.context().close();
      const fresh = await page('desktop');
      await fresh.goto(server.url);
      await fresh.getByLabel('E-mail address').fill(email);
      await fresh.getByLabel('Password').fill(password);
      await fresh.getByRole('button', { name: 'Sign in' }).click();
      // The activation used the current step's code, and a used step is refused (replay): the next one is valid.
      await fresh.getByLabel('Authentication code').fill(totpCode(secret, Date.now() + 30_000));
      await fresh.getByRole('button', { name: 'Verify' }).click();
      await fresh.getByRole('heading', { name: 'Recover your messages on this browser' }).waitFor();
      await fresh.getByLabel('Recovery passphrase').fill(jonasPassphrase);
      await fresh.getByRole('button', { name: 'Recover', exact: true }).click();
      await waitForUnlockedMessenger(fresh, KEY_SETUP_MS);
      await fresh.getByRole('button', { name: /Nina Novak/ }).click({ timeout: 30_000 });
      for (const text of [
        'Welcome to the ENLETS network, Jonas.',
        'Glad to be on board',
        'cv-jonas-weber.txt',
      ]) {
        await fresh.locator('.timeline .message', { hasText: text }).first().waitFor({ timeout: 60_000 });
      }
      await fresh.context().close();

      // The top bar leads an NCP to the queue, where the decision shows.
      await nina.getByRole('link', { name: 'Applications' }).click();
      await nina.getByRole('heading', { name: 'Membership applications' }).waitFor();
      await nina.getByLabel('Show').selectOption({ label: 'Approved' });
      await nina.getByRole('link', { name: /Jonas Weber/ }).waitFor();
      await nina.context().close();
    });

    it('rejects an application with a reason the applicant receives, and says when one was decided meanwhile', async () => {
      const lena = await applyAndVerifyByApi('Lena Fischer', 'lena.fischer@polizei.example', 'LKA Hamburg');
      const tomasz = await applyAndVerifyByApi('Tomasz Nowak', 'tomasz.nowak@polizei.example', 'LKA Berlin');
      // The NCP on a phone opens the queue directly: the sign-in comes first, then the queue.
      const nina = await page('phone');
      await nina.goto(`${server.url}/vetting`);
      await nina.getByLabel('E-mail address').fill(ncp.email);
      await nina.getByLabel('Password').fill(ncp.password);
      await nina.getByRole('button', { name: 'Sign in' }).click();
      await nina.getByRole('heading', { name: 'Membership applications' }).waitFor();
      await assertFocused(nina, nina.getByLabel('Show'));
      const lenaRow = nina.getByRole('link', { name: /Lena Fischer/ });
      await lenaRow.waitFor();
      await nina.getByRole('link', { name: /Tomasz Nowak/ }).waitFor();
      await assertAccessible(nina, 'vetting queue');
      await bothSizes(nina, 'vetting-queue');

      await lenaRow.click();
      const detail = nina.getByRole('article', { name: 'Application of Lena Fischer' });
      await detail.getByText('LKA Hamburg').waitFor();
      assert.equal(new URL(nina.url()).pathname, `/vetting/applications/${lena.id}`);
      const reason =
        'We could not confirm your employment with LKA Hamburg. Please apply with your work address.';
      await detail.getByLabel('Reason (sent to the applicant)').fill(reason);
      await detail.getByRole('button', { name: 'Reject application' }).click();
      await detail
        .getByRole('status')
        .getByText('Rejected. Lena Fischer gets the reason by e-mail.')
        .waitFor();
      await detail.locator('.status-pill', { hasText: 'Rejected' }).waitFor();
      const decision = await mailTo('lena.fischer@polizei.example', /Your ENLETS membership application/);
      assert.match(decision.text.replace(/\s+/g, ' '), new RegExp(reason.replace(/\./g, '\\.')));

      // Back on the phone's list: the decided one has left the pending list.
      await detail.getByRole('button', { name: 'Back to the applications' }).click();
      await nina.getByRole('link', { name: /Tomasz Nowak/ }).click();
      const stale = nina.getByRole('article', { name: 'Application of Tomasz Nowak' });
      await stale.waitFor();
      assert.equal(await nina.getByRole('link', { name: /Lena Fischer/ }).count(), 0);
      // Another vetter decides it while it is open here: the server's APPLICATION_NOT_PENDING, in words.
      await ncp.api.post(`/applications/${tomasz.id}/approve`, {});
      await stale.getByRole('button', { name: 'Approve application' }).click();
      await stale
        .getByRole('alert')
        .getByText('This application has been decided already, perhaps by another vetter.')
        .waitFor();
      await assertAccessible(nina, 'vetting error');
      await nina.context().close();
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
