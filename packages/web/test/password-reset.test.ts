import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { pino } from 'pino';
import { EnletsApiError } from '@enlets/client';
import { MailWorker } from '../../server/src/mail/worker.js';
import { TestSmtpServer, type ReceivedMail } from '../../server/test/helpers/smtp.js';
import {
  assertNoSeriousAxeViolations,
  browserUnavailable,
  launchChromium,
  openContext,
  screenshotBothSizes,
  type PageProblems,
  type ViewportName,
} from './helpers/browser.js';
import {
  buildWebClient,
  seedUser,
  startWebTestServer,
  type SeededUser,
  type WebTestServer,
} from './helpers/web-server.js';

const unavailable = browserUnavailable();
if (unavailable !== undefined) console.log(`# password reset suite skipped: ${unavailable}`);

/**
 * Chromium logs every 4xx answer on the console. These are the ones the flows provoke on purpose: 401 while
 * signed out and for the old password, 400 for a weak password and a spent link, 429 for the rate limit.
 */
const EXPECTED_CONSOLE = /Failed to load resource: the server responded with a status of (400|401|429)/;

describe(
  'password reset in Chromium against the real server and a real SMTP peer',
  { skip: unavailable },
  () => {
    let removeBuild: () => void;
    let server: WebTestServer;
    let browser: Browser;
    let smtp: TestSmtpServer;
    let mailer: MailWorker;
    let petra: SeededUser;
    /** The link of the mail, once used: the second test opens it again. */
    let usedLink: string;
    const newPassword = 'granite harbour window 77';
    const allProblems: PageProblems[] = [];

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

    const resetMail = (): Promise<ReceivedMail> =>
      smtp.waitFor(petra.email, (m) => /Reset your ENLETS Messenger password/.test(m.subject), 20_000);

    /** Each step starts with the keyboard focus where the person goes on. */
    async function assertFocused(shown: Page, target: Locator): Promise<void> {
      await target.waitFor();
      const handle = await target.elementHandle();
      await shown.waitForFunction((element) => element === document.activeElement, handle, {
        timeout: 5_000,
      });
    }

    /** The field, not the form around it (whose heading, "Choose a new password", labels it too). */
    const newPasswordField = (shown: Page): Locator => shown.getByLabel('New password', { exact: true });

    async function signIn(shown: Page, password: string): Promise<void> {
      await shown.getByLabel('E-mail address').fill(petra.email);
      await shown.getByLabel('Password').fill(password);
      await shown.getByRole('button', { name: 'Sign in', exact: true }).click();
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
      petra = await seedUser(server, 'Petra Weiss');
    });

    after(async () => {
      await mailer.stop();
      await smtp.stop();
      await browser.close();
      await server.close();
      removeBuild();
    });

    it('resets a forgotten password from the sign-in screen through the mailed link', async () => {
      // "Forgot your password?" on the sign-in screen leads to the request form.
      const shown = await page('phone');
      await shown.goto(server.url);
      await shown.getByRole('link', { name: 'Forgot your password?' }).click();
      await shown.getByRole('heading', { name: 'Reset your password' }).waitFor();
      assert.equal(new URL(shown.url()).pathname, '/reset-password');
      await assertFocused(shown, shown.getByLabel('E-mail address'));
      await assertNoSeriousAxeViolations(shown, 'reset request');
      await screenshotBothSizes(shown, 'reset-request');
      await shown.getByLabel('E-mail address').fill(petra.email);
      await shown.getByRole('button', { name: 'Send reset link' }).click();
      const sent = shown.getByRole('heading', { name: 'Check your e-mail' });
      await assertFocused(shown, sent);
      await shown.getByText(`If an account uses ${petra.email}`).waitFor();
      await assertNoSeriousAxeViolations(shown, 'reset link sent');
      await screenshotBothSizes(shown, 'reset-sent');

      // The mail's link opens the form for the new password, which says what a reset does not restore.
      usedLink = linkIn(await resetMail(), '/reset-password');
      await shown.goto(usedLink);
      await shown.getByRole('heading', { name: 'Choose a new password' }).waitFor();
      await assertFocused(shown, newPasswordField(shown));
      await shown.getByText(/you still need your recovery passphrase/).waitFor();
      await shown.getByText(/every session of your account is signed out/).waitFor();
      await assertNoSeriousAxeViolations(shown, 'choose a new password');
      await screenshotBothSizes(shown, 'reset-choose');

      // Typos and weak passwords are refused with the reason, and the field is marked.
      await newPasswordField(shown).fill(newPassword);
      await shown.getByLabel('Type the password again').fill('granite harbour window 78');
      await shown.getByRole('button', { name: 'Set new password' }).click();
      await shown.getByRole('alert').getByText('The two passwords differ.').waitFor();
      await newPasswordField(shown).fill('password1234');
      await shown.getByLabel('Type the password again').fill('password1234');
      await shown.getByRole('button', { name: 'Set new password' }).click();
      await shown.getByRole('alert').getByText('This is one of the most commonly used passwords').waitFor();
      assert.equal(await newPasswordField(shown).getAttribute('aria-invalid'), 'true');
      await assertNoSeriousAxeViolations(shown, 'weak password refused');
      await screenshotBothSizes(shown, 'reset-weak');

      await newPasswordField(shown).fill(newPassword);
      await shown.getByLabel('Type the password again').fill(newPassword);
      await shown.getByRole('button', { name: 'Set new password' }).click();
      await assertFocused(shown, shown.getByRole('heading', { name: 'Password changed' }));
      await shown.getByText(/you still need your recovery passphrase/).waitFor();
      await assertNoSeriousAxeViolations(shown, 'password changed');
      await screenshotBothSizes(shown, 'reset-done');

      // Every session of the account ended: the API client's bearer session is signed out.
      await assert.rejects(petra.api.me(), (error: unknown) => {
        assert.ok(error instanceof EnletsApiError);
        assert.equal(error.status, 401);
        return true;
      });
      await smtp.waitFor(petra.email, (m) => /password was changed/.test(m.subject), 20_000);

      // The old password is refused; the new one signs in (this account's keys are not set up yet).
      await shown.getByRole('link', { name: 'Go to the sign-in page' }).click();
      await signIn(shown, petra.password);
      await shown.getByRole('alert').getByText('The e-mail address or password is wrong.').waitFor();
      await signIn(shown, newPassword);
      await shown
        .getByRole('heading', { name: 'Set up your recovery passphrase' })
        .waitFor({ timeout: 60_000 });
      await shown.context().close();
    });

    it('refuses a used link and a cut-off link with clear text, and offers a new link', async () => {
      const shown = await page('desktop');
      await shown.goto(usedLink);
      await newPasswordField(shown).fill('another strong passphrase 9');
      await shown.getByLabel('Type the password again').fill('another strong passphrase 9');
      await shown.getByRole('button', { name: 'Set new password' }).click();
      await shown
        .getByRole('alert')
        .getByText('This reset link has expired or has been used already.', { exact: false })
        .waitFor();
      await assertFocused(shown, shown.getByRole('heading', { name: 'Choose a new password' }));
      await assertNoSeriousAxeViolations(shown, 'used reset link');
      await screenshotBothSizes(shown, 'reset-used');

      // The new password was not set: the one from the first test still signs in, through the API.
      const check = await passwordAccepted(petra.email, newPassword);
      assert.ok(check, 'the password set by the first link is still the password');

      await shown.getByRole('link', { name: 'Ask for a new link' }).click();
      await shown.getByRole('heading', { name: 'Reset your password' }).waitFor();
      assert.equal(new URL(shown.url()).hash, '', 'the new request form carries no token');

      // A link cut off in the mail program: said before anything is sent.
      await shown.goto(`${server.url}/reset-password#token=abc`);
      await shown.getByRole('alert').getByText('This link is incomplete.', { exact: false }).waitFor();
      await shown.context().close();
    });

    it('answers an unknown address exactly like a known one, and mails it nothing', async () => {
      const shown = await page('desktop');
      await shown.goto(`${server.url}/reset-password`);
      await shown.getByLabel('E-mail address').fill('nobody@police.example');
      await shown.getByRole('button', { name: 'Send reset link' }).click();
      await shown.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
      await shown.getByText('If an account uses nobody@police.example').waitFor();

      // A known address asked for afterwards gets its mail; by then the unknown one would have had its own.
      const before = smtp.mailsTo(petra.email).length;
      await shown.getByRole('button', { name: 'Ask for another link' }).click();
      await shown.getByLabel('E-mail address').fill(petra.email);
      await shown.getByRole('button', { name: 'Send reset link' }).click();
      await shown.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
      await smtp.waitFor(
        petra.email,
        (m) => /Reset your/.test(m.subject) && smtp.mailsTo(petra.email).indexOf(m) >= before,
        20_000,
      );
      assert.equal(smtp.mailsTo('nobody@police.example').length, 0);
      await shown.context().close();
    });

    it('says how long to wait when the reset form is rate limited', async () => {
      // The public forms' limit per address and minute (1/60 of the test server's general limit): used up.
      const shown = await page('phone');
      await shown.goto(`${server.url}/reset-password`);
      await shown.getByLabel('E-mail address').waitFor();
      let limited = false;
      for (let round = 0; round < 100 && !limited; round++) {
        const answers = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            fetch(`${server.url}/api/v1/auth/password-reset`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ email: `flood-${String(round)}-${String(i)}@police.example` }),
            }).then((r) => r.status),
          ),
        );
        limited = answers.includes(429);
      }
      assert.ok(limited, 'the public form limit was reached');

      await shown.getByLabel('E-mail address').fill(petra.email);
      await shown.getByRole('button', { name: 'Send reset link' }).click();
      await shown
        .getByRole('alert')
        .getByText(/^Too many attempts\. Try again in \d+ seconds?\.$/)
        .waitFor();
      await assertNoSeriousAxeViolations(shown, 'reset rate limited');
      await screenshotBothSizes(shown, 'reset-rate-limited');
      await shown.context().close();
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

    /** A bearer login through the API: true when the server accepts the password. */
    async function passwordAccepted(email: string, password: string): Promise<boolean> {
      const response = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      return response.ok;
    }
  },
);
