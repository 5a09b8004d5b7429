import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { pino } from 'pino';
import { EnletsApiError } from '@enlets/client';
import type { AuditListResponse, MailListResponse, MemberResponse } from '@enlets/protocol';
import { MAIL_MAX_ATTEMPTS, MailWorker } from '../../server/src/mail/worker.js';
import { inTransaction } from '../../server/src/domain/services.js';
import { grantRole } from '../../server/src/storage/repositories/users.js';
import { TestSmtpServer } from '../../server/test/helpers/smtp.js';
import {
  assertNoSeriousAxeViolations,
  browserUnavailable,
  launchChromium,
  openContext,
  screenshotBothSizes,
  type PageProblems,
  type ViewportName,
} from './helpers/browser.js';
import { firstDevice, signInAndRecover } from './helpers/devices.js';
import {
  buildWebClient,
  seedUser,
  startWebTestServer,
  type SeededUser,
  type WebTestServer,
} from './helpers/web-server.js';

const unavailable = browserUnavailable();
if (unavailable !== undefined) console.log(`# admin console suite skipped: ${unavailable}`);

/**
 * Chromium logs every 4xx answer on the console. These are the ones the flows provoke on purpose: 401 while
 * signed out, 404 when the audit log names a member who was removed since (the console then shows the id).
 */
const EXPECTED_CONSOLE = /Failed to load resource: the server responded with a status of 40[14]/;
/** Past the longest backoff of the mail worker (6 h): every pass of the test's worker finds the mail due. */
const PAST_BACKOFF_MS = 7 * 60 * 60_000;

