import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { UserId } from '@enlets/protocol';
import { DAY_MS } from '../../src/lib/clock.js';
import { hashToken, newId, newToken } from '../../src/lib/secrets.js';
import { newTotpSecret, totpCode } from '../../src/lib/totp.js';
import { insertOneTimeToken } from '../../src/storage/repositories/one-time-tokens.js';
import { grantRole, insertUser } from '../../src/storage/repositories/users.js';
import { DIALECTS } from '../helpers/dialects.js';
import { codeOf } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const STEP_MS = 30_000;

interface Invitation {
  readonly userId: UserId;
  readonly email: string;
  readonly token: string;
}

/**
 * What approving an application leaves behind (that flow has its own suite): an invited account with no
 * password and a seven-day invitation token.
 */
async function invite(server: TestServer): Promise<Invitation> {
  const services = server.built.services;
  const userId = newId<UserId>();
  const email = `invitee-${userId.slice(0, 8)}@polizei.example`;
  const token = newToken();
  const now = server.clock.now();
  await insertUser(services.db, {
    id: userId,
    email,
    displayName: 'Invited Inspector',
    countryCode: 'DE',
    agencyId: null,
    position: 'Inspector',
    status: 'invited',
    passwordHash: null,
    now,
  });
  await grantRole(services.db, userId, { role: 'lea_member', scope: '' }, null, now);
  await insertOneTimeToken(services.db, {
    tokenHash: hashToken(token),
    purpose: 'invitation',
    subjectId: userId,
    now,
    expiresAt: now + 7 * DAY_MS,
  });
  return { userId, email, token };
}

for (const dialect of DIALECTS) {
  describe(`http/routes/activation [${dialect}]`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(() => server.close());

    const PASSWORD = 'my new service passphrase';

    it('activates an invited account end to end with an authenticator app', async () => {
      const invitation = await invite(server);
      const info = await server.api.get(`/api/v1/activation/${invitation.token}`);
      assert.equal(info.status, 200);
      assert.deepEqual(info.body, {
        email: invitation.email,
        displayName: 'Invited Inspector',
        requireSecondFactor: true,
      });

      const noSecondFactor = await server.api.post('/api/v1/activation', {
        token: invitation.token,
        password: PASSWORD,
      });
      assert.equal(noSecondFactor.status, 400);
      assert.equal(codeOf(noSecondFactor), 'SECOND_FACTOR_ENROLMENT_REQUIRED');

      const secret = newTotpSecret();
      const now = server.clock.now();
      const badCode = await server.api.post('/api/v1/activation', {
        token: invitation.token,
        password: PASSWORD,
        totpSecret: secret,
        totpCode: totpCode(secret, now + 10 * STEP_MS),
      });
      assert.equal(codeOf(badCode), 'SECOND_FACTOR_INVALID');
      const weak = await server.api.post('/api/v1/activation', {
        token: invitation.token,
        password: 'invited inspector',
        totpSecret: secret,
        totpCode: totpCode(secret, now),
      });
      assert.equal(codeOf(weak), 'PASSWORD_TOO_WEAK');

      const res = await server.api.post('/api/v1/activation', {
        token: invitation.token,
        password: PASSWORD,
        totpSecret: secret,
        totpCode: totpCode(secret, now),
        deviceId: 'activation-device-0123456789',
        deviceLabel: 'Office PC',
      });
      assert.equal(res.status, 200);
      const user = res.body['user'] as Record<string, unknown>;
      assert.equal(user['status'], 'active');
      assert.equal(user['totpEnabled'], true);
      const recoveryCodes = res.body['recoveryCodes'] as string[];
      assert.equal(recoveryCodes.length, 10);
      const me = await server.api.get('/api/v1/me', { token: res.body['token'] as string });
      assert.equal(me.status, 200);
      assert.equal(me.body['email'], invitation.email);

      // The link works once.
      const reuse = await server.api.post('/api/v1/activation', {
        token: invitation.token,
        password: PASSWORD,
        totpSecret: secret,
        totpCode: totpCode(secret, now + STEP_MS),
      });
      assert.equal(codeOf(reuse), 'TOKEN_INVALID');
      assert.equal(codeOf(await server.api.get(`/api/v1/activation/${invitation.token}`)), 'TOKEN_INVALID');

      // From now on the account signs in with password and a code from the enrolled app.
      server.clock.advance(STEP_MS);
      const passwordOnly = await server.api.post('/api/v1/auth/login', {
        email: invitation.email,
        password: PASSWORD,
      });
      assert.equal(codeOf(passwordOnly), 'SECOND_FACTOR_REQUIRED');
      const login = await server.api.post('/api/v1/auth/login', {
        email: invitation.email,
        password: PASSWORD,
        totpCode: totpCode(secret, server.clock.now()),
        deviceId: 'activation-device-0123456789',
      });
      assert.equal(login.status, 200);
    });

    it('refuses to sign in an invited account that has not been activated', async () => {
      const invitation = await invite(server);
      const res = await server.api.post('/api/v1/auth/login', {
        email: invitation.email,
        password: PASSWORD,
      });
      assert.equal(codeOf(res), 'INVALID_CREDENTIALS');
    });

    it('refuses an expired or unknown invitation link', async () => {
      const invitation = await invite(server);
      server.clock.advance(7 * DAY_MS + 1000);
      assert.equal(codeOf(await server.api.get(`/api/v1/activation/${invitation.token}`)), 'TOKEN_INVALID');
      const secret = newTotpSecret();
      const res = await server.api.post('/api/v1/activation', {
        token: invitation.token,
        password: PASSWORD,
        totpSecret: secret,
        totpCode: totpCode(secret, server.clock.now()),
      });
      assert.equal(res.status, 400);
      assert.equal(codeOf(res), 'TOKEN_INVALID');
      assert.equal(codeOf(await server.api.get(`/api/v1/activation/${newToken()}`)), 'TOKEN_INVALID');
    });

    it('can set a cookie session at activation', async () => {
      const invitation = await invite(server);
      const secret = newTotpSecret();
      const res = await server.api.post('/api/v1/activation', {
        token: invitation.token,
        password: PASSWORD,
        totpSecret: secret,
        totpCode: totpCode(secret, server.clock.now()),
        session: 'cookie',
      });
      assert.equal(res.status, 200);
      assert.equal(res.body['token'], undefined);
      assert.match(res.headers.get('set-cookie') ?? '', /enlets_session=[^;]+;.*HttpOnly/i);
    });
  });

  describe(`http/routes/activation without a required second factor [${dialect}]`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect, { config: { requireSecondFactor: false } });
    });
    after(() => server.close());

    it('activates with a password alone', async () => {
      const invitation = await invite(server);
      const info = await server.api.get(`/api/v1/activation/${invitation.token}`);
      assert.equal(info.body['requireSecondFactor'], false);
      const res = await server.api.post('/api/v1/activation', {
        token: invitation.token,
        password: 'my new service passphrase',
      });
      assert.equal(res.status, 200);
      assert.equal(res.body['recoveryCodes'], undefined);
      assert.equal((res.body['user'] as Record<string, unknown>)['totpEnabled'], false);
    });
  });
}
