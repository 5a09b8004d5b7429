import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { UserId } from '@enlets/protocol';
import { MINUTE_MS } from '../../src/lib/clock.js';
import { newId } from '../../src/lib/secrets.js';
import { listAuditEntries } from '../../src/storage/repositories/audit-log.js';
import { listMail } from '../../src/storage/repositories/mail-queue.js';
import { insertUser } from '../../src/storage/repositories/users.js';
import { createActor } from '../helpers/actors.js';
import { DIALECTS } from '../helpers/dialects.js';
import { codeOf } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const OWN_ORIGIN = 'http://localhost:8080';

/** The value of our session cookie in a Set-Cookie header, and the header itself. */
function sessionCookie(setCookie: string | null): { value: string; header: string } {
  const match = /enlets_session=([^;]*)/.exec(setCookie ?? '');
  assert.ok(match?.[1], `no session cookie in ${String(setCookie)}`);
  return { value: match[1], header: setCookie ?? '' };
}

for (const dialect of DIALECTS) {
  describe(`http/routes/auth login [${dialect}]`, () => {
    let server: TestServer;
    before(async () => {
      // trustProxy lets the suite speak from several client addresses through X-Forwarded-For.
      server = await startTestServer(dialect, { config: { trustProxy: true } });
    });
    after(() => server.close());

    const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

    it('signs in with e-mail and password and returns a bearer token and the account', async () => {
      const user = await createActor(server, { roles: [{ role: 'ncp', scope: 'DE' }] });
      const res = await server.api.post('/api/v1/auth/login', {
        email: user.email.toUpperCase(),
        password: user.password,
      });
      assert.equal(res.status, 200);
      assert.equal(typeof res.body['token'], 'string');
      const me = res.body['user'] as Record<string, unknown>;
      assert.equal(me['email'], user.email);
      assert.deepEqual(me['roles'], [{ role: 'ncp', scope: 'DE' }]);
      assert.equal(me['totpEnabled'], false);
      const who = await server.api.get('/api/v1/me', { token: res.body['token'] as string });
      assert.equal(who.status, 200);
      assert.equal(who.body['id'], user.id);
    });

    it('gives the same answer for a wrong password and for an unknown e-mail', async () => {
      const user = await createActor(server);
      const wrong = await server.api.post(
        '/api/v1/auth/login',
        { email: user.email, password: 'not the password at all' },
        from('198.51.100.1'),
      );
      const unknown = await server.api.post(
        '/api/v1/auth/login',
        { email: 'nobody-here@police.example', password: 'not the password at all' },
        from('198.51.100.1'),
      );
      assert.equal(wrong.status, 401);
      assert.equal(codeOf(wrong), 'INVALID_CREDENTIALS');
      assert.equal(unknown.status, wrong.status);
      assert.equal(codeOf(unknown), codeOf(wrong));
      const message = (r: typeof wrong) => (r.body['error'] as { message: string }).message;
      assert.equal(message(unknown), message(wrong));
    });

    it('refuses accounts that are not active with the same answer as a wrong password', async () => {
      const services = server.built.services;
      const email = `invited-${newId().slice(0, 8)}@police.example`;
      const password = 'a perfectly fine password';
      await insertUser(services.db, {
        id: newId<UserId>(),
        email,
        displayName: 'Not Yet',
        countryCode: 'DE',
        agencyId: null,
        position: null,
        status: 'suspended',
        passwordHash: await services.passwords.hash(password),
        now: server.clock.now(),
      });
      const res = await server.api.post('/api/v1/auth/login', { email, password }, from('198.51.100.2'));
      assert.equal(res.status, 401);
      assert.equal(codeOf(res), 'INVALID_CREDENTIALS');
    });

    it('sets an HttpOnly SameSite=Strict cookie for cookie sessions and checks the Origin of writes', async () => {
      const user = await createActor(server);
      const res = await server.api.post('/api/v1/auth/login', {
        email: user.email,
        password: user.password,
        session: 'cookie',
      });
      assert.equal(res.status, 200);
      assert.equal(res.body['token'], undefined, 'a cookie session never shows its token to scripts');
      const cookie = sessionCookie(res.headers.get('set-cookie'));
      assert.match(cookie.header, /HttpOnly/i);
      assert.match(cookie.header, /SameSite=Strict/i);
      assert.match(cookie.header, /Path=\//);
      assert.match(cookie.header, /Max-Age=2592000/);
      assert.match(cookie.header, /Secure/);
      const jar = `enlets_session=${cookie.value}`;

      const me = await server.api.get('/api/v1/me', { cookie: jar });
      assert.equal(me.status, 200);
      assert.equal(me.body['email'], user.email);

      const crossSite = await server.api.patch('/api/v1/me', { displayName: 'Evil' }, { cookie: jar });
      assert.equal(crossSite.status, 403);
      assert.equal(codeOf(crossSite), 'ORIGIN_MISMATCH');
      const foreign = await server.api.patch(
        '/api/v1/me',
        { displayName: 'Evil' },
        { cookie: jar, headers: { origin: 'https://evil.example' } },
      );
      assert.equal(codeOf(foreign), 'ORIGIN_MISMATCH');

      const ours = await server.api.patch(
        '/api/v1/me',
        { displayName: 'Renamed Officer' },
        { cookie: jar, headers: { origin: OWN_ORIGIN } },
      );
      assert.equal(ours.status, 200);
      assert.equal(ours.body['displayName'], 'Renamed Officer');
    });

    it('locks an account after ten failures, says when to retry, and unlocks when the time has passed', async () => {
      const user = await createActor(server);
      for (let i = 0; i < 10; i += 1) {
        const res = await server.api.post(
          '/api/v1/auth/login',
          { email: user.email, password: `wrong password ${String(i)}` },
          from(`192.0.2.${String(i + 1)}`),
        );
        assert.equal(codeOf(res), 'INVALID_CREDENTIALS');
      }
      // Even the right password, from a fresh address, is refused while the account is locked.
      const locked = await server.api.post(
        '/api/v1/auth/login',
        { email: user.email, password: user.password },
        from('192.0.2.200'),
      );
      assert.equal(locked.status, 429);
      assert.equal(codeOf(locked), 'LOGIN_THROTTLED');
      const details = (locked.body['error'] as { details: { retryAfterSeconds: number } }).details;
      assert.equal(details.retryAfterSeconds, 15 * 60);
      assert.equal(locked.headers.get('retry-after'), String(15 * 60));

      server.clock.advance(15 * MINUTE_MS + 1000);
      const later = await server.api.post(
        '/api/v1/auth/login',
        { email: user.email, password: user.password },
        from('192.0.2.200'),
      );
      assert.equal(later.status, 200);
    });

    it('locks unknown e-mail addresses the same way, so a lock does not reveal an account', async () => {
      const email = `ghost-${newId().slice(0, 8)}@police.example`;
      for (let i = 0; i < 10; i += 1) {
        await server.api.post(
          '/api/v1/auth/login',
          { email, password: 'guessing again and again' },
          from(`192.0.2.${String(50 + i)}`),
        );
      }
      const res = await server.api.post(
        '/api/v1/auth/login',
        { email, password: 'guessing again and again' },
        from('192.0.2.99'),
      );
      assert.equal(codeOf(res), 'LOGIN_THROTTLED');
      server.clock.advance(15 * MINUTE_MS + 1000);
    });

    it('locks a client address that tries many accounts, without locking anyone else', async () => {
      const victim = await createActor(server);
      for (let i = 0; i < 30; i += 1) {
        await server.api.post(
          '/api/v1/auth/login',
          { email: `spray-${String(i)}@police.example`, password: 'Summer2026!Summer' },
          from('203.0.113.66'),
        );
      }
      const blocked = await server.api.post(
        '/api/v1/auth/login',
        { email: victim.email, password: victim.password },
        from('203.0.113.66'),
      );
      assert.equal(codeOf(blocked), 'LOGIN_THROTTLED');
      const elsewhere = await server.api.post(
        '/api/v1/auth/login',
        { email: victim.email, password: victim.password },
        from('203.0.113.67'),
      );
      assert.equal(elsewhere.status, 200);
      server.clock.advance(15 * MINUTE_MS + 1000);
    });

    it('mails the owner about a sign-in from a new device, but not about a known one', async () => {
      const user = await createActor(server);
      const deviceA = 'device-a-0123456789abcdef';
      const login = (deviceId: string, label: string) =>
        server.api.post(
          '/api/v1/auth/login',
          { email: user.email, password: user.password, deviceId, deviceLabel: label },
          { headers: { 'user-agent': 'Firefox/140 (test)', 'x-forwarded-for': '198.51.100.77' } },
        );
      assert.equal((await login(deviceA, 'Laptop')).status, 200);
      const mail = await server.smtp.waitFor(user.email, (m) => m.text.includes('Laptop'));
      assert.equal(mail.subject, 'New sign-in to your ENLETS Messenger account');
      assert.match(mail.text, /Firefox\/140 \(test\)/);
      assert.match(mail.text, /198\.51\.100\.77/);
      assert.match(mail.text, /2026-01-01T/);
      assert.doesNotMatch(mail.text, new RegExp(user.password));

      server.clock.advance(1000);
      assert.equal((await login(deviceA, 'Laptop again')).status, 200);
      const queued = await listMail(server.built.services.db, undefined, 1000);
      assert.equal(queued.filter((m) => m.to === user.email && m.kind === 'new_device').length, 1);
    });

    it('sends no new-device mail for the very first sign-in of an account', async () => {
      const services = server.built.services;
      const email = `first-${newId().slice(0, 8)}@police.example`;
      const password = 'my very first password';
      await insertUser(services.db, {
        id: newId<UserId>(),
        email,
        displayName: 'First Timer',
        countryCode: 'FR',
        agencyId: null,
        position: null,
        status: 'active',
        passwordHash: await services.passwords.hash(password),
        now: server.clock.now(),
      });
      const first = await server.api.post('/api/v1/auth/login', {
        email,
        password,
        deviceId: 'first-device-0123456789',
      });
      assert.equal(first.status, 200);
      const second = await server.api.post('/api/v1/auth/login', { email, password });
      assert.equal(second.status, 200);
      await server.smtp.waitFor(email, (m) => m.subject.startsWith('New sign-in'));
      const queued = await listMail(services.db, undefined, 1000);
      assert.equal(queued.filter((m) => m.to === email).length, 1, 'only the second sign-in is mailed');
    });

    it('records Secretariat admin sign-ins in the audit log', async () => {
      const admin = await createActor(server, { roles: [{ role: 'secretariat_admin' }] });
      const res = await server.api.post('/api/v1/auth/login', {
        email: admin.email,
        password: admin.password,
      });
      assert.equal(res.status, 200);
      const entries = await listAuditEntries(server.built.services.db, 0, 1000);
      const entry = entries.find((e) => e.action === 'admin.logged_in' && e.actorId === admin.id);
      assert.ok(entry);
      assert.equal(entry.targetId, res.body['sessionId']);
    });
  });
}
