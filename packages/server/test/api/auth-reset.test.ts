import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MINUTE_MS } from '../../src/lib/clock.js';
import { totpCode } from '../../src/lib/totp.js';
import { listMail } from '../../src/storage/repositories/mail-queue.js';
import { createActor } from '../helpers/actors.js';
import { DIALECTS } from '../helpers/dialects.js';
import { codeOf } from '../helpers/http.js';
import type { ReceivedMail } from '../helpers/smtp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** The token of the reset link in a mail, after checking the link points at our web client. */
function linkToken(mail: ReceivedMail): string {
  const match = /http:\/\/localhost:8080\/reset-password#token=([A-Za-z0-9_-]+)/.exec(mail.text);
  assert.ok(match?.[1], `no reset link in: ${mail.text}`);
  return match[1];
}

for (const dialect of DIALECTS) {
  describe(`http/routes/auth password reset [${dialect}]`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(() => server.close());

    const requestReset = (email: string) => server.api.post('/api/v1/auth/password-reset', { email });
    const confirm = (token: string, newPassword: string) =>
      server.api.post('/api/v1/auth/password-reset/confirm', { token, newPassword });
    const isReset = (m: ReceivedMail) => m.subject === 'Reset your ENLETS Messenger password';

    it('resets a forgotten password end to end through the mailed link, signing out every session', async () => {
      const user = await createActor(server);
      const res = await requestReset(user.email.toUpperCase());
      assert.equal(res.status, 202);
      assert.deepEqual(res.body, { accepted: true });
      const token = linkToken(await server.smtp.waitFor(user.email, isReset));

      const weak = await confirm(token, 'password1234');
      assert.equal(codeOf(weak), 'PASSWORD_TOO_WEAK');
      const done = await confirm(token, 'a completely new passphrase');
      assert.equal(done.status, 204);

      assert.equal((await server.api.get('/api/v1/me', { token: user.token })).status, 401);
      const old = await server.api.post('/api/v1/auth/login', { email: user.email, password: user.password });
      assert.equal(codeOf(old), 'INVALID_CREDENTIALS');
      const fresh = await server.api.post('/api/v1/auth/login', {
        email: user.email,
        password: 'a completely new passphrase',
      });
      assert.equal(fresh.status, 200);

      const reuse = await confirm(token, 'yet another new passphrase');
      assert.equal(reuse.status, 400);
      assert.equal(codeOf(reuse), 'TOKEN_INVALID');
      await server.smtp.waitFor(user.email, (m) => m.subject.includes('password was changed'));
    });

    it('answers the same for an unknown address and mails nobody', async () => {
      const email = 'nobody-at-all@police.example';
      const res = await requestReset(email);
      assert.equal(res.status, 202);
      assert.deepEqual(res.body, { accepted: true });
      const queued = await listMail(server.built.services.db, undefined, 1000);
      assert.equal(queued.filter((m) => m.to === email).length, 0);
    });

    it('voids an older link when a new one is requested', async () => {
      const user = await createActor(server);
      await requestReset(user.email);
      const first = linkToken(await server.smtp.waitFor(user.email, isReset));
      server.clock.advance(1000);
      await requestReset(user.email);
      const second = linkToken(
        await server.smtp.waitFor(user.email, (m) => isReset(m) && !m.text.includes(first)),
      );
      assert.equal(codeOf(await confirm(first, 'a completely new passphrase')), 'TOKEN_INVALID');
      assert.equal((await confirm(second, 'a completely new passphrase')).status, 204);
    });

    it('refuses a link older than one hour', async () => {
      const user = await createActor(server);
      await requestReset(user.email);
      const token = linkToken(await server.smtp.waitFor(user.email, isReset));
      server.clock.advance(60 * MINUTE_MS + 1000);
      assert.equal(codeOf(await confirm(token, 'a completely new passphrase')), 'TOKEN_INVALID');
      assert.equal(codeOf(await confirm('x'.repeat(43), 'a completely new passphrase')), 'TOKEN_INVALID');
    });

    it('keeps two-factor authentication on after a reset', async () => {
      const user = await createActor(server);
      const setup = await server.api.post(
        '/api/v1/me/totp/setup',
        { currentPassword: user.password },
        { token: user.token },
      );
      const secret = setup.body['secret'] as string;
      await server.api.post(
        '/api/v1/me/totp/confirm',
        { code: totpCode(secret, server.clock.now()) },
        { token: user.token },
      );
      await requestReset(user.email);
      const token = linkToken(await server.smtp.waitFor(user.email, isReset));
      assert.equal((await confirm(token, 'a completely new passphrase')).status, 204);
      const login = await server.api.post('/api/v1/auth/login', {
        email: user.email,
        password: 'a completely new passphrase',
      });
      assert.equal(codeOf(login), 'SECOND_FACTOR_REQUIRED');
    });
  });
}
