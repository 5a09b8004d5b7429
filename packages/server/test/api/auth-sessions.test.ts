import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MINUTE_MS } from '../../src/lib/clock.js';
import { updateUser } from '../../src/storage/repositories/users.js';
import { createActor, type TestActor } from '../helpers/actors.js';
import { DIALECTS } from '../helpers/dialects.js';
import { codeOf } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connectWs } from '../helpers/ws.js';

interface SessionView {
  id: string;
  current: boolean;
  deviceLabel: string | null;
  userAgent: string | null;
}

for (const dialect of DIALECTS) {
  describe(`http/routes/me sessions [${dialect}]`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(() => server.close());

    async function signIn(
      user: TestActor,
      label: string,
      password = user.password,
    ): Promise<{ token: string; sessionId: string }> {
      const res = await server.api.post(
        '/api/v1/auth/login',
        { email: user.email, password, deviceLabel: label },
        { headers: { 'user-agent': `agent ${label}` } },
      );
      assert.equal(res.status, 200);
      return { token: res.body['token'] as string, sessionId: res.body['sessionId'] as string };
    }
    const me = (token: string) => server.api.get('/api/v1/me', { token });

    it('logout ends only the current session, at once', async () => {
      const user = await createActor(server);
      const a = await signIn(user, 'A');
      const b = await signIn(user, 'B');
      const out = await server.api.post('/api/v1/auth/logout', undefined, { token: a.token });
      assert.equal(out.status, 204);
      assert.equal((await me(a.token)).status, 401);
      assert.equal(codeOf(await me(a.token)), 'UNAUTHENTICATED');
      assert.equal((await me(b.token)).status, 200);
    });

    it('logout of a cookie session clears the cookie', async () => {
      const user = await createActor(server);
      const res = await server.api.post('/api/v1/auth/login', {
        email: user.email,
        password: user.password,
        session: 'cookie',
      });
      const value = /enlets_session=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
      assert.ok(value);
      const jar = `enlets_session=${value}`;
      const out = await server.api.post('/api/v1/auth/logout', undefined, {
        cookie: jar,
        headers: { origin: 'http://localhost:8080' },
      });
      assert.equal(out.status, 204);
      assert.match(
        out.headers.get('set-cookie') ?? '',
        /enlets_session=;.*(Expires=Thu, 01 Jan 1970|Max-Age=0)/,
      );
      assert.equal((await server.api.get('/api/v1/me', { cookie: jar })).status, 401);
    });

    it('lists live sessions with the current one marked', async () => {
      const user = await createActor(server);
      const a = await signIn(user, 'Laptop');
      await signIn(user, 'Phone');
      const res = await server.api.get('/api/v1/me/sessions', { token: a.token });
      assert.equal(res.status, 200);
      const sessions = res.body['sessions'] as SessionView[];
      // The factory's own session plus the two sign-ins.
      assert.equal(sessions.length, 3);
      const current = sessions.filter((s) => s.current);
      assert.deepEqual(
        current.map((s) => [s.id, s.deviceLabel, s.userAgent]),
        [[a.sessionId, 'Laptop', 'agent Laptop']],
      );
      assert.ok(sessions.some((s) => s.deviceLabel === 'Phone' && !s.current));
    });

    it('signs out one other session remotely, and answers 404 for sessions that are not yours', async () => {
      const user = await createActor(server);
      const stranger = await createActor(server);
      const laptop = await signIn(user, 'Laptop');
      const lost = await signIn(user, 'Lost phone');
      const theirs = await signIn(stranger, 'Theirs');

      const foreign = await server.api.delete(`/api/v1/me/sessions/${theirs.sessionId}`, {
        token: laptop.token,
      });
      assert.equal(foreign.status, 404);
      assert.equal(codeOf(foreign), 'NOT_FOUND');
      assert.equal((await me(theirs.token)).status, 200, 'the stranger stays signed in');
      const unknown = await server.api.delete('/api/v1/me/sessions/00000000-0000-4000-8000-000000000000', {
        token: laptop.token,
      });
      assert.equal(codeOf(unknown), 'NOT_FOUND');

      const res = await server.api.delete(`/api/v1/me/sessions/${lost.sessionId}`, { token: laptop.token });
      assert.equal(res.status, 204);
      assert.equal((await me(lost.token)).status, 401);
      assert.equal((await me(laptop.token)).status, 200);
      const again = await server.api.delete(`/api/v1/me/sessions/${lost.sessionId}`, { token: laptop.token });
      assert.equal(again.status, 404);
    });

    it('signs out every other session in one go', async () => {
      const user = await createActor(server);
      const keep = await signIn(user, 'Keep');
      const other = await signIn(user, 'Other');
      const res = await server.api.post('/api/v1/me/sessions/revoke-others', undefined, {
        token: keep.token,
      });
      assert.equal(res.status, 200);
      assert.equal(res.body['revoked'], 2);
      assert.equal((await me(other.token)).status, 401);
      assert.equal((await me(user.token)).status, 401);
      assert.equal((await me(keep.token)).status, 200);
    });

    it('changes the password: checks the current one and the policy, and signs out the other sessions', async () => {
      const user = await createActor(server);
      const current = await signIn(user, 'Current');
      const other = await signIn(user, 'Other');
      const change = (body: Record<string, unknown>) =>
        server.api.post('/api/v1/me/password', body, { token: current.token });

      const wrong = await change({
        currentPassword: 'not my password',
        newPassword: 'a brand new secret phrase',
      });
      assert.equal(codeOf(wrong), 'INVALID_CREDENTIALS');
      const weak = await change({ currentPassword: user.password, newPassword: 'password1234' });
      assert.equal(weak.status, 400);
      assert.equal(codeOf(weak), 'PASSWORD_TOO_WEAK');
      assert.equal((await me(other.token)).status, 200, 'refused changes sign nobody out');

      const ok = await change({ currentPassword: user.password, newPassword: 'a brand new secret phrase' });
      assert.equal(ok.status, 204);
      assert.equal((await me(other.token)).status, 401);
      assert.equal((await me(current.token)).status, 200);
      const old = await server.api.post('/api/v1/auth/login', { email: user.email, password: user.password });
      assert.equal(codeOf(old), 'INVALID_CREDENTIALS');
      await signIn(user, 'New', 'a brand new secret phrase');
      const mail = await server.smtp.waitFor(user.email, (m) => m.subject.includes('password was changed'));
      assert.doesNotMatch(mail.text, /a brand new secret phrase/);
    });

    it('throttles guessing of the current password in a stolen session', async () => {
      const user = await createActor(server);
      for (let i = 0; i < 10; i += 1) {
        await server.api.post(
          '/api/v1/me/password',
          { currentPassword: `guess ${String(i)}`, newPassword: 'attacker chosen phrase' },
          { token: user.token },
        );
      }
      const res = await server.api.post(
        '/api/v1/me/password',
        { currentPassword: user.password, newPassword: 'attacker chosen phrase' },
        { token: user.token },
      );
      assert.equal(codeOf(res), 'LOGIN_THROTTLED');
      // The lock is on re-authentication only: the owner can still sign in normally.
      assert.equal(
        (await server.api.post('/api/v1/auth/login', { email: user.email, password: user.password })).status,
        200,
      );
      server.clock.advance(15 * MINUTE_MS + 1000);
    });

    it('ends every session at once when the account is suspended', async () => {
      const user = await createActor(server);
      const a = await signIn(user, 'A');
      assert.equal((await me(a.token)).status, 200);
      await updateUser(server.built.services.db, user.id, { status: 'suspended' }, server.clock.now());
      assert.equal((await me(a.token)).status, 401);
      assert.equal((await me(user.token)).status, 401);
      const again = await server.api.post('/api/v1/auth/login', {
        email: user.email,
        password: user.password,
      });
      assert.equal(codeOf(again), 'INVALID_CREDENTIALS');
    });

    it('changes the display name', async () => {
      const user = await createActor(server);
      const res = await server.api.patch(
        '/api/v1/me',
        { displayName: 'Kommissarin Rex' },
        { token: user.token },
      );
      assert.equal(res.status, 200);
      assert.equal(res.body['displayName'], 'Kommissarin Rex');
      assert.equal((await me(user.token)).body['displayName'], 'Kommissarin Rex');
      const empty = await server.api.patch('/api/v1/me', { displayName: '' }, { token: user.token });
      assert.equal(codeOf(empty), 'VALIDATION_FAILED');
    });

    it('reads back your own availability, status text and read-receipt setting', async () => {
      const user = await createActor(server);
      const fresh = (await me(user.token)).body;
      assert.equal(fresh['availability'], 'available');
      assert.equal(fresh['statusText'], null);
      assert.equal(fresh['readReceipts'], true);

      const ws = await connectWs(server, { token: user.token });
      ws.send({ type: 'presence', availability: 'dnd', text: 'on a raid' });
      await ws.request({ type: 'ping' });
      await ws.close();
      const off = await server.api.put('/api/v1/me/read-receipts', { enabled: false }, { token: user.token });
      assert.equal(off.status, 200);

      const after = (await me(user.token)).body;
      assert.equal(after['availability'], 'dnd');
      assert.equal(after['statusText'], 'on a raid');
      assert.equal(after['readReceipts'], false);
      // A new sign-in (another device) gets the same in the login answer.
      const login = await server.api.post('/api/v1/auth/login', {
        email: user.email,
        password: user.password,
      });
      const loggedIn = login.body['user'] as Record<string, unknown>;
      assert.equal(loggedIn['availability'], 'dnd');
      assert.equal(loggedIn['readReceipts'], false);
    });

    it('refuses all of this without a session', async () => {
      assert.equal((await server.api.get('/api/v1/me')).status, 401);
      assert.equal((await server.api.get('/api/v1/me/sessions')).status, 401);
      assert.equal((await server.api.post('/api/v1/auth/logout')).status, 401);
    });
  });
}
