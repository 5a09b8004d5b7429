import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type {
  PasskeyCreationOptions,
  PasskeyInfo,
  PasskeyRequestOptions,
  PasskeyAssertionCredential,
} from '@enlets/protocol';
import { MINUTE_MS } from '../src/lib/clock.js';
import { totpCode } from '../src/lib/totp.js';
import { listAuditEntries } from '../src/storage/repositories/audit-log.js';
import { createActor, type TestActor } from './helpers/actors.js';
import { DIALECTS } from './helpers/dialects.js';
import { codeOf, type ApiResponse } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { SoftAuthenticator, type CeremonyOverrides } from './helpers/soft-authenticator.js';

/** The test server's public URL (helpers/server.ts): the RP ID is `localhost`, the origin this. */
const ORIGIN = 'http://localhost:8080';

for (const dialect of DIALECTS) {
  describe(`passkeys [${dialect}]`, () => {
    let server: TestServer;
    before(async () => {
      // trustProxy lets the suite speak from several addresses (the sign-in throttle is per address).
      server = await startTestServer(dialect, { config: { requireSecondFactor: false, trustProxy: true } });
    });
    after(() => server.close());

    let address = 0;
    /** A fresh client address per call, so the address throttle of one test does not reach the next. */
    const from = (): Record<string, string> => {
      address += 1;
      return { 'x-forwarded-for': `198.51.100.${String(address % 250)}` };
    };

    async function registrationOptions(user: TestActor, extra: Record<string, unknown> = {}) {
      return server.api.post<{ options: PasskeyCreationOptions }>(
        '/api/v1/me/passkeys/options',
        { currentPassword: user.password, ...extra },
        { token: user.token, headers: from() },
      );
    }

    /** Adds a passkey through both steps; returns what the server answered to the second. */
    async function register(
      user: TestActor,
      authenticator: SoftAuthenticator,
      overrides: CeremonyOverrides = {},
      name = 'Work laptop',
    ): Promise<ApiResponse> {
      const started = await registrationOptions(user);
      assert.equal(started.status, 200);
      const credential = authenticator.create(started.body.options, overrides);
      return server.api.post('/api/v1/me/passkeys', { name, credential }, { token: user.token });
    }

    async function signInOptions(): Promise<PasskeyRequestOptions> {
      const res = await server.api.post<{ options: PasskeyRequestOptions }>(
        '/api/v1/auth/passkey/options',
        undefined,
        {
          headers: from(),
        },
      );
      assert.equal(res.status, 200);
      return res.body.options;
    }

    const signIn = (credential: PasskeyAssertionCredential, extra: Record<string, unknown> = {}) =>
      server.api.post('/api/v1/auth/passkey/login', { credential, ...extra }, { headers: from() });

    async function passkeysOf(user: TestActor): Promise<PasskeyInfo[]> {
      const res = await server.api.get<{ passkeys: PasskeyInfo[] }>('/api/v1/me/passkeys', {
        token: user.token,
      });
      assert.equal(res.status, 200);
      return res.body.passkeys;
    }

    it('adds a passkey and signs in with it alone: no e-mail, no password, no TOTP', async () => {
      const user = await createActor(server);
      const key = new SoftAuthenticator(ORIGIN);
      const options = (await registrationOptions(user)).body.options;
      assert.equal(options.rp.id, 'localhost', 'the RP ID is the host name of the public URL');
      assert.equal(options.authenticatorSelection.userVerification, 'required');
      assert.equal(options.authenticatorSelection.residentKey, 'required');
      const added = await server.api.post(
        '/api/v1/me/passkeys',
        { name: '  Work laptop ', credential: key.create(options) },
        { token: user.token },
      );
      assert.equal(added.status, 201);
      assert.equal(added.body['name'], 'Work laptop');
      assert.equal(added.body['lastUsedAt'], null);

      const challenge = await signInOptions();
      assert.equal(challenge.userVerification, 'required');
      assert.equal(challenge.rpId, 'localhost');
      server.clock.advance(1000);
      const res = await signIn(key.get(challenge), { deviceLabel: 'Passkey laptop' });
      assert.equal(res.status, 200);
      const token = res.body['token'] as string;
      assert.equal((res.body['user'] as { id: string }).id, user.id);
      const me = await server.api.get('/api/v1/me', { token });
      assert.equal(me.status, 200);
      assert.equal(me.body['id'], user.id);
      // The same session record as a password login: it is in the session list, with its label.
      const sessions = await server.api.get<{ sessions: Array<{ deviceLabel: string | null }> }>(
        '/api/v1/me/sessions',
        { token },
      );
      assert.ok(sessions.body.sessions.some((s) => s.deviceLabel === 'Passkey laptop'));
      const [listed] = await passkeysOf(user);
      assert.equal(listed?.lastUsedAt, server.clock.now(), 'the list shows when it was last used');
    });

    it('opens a cookie session exactly as the password login does', async () => {
      const user = await createActor(server);
      const key = new SoftAuthenticator(ORIGIN);
      assert.equal((await register(user, key)).status, 201);
      const res = await signIn(key.get(await signInOptions()), { session: 'cookie' });
      assert.equal(res.status, 200);
      assert.equal(res.body['token'], undefined, 'a cookie session has no token in the body');
      const cookie = /enlets_session=([^;]+);[^,]*HttpOnly[^,]*SameSite=Strict/i.exec(
        res.headers.get('set-cookie') ?? '',
      );
      assert.ok(cookie?.[1] !== undefined, 'the HttpOnly, SameSite=Strict session cookie');
      const me = await server.api.get('/api/v1/me', { cookie: `enlets_session=${cookie[1]}` });
      assert.equal(me.body['id'], user.id);
    });

    it('refuses a replayed challenge, at sign-in and at registration', async () => {
      const user = await createActor(server);
      const key = new SoftAuthenticator(ORIGIN);
      const started = await registrationOptions(user);
      const credential = key.create(started.body.options);
      const first = await server.api.post(
        '/api/v1/me/passkeys',
        { name: 'Key', credential },
        { token: user.token },
      );
      assert.equal(first.status, 201);
      const again = await server.api.post(
        '/api/v1/me/passkeys',
        { name: 'Key', credential },
        { token: user.token },
      );
      assert.equal(again.status, 400);
      assert.equal(codeOf(again), 'PASSKEY_CHALLENGE_INVALID');

      const assertion = key.get(await signInOptions());
      assert.equal((await signIn(assertion)).status, 200);
      const replay = await signIn(assertion);
      assert.equal(replay.status, 400);
      assert.equal(codeOf(replay), 'PASSKEY_CHALLENGE_INVALID', 'a signed response is good once');

      // A challenge the server never issued, and one that expired, are refused the same way.
      const invented = key.get({ ...(await signInOptions()), challenge: 'bm90LWlzc3VlZC1ieS10aGUtc2VydmVy' });
      assert.equal(codeOf(await signIn(invented)), 'PASSKEY_CHALLENGE_INVALID');
      const late = await signInOptions();
      server.clock.advance(5 * MINUTE_MS + 1000);
      assert.equal(codeOf(await signIn(key.get(late))), 'PASSKEY_CHALLENGE_INVALID');
    });

    it('refuses a response made for another origin or RP ID, and one without user verification', async () => {
      const user = await createActor(server);
      const key = new SoftAuthenticator(ORIGIN);
      const phished = await register(user, key, { origin: 'https://enlets-login.example' });
      assert.equal(phished.status, 400);
      assert.equal(codeOf(phished), 'PASSKEY_VERIFICATION_FAILED');
      assert.equal((phished.body['error'] as { details: { reason: string } }).details.reason, 'origin');
      const unverified = await register(user, key, { userVerified: false });
      assert.equal(codeOf(unverified), 'PASSKEY_VERIFICATION_FAILED');
      assert.deepEqual(await passkeysOf(user), [], 'nothing was stored');

      assert.equal((await register(user, key)).status, 201);
      const wrongOrigin = await signIn(
        key.get(await signInOptions(), { origin: 'https://enlets-login.example' }),
      );
      assert.equal(wrongOrigin.status, 400);
      assert.equal(codeOf(wrongOrigin), 'PASSKEY_VERIFICATION_FAILED');
      assert.equal((wrongOrigin.body['error'] as { details: { reason: string } }).details.reason, 'origin');
      const wrongRp = await signIn(key.get(await signInOptions(), { rpId: 'enlets-login.example' }));
      assert.equal(codeOf(wrongRp), 'PASSKEY_VERIFICATION_FAILED');
      const noUv = await signIn(key.get(await signInOptions(), { userVerified: false }));
      assert.equal(codeOf(noUv), 'PASSKEY_VERIFICATION_FAILED');
      assert.equal(
        (noUv.body['error'] as { details: { reason: string } }).details.reason,
        'user_verification',
      );
      const forged = await signIn(key.get(await signInOptions(), { forgeSignature: true }));
      assert.equal(codeOf(forged), 'PASSKEY_VERIFICATION_FAILED');
      assert.equal((await signIn(key.get(await signInOptions()))).status, 200, 'the genuine key still works');
    });

    it('flags a passkey whose counter goes back, refuses it from then on, and tells the owner', async () => {
      const user = await createActor(server);
      const key = new SoftAuthenticator(ORIGIN);
      assert.equal((await register(user, key)).status, 201);
      assert.equal((await signIn(key.get(await signInOptions(), { counter: 5 }))).status, 200);

      // A forged (unsigned) response with a lower counter must not get the genuine key flagged.
      const forgedLow = await signIn(key.get(await signInOptions(), { counter: 1, forgeSignature: true }));
      assert.equal(codeOf(forgedLow), 'PASSKEY_VERIFICATION_FAILED');
      assert.equal((await passkeysOf(user))[0]?.cloneSuspectedAt, null);

      // A validly signed response whose counter went back: a copy of the key is in use.
      const cloned = await signIn(key.get(await signInOptions(), { counter: 3 }));
      assert.equal(cloned.status, 401);
      assert.equal(codeOf(cloned), 'PASSKEY_CLONE_SUSPECTED');
      const [flagged] = await passkeysOf(user);
      assert.equal(flagged?.cloneSuspectedAt, server.clock.now());
      const later = await signIn(key.get(await signInOptions(), { counter: 50 }));
      assert.equal(codeOf(later), 'PASSKEY_CLONE_SUSPECTED', 'neither copy signs in any more');

      const audit = (await listAuditEntries(server.built.services.db, 0, 10_000)).filter(
        (e) => e.actorId === user.id && e.action === 'passkey.clone_suspected',
      );
      assert.equal(audit.length, 1);
      assert.deepEqual(audit[0]?.details, { storedCounter: 5, receivedCounter: 3 });
      const mail = await server.smtp.waitFor(user.email, (m) => m.subject.includes('possible copy'));
      assert.match(mail.text, /counter went backwards/);

      // An authenticator without a counter (always 0) is not mistaken for a copy.
      const platform = new SoftAuthenticator(ORIGIN, 0);
      assert.equal((await register(user, platform, {}, 'Phone')).status, 201);
      assert.equal((await signIn(platform.get(await signInOptions()))).status, 200);
      assert.equal((await signIn(platform.get(await signInOptions()))).status, 200);
    });

    it("lists only the caller's own passkeys, and answers 404 to deleting someone else's", async () => {
      const anna = await createActor(server);
      const mallory = await createActor(server);
      const annasKey = new SoftAuthenticator(ORIGIN);
      const added = await register(anna, annasKey);
      const id = added.body['id'] as string;
      assert.deepEqual(await passkeysOf(mallory), []);

      const theft = await server.api.delete(`/api/v1/me/passkeys/${id}`, { token: mallory.token });
      assert.equal(theft.status, 404);
      assert.equal(codeOf(theft), 'NOT_FOUND');
      const unknown = await server.api.delete('/api/v1/me/passkeys/00000000-0000-4000-8000-000000000000', {
        token: anna.token,
      });
      assert.equal(unknown.status, 404);
      assert.equal((await passkeysOf(anna)).length, 1, "Anna's passkey is still there");
      assert.equal((await signIn(annasKey.get(await signInOptions()))).status, 200);

      const removed = await server.api.delete(`/api/v1/me/passkeys/${id}`, { token: anna.token });
      assert.equal(removed.status, 204);
      assert.deepEqual(await passkeysOf(anna), []);
      const gone = await signIn(annasKey.get(await signInOptions()));
      assert.equal(gone.status, 401);
      assert.equal(codeOf(gone), 'PASSKEY_UNKNOWN', 'a removed passkey no longer signs in');
      const actions = (await listAuditEntries(server.built.services.db, 0, 10_000))
        .filter((e) => e.targetId === id)
        .map((e) => e.action);
      assert.deepEqual(actions, ['passkey.registered', 'passkey.removed']);

      assert.equal((await server.api.get('/api/v1/me/passkeys')).status, 401);
    });

    it('refuses a suspended account, even with a valid passkey', async () => {
      const admin = await createActor(server, { roles: [{ role: 'secretariat_admin' }] });
      const user = await createActor(server);
      const key = new SoftAuthenticator(ORIGIN);
      assert.equal((await register(user, key)).status, 201);
      const suspended = await server.api.post(
        `/api/v1/members/${user.id}/suspend`,
        { reason: 'Left the agency' },
        { token: admin.token },
      );
      assert.equal(suspended.status, 200);
      const res = await signIn(key.get(await signInOptions()));
      assert.equal(res.status, 403);
      assert.equal(codeOf(res), 'ACCOUNT_NOT_ACTIVE');
      assert.equal(res.headers.get('set-cookie'), null);
    });

    it('asks for the password, and the TOTP code when enabled, before adding a passkey', async () => {
      const user = await createActor(server);
      const wrong = await registrationOptions(user, { currentPassword: 'not my password' });
      assert.equal(codeOf(wrong), 'INVALID_CREDENTIALS');

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
      server.clock.advance(30_000);
      assert.equal(codeOf(await registrationOptions(user)), 'SECOND_FACTOR_REQUIRED');
      const badCode = totpCode(secret, server.clock.now()) === '000000' ? '111111' : '000000';
      assert.equal(codeOf(await registrationOptions(user, { code: badCode })), 'SECOND_FACTOR_INVALID');
      const ok = await registrationOptions(user, { code: totpCode(secret, server.clock.now()) });
      assert.equal(ok.status, 200);

      // A registration challenge is the asker's: another signed-in user cannot finish it.
      const other = await createActor(server);
      const credential = new SoftAuthenticator(ORIGIN).create(ok.body.options);
      const hijack = await server.api.post(
        '/api/v1/me/passkeys',
        { name: 'Mine', credential },
        { token: other.token },
      );
      assert.equal(codeOf(hijack), 'PASSKEY_CHALLENGE_INVALID');
    });
  });
}
