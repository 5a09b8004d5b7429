import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MINUTE_MS } from '../../src/lib/clock.js';
import { totpCode } from '../../src/lib/totp.js';
import { createActor, type TestActor } from '../helpers/actors.js';
import { DIALECTS } from '../helpers/dialects.js';
import { codeOf } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const STEP_MS = 30_000;

for (const dialect of DIALECTS) {
  describe(`http/routes/me two-factor [${dialect}]`, () => {
    let server: TestServer;
    before(async () => {
      // This deployment lets members turn TOTP off again; trustProxy lets the suite speak from several addresses.
      server = await startTestServer(dialect, { config: { requireSecondFactor: false, trustProxy: true } });
    });
    after(() => server.close());

    const login = (user: TestActor, extra: Record<string, unknown> = {}, ip = '198.51.100.10') =>
      server.api.post(
        '/api/v1/auth/login',
        { email: user.email, password: user.password, ...extra },
        { headers: { 'x-forwarded-for': ip } },
      );
    const code = (secret: string) => totpCode(secret, server.clock.now());

    /** Enrols TOTP through the API and moves past the step the confirmation used. */
    async function enrol(user: TestActor): Promise<{ secret: string; recoveryCodes: string[] }> {
      const setup = await server.api.post(
        '/api/v1/me/totp/setup',
        { currentPassword: user.password },
        { token: user.token },
      );
      assert.equal(setup.status, 200);
      const secret = setup.body['secret'] as string;
      assert.match(setup.body['otpauthUri'] as string, /^otpauth:\/\/totp\/.*secret=/);
      const confirm = await server.api.post(
        '/api/v1/me/totp/confirm',
        { code: code(secret) },
        { token: user.token },
      );
      assert.equal(confirm.status, 200);
      server.clock.advance(STEP_MS);
      return { secret, recoveryCodes: confirm.body['recoveryCodes'] as string[] };
    }

    it('enrols an authenticator app and then asks for its code at every login', async () => {
      const user = await createActor(server);
      const { secret, recoveryCodes } = await enrol(user);
      assert.equal(recoveryCodes.length, 10);
      for (const c of recoveryCodes) assert.match(c, /^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);
      assert.equal(new Set(recoveryCodes).size, 10);
      const me = await server.api.get('/api/v1/me', { token: user.token });
      assert.equal(me.body['totpEnabled'], true);

      const passwordOnly = await login(user);
      assert.equal(passwordOnly.status, 401);
      assert.equal(codeOf(passwordOnly), 'SECOND_FACTOR_REQUIRED');
      const wrongCode = await login(user, { totpCode: '000000' === code(secret) ? '111111' : '000000' });
      assert.equal(codeOf(wrongCode), 'SECOND_FACTOR_INVALID');

      const current = code(secret);
      const ok = await login(user, { totpCode: current });
      assert.equal(ok.status, 200);
      const replay = await login(user, { totpCode: current });
      assert.equal(replay.status, 401);
      assert.equal(codeOf(replay), 'SECOND_FACTOR_INVALID', 'a code is accepted once only');

      server.clock.advance(STEP_MS);
      assert.equal((await login(user, { totpCode: code(secret) })).status, 200);
    });

    it('accepts each recovery code once, with or without dashes', async () => {
      const user = await createActor(server);
      const { recoveryCodes } = await enrol(user);
      const [first, second] = recoveryCodes;
      assert.ok(first !== undefined && second !== undefined);
      assert.equal((await login(user, { recoveryCode: first })).status, 200);
      const again = await login(user, { recoveryCode: first });
      assert.equal(codeOf(again), 'SECOND_FACTOR_INVALID');
      assert.equal((await login(user, { recoveryCode: second.replace(/-/g, '') })).status, 200);
      assert.equal(codeOf(await login(user, { recoveryCode: 'aaaa-bbbb-cccc' })), 'SECOND_FACTOR_INVALID');
    });

    it('refuses a second setup while enabled, and setup with a wrong password', async () => {
      const user = await createActor(server);
      const wrong = await server.api.post(
        '/api/v1/me/totp/setup',
        { currentPassword: 'not my password' },
        { token: user.token },
      );
      assert.equal(codeOf(wrong), 'INVALID_CREDENTIALS');
      await enrol(user);
      const again = await server.api.post(
        '/api/v1/me/totp/setup',
        { currentPassword: user.password },
        { token: user.token },
      );
      assert.equal(again.status, 409);
      assert.equal(codeOf(again), 'TOTP_ALREADY_ENABLED');
    });

    it('lets a user with TOTP sign in while an attacker has locked their account key', async () => {
      const user = await createActor(server);
      const { secret } = await enrol(user);
      for (let i = 0; i < 10; i += 1) {
        await login(user, { password: `attacker guess ${String(i)}` }, `203.0.113.${String(i + 1)}`);
      }
      const passwordOnly = await login(user);
      assert.equal(codeOf(passwordOnly), 'LOGIN_THROTTLED');
      const attackerWithCode = await login(
        user,
        { password: 'attacker guess 11', totpCode: code(secret) },
        '203.0.113.50',
      );
      assert.equal(
        codeOf(attackerWithCode),
        'LOGIN_THROTTLED',
        'a wrong password still gets the lock answer',
      );

      const owner = await login(user, { totpCode: code(secret) });
      assert.equal(owner.status, 200, 'password and a valid code get through the account lock');
      // The success cleared the account key: the ordinary flow works again.
      assert.equal(codeOf(await login(user)), 'SECOND_FACTOR_REQUIRED');
    });

    it('still applies the address limit to a user with TOTP', async () => {
      const user = await createActor(server);
      const { secret } = await enrol(user);
      for (let i = 0; i < 30; i += 1) {
        await login(user, { email: `other-${String(i)}@police.example` }, '203.0.113.99');
      }
      const res = await login(user, { totpCode: code(secret) }, '203.0.113.99');
      assert.equal(codeOf(res), 'LOGIN_THROTTLED');
      server.clock.advance(15 * MINUTE_MS + 1000);
    });

    it('replaces recovery codes on request, so the old ones stop working', async () => {
      const user = await createActor(server);
      const { secret, recoveryCodes: old } = await enrol(user);
      const res = await server.api.post(
        '/api/v1/me/recovery-codes/regenerate',
        { currentPassword: user.password, code: code(secret) },
        { token: user.token },
      );
      assert.equal(res.status, 200);
      const fresh = res.body['recoveryCodes'] as string[];
      assert.equal(fresh.length, 10);
      assert.equal(codeOf(await login(user, { recoveryCode: old[0] })), 'SECOND_FACTOR_INVALID');
      assert.equal((await login(user, { recoveryCode: fresh[0] })).status, 200);
    });

    it('turns TOTP off with password and code, after which the password alone signs in', async () => {
      const user = await createActor(server);
      const { secret } = await enrol(user);
      const badCode = await server.api.post(
        '/api/v1/me/totp/disable',
        { currentPassword: user.password, code: '000000' === code(secret) ? '111111' : '000000' },
        { token: user.token },
      );
      assert.equal(codeOf(badCode), 'SECOND_FACTOR_INVALID');
      const res = await server.api.post(
        '/api/v1/me/totp/disable',
        { currentPassword: user.password, code: code(secret) },
        { token: user.token },
      );
      assert.equal(res.status, 204);
      assert.equal((await login(user)).status, 200);
      const again = await server.api.post(
        '/api/v1/me/totp/disable',
        { currentPassword: user.password, code: code(secret) },
        { token: user.token },
      );
      assert.equal(codeOf(again), 'TOTP_NOT_ENABLED');
      await server.smtp.waitFor(user.email, (m) => m.subject.includes('turned off'));
    });
  });
}