describe('the admin console in Chromium against the real server', { skip: unavailable }, () => {
  let removeBuild: () => void;
  let server: WebTestServer;
  let browser: Browser;
  let smtp: TestSmtpServer;
  let mailer: MailWorker;
  /** How far ahead of the wall clock the test's mail worker lives (to let backoffs pass without waiting). */
  let mailClockShift = 0;
  let admin: SeededUser;
  let maria: SeededUser;
  let marek: SeededUser;
  let adminPage: Page;
  const allProblems: PageProblems[] = [];

  async function page(viewport: ViewportName): Promise<Page> {
    const opened = await openContext(browser, viewport);
    allProblems.push(opened.problems);
    return opened.page;
  }

  async function assertFocused(shown: Page, element: Locator): Promise<void> {
    await element.waitFor();
    const handle = await element.elementHandle();
    await shown.waitForFunction((e) => e === document.activeElement, handle, { timeout: 5_000 });
  }

  async function memberAsAdminSees(id: string): Promise<MemberResponse['member']> {
    return (await admin.api.get<MemberResponse>(`/members/${id}`)).member;
  }

  /** One pass of the product's mail worker, as it runs on the server, `PAST_BACKOFF_MS` after the last. */
  async function mailPass(): Promise<void> {
    mailClockShift += PAST_BACKOFF_MS;
    await mailer.runOnce();
  }

  before(async () => {
    const webBuild = await buildWebClient();
    removeBuild = webBuild.remove;
    server = await startWebTestServer(webBuild.dir);
    browser = await launchChromium();
    // The product's mail path: the outbox, the worker, nodemailer, a real SMTP peer. The worker runs a pass when
    // the test says, on a clock the test moves past each backoff.
    smtp = new TestSmtpServer();
    const smtpUrl = await smtp.start();
    mailer = new MailWorker({
      db: server.built.services.db,
      clock: { now: () => Date.now() + mailClockShift },
      log: pino({ level: 'silent' }),
      smtpUrl,
      from: 'ENLETS Messenger <no-reply@localhost>',
      pollIntervalMs: 60_000,
    });
    admin = await seedUser(server, 'Ada Secretariat', ['secretariat_admin']);
    maria = await seedUser(server, 'Maria Kowalski', ['lea_member']);
    marek = await seedUser(server, 'Marek Nowak', ['lea_member']);
  });

  after(async () => {
    await mailer.stop();
    await smtp.stop();
    await browser.close();
    await server.close();
    removeBuild();
  });

  it('is one click away from the messenger for a Secretariat admin, and opens on the members', async () => {
    const { device, passphrase } = await firstDevice(server.url, admin);
    await device.stop();
    adminPage = await page('desktop');
    await signInAndRecover(adminPage, server.url, admin, passphrase);
    await adminPage.getByRole('link', { name: 'Admin console' }).click();
    assert.equal(new URL(adminPage.url()).pathname, '/admin');
    const heading = adminPage.getByRole('heading', { level: 1, name: 'Members' });
    await assertFocused(adminPage, heading);
    const nav = adminPage.getByRole('navigation', { name: 'Admin console sections' });
    for (const name of ['Members', 'Applications', 'Audit log', 'Mail queue'])
      await nav.getByRole('link', { name }).waitFor();
    await adminPage.getByRole('table').getByRole('button', { name: 'Maria Kowalski' }).waitFor();
    await assertNoSeriousAxeViolations(adminPage, 'admin members');
    await screenshotBothSizes(adminPage, 'admin-members');
  });

  it('finds a member, grants and revokes a role, suspends and reactivates them', async () => {
    const shown = adminPage;
    // Keyboard only: type the name, Enter submits the search, Tab reaches the result, Enter opens it.
    await shown.getByRole('searchbox', { name: 'Name' }).fill('kowal');
    await shown.keyboard.press('Enter');
    const results = shown.getByRole('table');
    await results.locator('caption').filter({ hasText: '1 member' }).waitFor();
    assert.equal(await results.getByRole('button', { name: 'Marek Nowak' }).count(), 0);
    await results.getByRole('button', { name: 'Maria Kowalski' }).focus();
    await shown.keyboard.press('Enter');
    const detail = shown.getByRole('article', { name: 'Maria Kowalski' });
    await assertFocused(shown, detail.getByRole('heading', { level: 2, name: 'Maria Kowalski' }));
    await detail.getByText(maria.email).waitFor();
    await assertNoSeriousAxeViolations(shown, 'admin member detail');
    await screenshotBothSizes(shown, 'admin-member');

    // Grant the Core Group role, then revoke it.
    await detail.getByLabel('Role', { exact: true }).selectOption('core_group');
    await detail.getByRole('button', { name: 'Grant role' }).click();
    await detail
      .getByRole('status')
      .filter({ hasText: 'Maria Kowalski now holds the role Core Group.' })
      .waitFor();
    await detail.getByRole('listitem').filter({ hasText: 'Core Group' }).waitFor();
    assert.ok((await memberAsAdminSees(maria.id)).roles.some((g) => g.role === 'core_group'));
    await results
      .getByRole('row', { name: /Maria Kowalski/ })
      .filter({ hasText: 'Core Group' })
      .waitFor();

    await detail.getByRole('button', { name: 'Revoke Core Group' }).click();
    await detail
      .getByRole('status')
      .filter({ hasText: 'Maria Kowalski no longer holds the role Core Group.' })
      .waitFor();
    await assertFocused(shown, detail.getByRole('heading', { level: 3, name: 'Roles' }));
    assert.ok(!(await memberAsAdminSees(maria.id)).roles.some((g) => g.role === 'core_group'));

    // An NCP role needs its country.
    await detail.getByLabel('Role', { exact: true }).selectOption('ncp');
    await detail.getByLabel('Country of the NCP').selectOption('PL');
    await detail.getByRole('button', { name: 'Grant role' }).click();
    await detail.getByRole('listitem').filter({ hasText: 'National Contact Point (Poland)' }).waitFor();
    assert.ok(
      (await memberAsAdminSees(maria.id)).roles.some((g) => g.role === 'ncp' && g.scope === 'PL'),
      'the NCP role is granted for Poland',
    );
    await detail.getByRole('button', { name: 'Revoke National Contact Point (Poland)' }).click();
    await detail.getByRole('status').filter({ hasText: 'no longer holds the role' }).waitFor();

    // Suspend with a reason: Maria's own session is refused from then on.
    assert.equal((await maria.api.me()).id, maria.id, 'Maria is signed in before');
    await detail
      .getByLabel('Reason for the suspension (e-mailed to the member)')
      .fill('Under internal review.');
    await detail.getByRole('button', { name: 'Suspend member' }).click();
    await detail.getByRole('status').filter({ hasText: 'Maria Kowalski is suspended' }).waitFor();
    await assertFocused(shown, detail.getByRole('button', { name: 'Lift the suspension' }));
    await detail.getByText('Under internal review.').waitFor();
    await assert.rejects(
      maria.api.me(),
      (error: unknown) => error instanceof EnletsApiError && error.status === 401,
      'the suspended member’s session is refused',
    );
    const suspended = await memberAsAdminSees(maria.id);
    assert.equal(suspended.status, 'suspended');
    assert.equal(suspended.statusReason, 'Under internal review.');

    // The suspended accounts, by the status filter.
    await shown.getByRole('searchbox', { name: 'Name' }).fill('');
    await shown.getByLabel('Status', { exact: true }).selectOption('suspended');
    await shown.getByRole('button', { name: 'Search' }).click();
    await results.locator('caption').filter({ hasText: '1 member' }).waitFor();
    await results
      .getByRole('row', { name: /Maria Kowalski/ })
      .filter({ hasText: 'Suspended' })
      .waitFor();
    assert.equal(await results.getByRole('button', { name: 'Marek Nowak' }).count(), 0);
    await assertNoSeriousAxeViolations(shown, 'admin suspended members');
    await screenshotBothSizes(shown, 'admin-suspended');

    // Lift the suspension: she can sign in again.
    await detail.getByRole('button', { name: 'Lift the suspension' }).click();
    await detail
      .getByRole('status')
      .filter({ hasText: 'The suspension of Maria Kowalski is lifted.' })
      .waitFor();
    await assertFocused(shown, detail.getByLabel('Reason for the suspension (e-mailed to the member)'));
    assert.equal((await memberAsAdminSees(maria.id)).status, 'active');
    await maria.api.login({ email: maria.email, password: maria.password });
    assert.equal((await maria.api.me()).id, maria.id);
  });

  it('shows the audit entries of those actions, newest first, and the chain intact', async () => {
    const shown = adminPage;
    await shown
      .getByRole('navigation', { name: 'Admin console sections' })
      .getByRole('link', { name: 'Audit log' })
      .click();
    assert.equal(new URL(shown.url()).pathname, '/admin/audit');
    await assertFocused(shown, shown.getByRole('heading', { level: 1, name: 'Audit log' }));
    const chain = shown.getByRole('region', { name: 'Chain status' });
    await chain.getByText('Intact', { exact: true }).waitFor();
    const verdict = await admin.api.get<{ ok: boolean; entries: number }>('/admin/audit/verify');
    assert.ok(verdict.ok && verdict.entries >= 6);
    await chain
      .getByText(`All ${String(verdict.entries)} entries verify: none has been changed or removed.`)
      .waitFor();

    const rows = shown.getByRole('table').getByRole('row');
    await rows.nth(1).waitFor();
    // Newest first: the six actions of the previous test head the log (the sign-ins of the admin come before).
    const actions = (await rows.allInnerTexts()).slice(1);
    const expected = [
      'Suspension lifted',
      'Member suspended',
      'Role revoked',
      'Role granted',
      'Role revoked',
      'Role granted',
    ];
    assert.equal(actions.length, verdict.entries, 'one page holds the whole log');
    expected.forEach((action, i) =>
      assert.ok(actions[i]?.includes(action), `row ${String(i + 1)}: ${action}`),
    );
    // Names, not ids: who did it, and to whom; the details of each entry.
    const suspension = rows.filter({ hasText: 'Member suspended' });
    await suspension.getByText('Ada Secretariat').waitFor();
    await suspension.getByText('Maria Kowalski').waitFor();
    await suspension.getByText('reason: Under internal review.').waitFor();
    await rows.filter({ hasText: 'role: ncp · scope: PL' }).first().waitFor();
    await assertNoSeriousAxeViolations(shown, 'admin audit log');
    await screenshotBothSizes(shown, 'admin-audit');

    // The verdict is the server's: verified again, it still holds.
    await chain.getByRole('button', { name: 'Verify again' }).click();
    await chain.getByText('Intact', { exact: true }).waitFor();
  });

  it('shows the mail queue with attempts and errors, and puts a failed mail back in the queue', async () => {
    // The SMTP peer refuses everything until the worker gives up on Maria's suspension mail.
    smtp.failing = true;
    for (let pass = 0; pass < MAIL_MAX_ATTEMPTS; pass++) await mailPass();
    const { mails } = await admin.api.get<MailListResponse>('/admin/mail?status=failed');
    const failed = mails.find((m) => m.to === maria.email && m.kind === 'member_suspended');
    assert.ok(failed, 'the suspension mail failed for good');

    const shown = adminPage;
    await shown
      .getByRole('navigation', { name: 'Admin console sections' })
      .getByRole('link', { name: 'Mail queue' })
      .click();
    await assertFocused(shown, shown.getByRole('heading', { level: 1, name: 'Mail queue' }));
    // The test server has no SMTP URL of its own (this suite's worker runs beside it): the console says so.
    await shown.getByText('No SMTP server is configured').waitFor();
    const row = shown.getByRole('row').filter({ hasText: 'Your ENLETS Messenger account is suspended' });
    await row.getByText('Failed', { exact: true }).waitFor();
    await row.getByRole('cell', { name: String(MAIL_MAX_ATTEMPTS), exact: true }).waitFor();
    await row.getByText('temporarily unavailable').waitFor();
    await assertNoSeriousAxeViolations(shown, 'admin mail queue');
    await screenshotBothSizes(shown, 'admin-mail');

    smtp.failing = false;
    await row.getByRole('button', { name: `Retry the mail to ${maria.email}` }).click();
    await shown
      .getByRole('status')
      .filter({ hasText: `The mail to ${maria.email} is back in the queue.` })
      .waitFor();
    await row.getByText('Queued', { exact: true }).waitFor();
    assert.equal(await row.getByRole('button', { name: /Retry/ }).count(), 0);

    // The worker's next pass delivers it; the console shows it sent.
    await mailPass();
    await smtp.waitFor(maria.email, (m) => m.subject === 'Your ENLETS Messenger account is suspended');
    await shown.getByRole('button', { name: 'Refresh' }).click();
    await row.getByText('Sent', { exact: true }).waitFor();

    // Filtered to failed mail: the suspension mail is gone from it; the reactivation mail, failed the same
    // passes and not retried, is still there.
    await shown.getByLabel('Show').selectOption('failed');
    await shown
      .getByRole('row')
      .filter({ hasText: 'Your ENLETS Messenger account is active again' })
      .waitFor();
    assert.equal(await row.count(), 0);
  });

  it('sums up the applications and leads to the vetting queue', async () => {
    const shown = adminPage;
    await shown
      .getByRole('navigation', { name: 'Admin console sections' })
      .getByRole('link', { name: 'Applications' })
      .click();
    await assertFocused(shown, shown.getByRole('heading', { level: 1, name: 'Applications' }));
    await shown.getByText('No application is waiting for a decision.').waitFor();
    await assertNoSeriousAxeViolations(shown, 'admin applications');
    await screenshotBothSizes(shown, 'admin-applications');
    await shown.getByRole('link', { name: 'Open the vetting queue' }).click();
    assert.equal(new URL(shown.url()).pathname, '/vetting');
  });

  it('removes a member for good only after a confirmation', async () => {
    const shown = adminPage;
    await shown.goto(`${server.url}/admin/members`);
    await shown.getByRole('searchbox', { name: 'Name' }).fill('Marek');
    await shown.getByRole('button', { name: 'Search' }).click();
    await shown.getByRole('table').getByRole('button', { name: 'Marek Nowak' }).click();
    const detail = shown.getByRole('article', { name: 'Marek Nowak' });
    const opener = detail.getByRole('button', { name: 'Remove member…' });

    // The first press only asks; Cancel puts the focus back where it was, and nothing happened.
    await opener.click();
    const confirm = detail.getByRole('form', { name: 'Remove this member for good?' });
    await assertFocused(shown, confirm.getByLabel('Reason for the removal (e-mailed to the member)'));
    await confirm.getByText('This cannot be undone').waitFor();
    await assertNoSeriousAxeViolations(shown, 'admin remove confirmation');
    await screenshotBothSizes(shown, 'admin-remove-confirm');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await assertFocused(shown, opener);
    assert.equal((await memberAsAdminSees(marek.id)).status, 'active');

    await opener.click();
    await confirm
      .getByLabel('Reason for the removal (e-mailed to the member)')
      .fill('Left the police service.');
    await confirm.getByRole('button', { name: 'Remove for good' }).click();
    await shown.getByRole('status').filter({ hasText: 'Marek Nowak has been removed.' }).waitFor();
    await shown.getByText('No member matches this search.').waitFor();
    await assert.rejects(
      memberAsAdminSees(marek.id),
      (error: unknown) => error instanceof EnletsApiError && error.code === 'NOT_FOUND',
    );
    await assert.rejects(
      marek.api.me(),
      (error: unknown) => error instanceof EnletsApiError && error.status === 401,
    );
  });

  it('turns the tables into stacked cards on a 360 px phone', async () => {
    const shown = adminPage;
    await shown.setViewportSize({ width: 360, height: 740 });
    await shown.goto(`${server.url}/admin/mail`);
    const firstRow = shown.getByRole('table').locator('tbody tr').first();
    await firstRow.waitFor();
    assert.equal(await firstRow.evaluate((e) => getComputedStyle(e).display), 'block');
    const overflow = await shown.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, 'nothing is wider than the phone');
    await assertNoSeriousAxeViolations(shown, 'admin mail queue on a phone');
    await shown.emulateMedia({ colorScheme: 'dark' });
    await assertNoSeriousAxeViolations(shown, 'admin mail queue on a phone, dark');
    await shown.context().close();
  });

  it('says where the chain breaks when an entry was altered behind the server’s back', async () => {
    // Someone with database access rewrites the reason of the suspension.
    const { entries } = await admin.api.get<AuditListResponse>('/admin/audit?limit=500');
    const suspension = entries.find((e) => e.action === 'member.suspended');
    assert.ok(suspension);
    await server.built.services.db
      .updateTable('audit_log')
      .set({ details: JSON.stringify({ reason: 'Nothing to see here.' }) })
      .where('seq', '=', suspension.seq)
      .execute();

    const shown = await page('desktop');
    await shown.goto(`${server.url}/admin/audit`);
    await shown.getByLabel('E-mail address').fill(admin.email);
    await shown.getByLabel('Password').fill(admin.password);
    await shown.getByRole('button', { name: 'Sign in' }).click();
    const chain = shown.getByRole('region', { name: 'Chain status' });
    await chain.getByText(`Broken at entry ${String(suspension.seq)}`, { exact: true }).waitFor();
    await chain.getByText('The entry was changed after it was written: its hash does not match.').waitFor();
    await chain.getByText(`${String(suspension.seq - 1)} entries before the break verify.`).waitFor();
    assert.equal(await chain.getByText('Intact', { exact: true }).count(), 0);
    // A removed member has no name to show any more: the log says so, with the id it recorded.
    await shown
      .getByRole('row')
      .filter({ hasText: 'Member removed' })
      .getByText(`Removed account ${marek.id}`)
      .waitFor();
    await assertNoSeriousAxeViolations(shown, 'admin audit log, chain broken');
    await screenshotBothSizes(shown, 'admin-audit-broken');
    await shown.emulateMedia({ colorScheme: 'dark' });
    await assertNoSeriousAxeViolations(shown, 'admin audit log, chain broken, dark');
    await screenshotBothSizes(shown, 'admin-audit-broken-dark');
    await shown.context().close();
  });

  it('shows an NCP the members and applications only, without roles or removal', async () => {
    const nina = await seedUser(server, 'Nina Novak', ['lea_member']);
    await inTransaction(server.built.services, (trx) =>
      grantRole(trx, nina.id, { role: 'ncp', scope: 'DE' }, null, server.built.services.clock.now()),
    );
    // Two suspended members: one of Nina's country, one of France (not hers to see).
    const sven = await seedUser(server, 'Sven Stiller', ['lea_member']);
    const fabienne = await seedUser(server, 'Fabienne Faure', ['lea_member']);
    await server.built.services.db
      .updateTable('users')
      .set({ country_code: 'FR' })
      .where('id', '=', fabienne.id)
      .execute();
    for (const member of [sven, fabienne])
      await admin.api.post(`/members/${member.id}/suspend`, { reason: 'Under internal review.' });
    const shown = await page('desktop');
    await shown.goto(`${server.url}/admin/audit`);
    await shown.getByLabel('E-mail address').fill(nina.email);
    await shown.getByLabel('Password').fill(nina.password);
    await shown.getByRole('button', { name: 'Sign in' }).click();
    await assertFocused(shown, shown.getByRole('heading', { level: 1, name: 'Not allowed' }));
    await shown.getByText('This section of the admin console is for the Secretariat only.').waitFor();
    const nav = shown.getByRole('navigation', { name: 'Admin console sections' });
    assert.deepEqual(await nav.getByRole('link').allInnerTexts(), ['Members', 'Applications']);
    await assertNoSeriousAxeViolations(shown, 'admin section not allowed');

    await nav.getByRole('link', { name: 'Members' }).click();
    await shown.getByRole('table').getByRole('button', { name: 'Maria Kowalski' }).click();
    const detail = shown.getByRole('article', { name: 'Maria Kowalski' });
    await detail.getByRole('button', { name: 'Suspend member' }).waitFor();
    assert.equal(await detail.getByRole('button', { name: 'Grant role' }).count(), 0);
    assert.equal(await detail.getByRole('button', { name: /^Revoke/ }).count(), 0);
    assert.equal(await detail.getByRole('button', { name: 'Remove member…' }).count(), 0);
    assert.equal(await detail.getByText(maria.email).count(), 0, 'e-mail addresses are the Secretariat’s');

    // The suspended members of her country only: the server scopes the status filter to her NCP roles.
    await shown.getByLabel('Status', { exact: true }).selectOption('suspended');
    await shown.getByRole('button', { name: 'Search' }).click();
    const results = shown.getByRole('table');
    await results
      .getByRole('row', { name: /Sven Stiller/ })
      .filter({ hasText: 'Suspended' })
      .waitFor();
    assert.equal(await results.getByRole('button', { name: 'Fabienne Faure' }).count(), 0);
    assert.equal(await results.getByRole('button', { name: 'Maria Kowalski' }).count(), 0);
    await assertNoSeriousAxeViolations(shown, 'admin suspended members, NCP');

    // An address the console does not know.
    await shown.goto(`${server.url}/admin/nonsense`);
    await assertFocused(shown, shown.getByRole('heading', { level: 1, name: 'No such section' }));
    await shown.context().close();
  });

  it('refuses a plain member: a clear screen in the browser, 403 from the server', async () => {
    const paul = await seedUser(server, 'Paul Plain', ['lea_member']);
    const shown = await page('phone');
    await shown.goto(`${server.url}/admin/audit`);
    await shown.getByLabel('E-mail address').fill(paul.email);
    await shown.getByLabel('Password').fill(paul.password);
    await shown.getByRole('button', { name: 'Sign in' }).click();
    await assertFocused(shown, shown.getByRole('heading', { level: 1, name: 'Not allowed' }));
    await shown.getByText('Your account holds neither role.', { exact: false }).waitFor();
    assert.equal(await shown.getByRole('navigation', { name: 'Admin console sections' }).count(), 0);
    assert.equal(await shown.getByRole('table').count(), 0);
    await assertNoSeriousAxeViolations(shown, 'admin not allowed');
    await screenshotBothSizes(shown, 'admin-not-allowed');
    for (const path of ['/admin/audit', '/admin/mail'])
      await assert.rejects(
        paul.api.get(path),
        (error: unknown) => error instanceof EnletsApiError && error.status === 403,
        `${path} is refused`,
      );
    await assert.rejects(
      paul.api.post(`/members/${maria.id}/suspend`, { reason: 'Not my call to make.' }),
      (error: unknown) => error instanceof EnletsApiError && error.status === 403,
    );
    await assert.rejects(
      paul.api.get('/members?status=suspended'),
      (error: unknown) => error instanceof EnletsApiError && error.status === 403,
      'suspended members are for moderators',
    );
    await shown.context().close();
  });

  it('had no CSP violation and no unexpected console error on any page', () => {
    assert.ok(allProblems.length > 0);
    for (const problems of allProblems) {
      assert.deepEqual(problems.cspViolations, []);
      assert.deepEqual(
        problems.consoleErrors.filter((e) => !EXPECTED_CONSOLE.test(e)),
        [],
      );
    }
  });
});
