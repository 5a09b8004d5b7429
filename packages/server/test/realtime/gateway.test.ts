import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CLOSE_CODES, MAX_CLIENT_FRAME_BYTES, PROTOCOL_VERSION } from '@enlets/protocol';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createActor, newSession, type TestActor } from '../helpers/actors.js';
import { createConversation, newClientId, payload } from '../helpers/conversations.js';
import { connectWs, settle, upgradeStatus, type Frame } from '../helpers/ws.js';

const OWN_ORIGIN = 'http://localhost:8080';

for (const dialect of DIALECTS) {
  describe(`realtime/gateway [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    let mallory: TestActor;
    let conversation: string;

    before(async () => {
      server = await startTestServer(dialect);
      alice = await createActor(server);
      bob = await createActor(server);
      mallory = await createActor(server);
      conversation = await createConversation(server, {
        members: [{ id: alice.id, role: 'owner' }, { id: bob.id }],
      });
    });
    after(() => server.close());

    const message = (text: string) => ({
      clientMessageId: newClientId(),
      kind: 'message',
      payload: payload(text),
    });

    describe('handshake', () => {
      it('authenticates by an auth frame and says ready', async () => {
        const client = await connectWs(server, { token: alice.token });
        const ready = client.frames.find((f) => f.type === 'ready');
        assert.ok(ready);
        assert.equal(ready['userId'], alice.id);
        assert.equal(ready['protocolVersion'], PROTOCOL_VERSION);
        assert.equal(typeof ready['sessionId'], 'string');
        await client.close();
      });

      it('authenticates by the session cookie of the upgrade request, from our own origin', async () => {
        const client = await connectWs(server, { cookie: alice.token, origin: OWN_ORIGIN });
        assert.equal(client.frames[0]?.['userId'], alice.id);
        const pong = await client.request({ type: 'ping' });
        assert.equal(pong.type, 'pong');
        await client.close();
      });

      it('refuses an upgrade from another origin before it happens (403)', async () => {
        const status = await upgradeStatus(server, {
          origin: 'https://evil.example',
          cookie: `enlets_session=${alice.token}`,
        });
        assert.equal(status, 403);
        assert.equal(await upgradeStatus(server, { origin: OWN_ORIGIN }), 101);
      });

      it('closes 4401 for an unknown token, a first frame that is not auth, and a silent client', async () => {
        const unknown = await connectWs(server, { token: 'x'.repeat(43), waitReady: false });
        assert.equal((await unknown.waitClose()).code, CLOSE_CODES.UNAUTHENTICATED);

        const eager = await connectWs(server);
        eager.send({ type: 'ping' });
        assert.equal((await eager.waitClose()).code, CLOSE_CODES.UNAUTHENTICATED);

        const badCookie = await connectWs(server, { cookie: 'y'.repeat(43), waitReady: false });
        assert.equal((await badCookie.waitClose()).code, CLOSE_CODES.UNAUTHENTICATED);

        const previous = server.built.gateway.limits.authTimeoutMs;
        server.built.gateway.configure({ authTimeoutMs: 150 });
        try {
          const silent = await connectWs(server);
          const closed = await silent.waitClose(3000);
          assert.equal(closed.code, CLOSE_CODES.UNAUTHENTICATED);
          assert.equal(silent.frames.length, 0);
        } finally {
          server.built.gateway.configure({ authTimeoutMs: previous });
        }
      });

      it('answers ping frames with pong and the requestId', async () => {
        const client = await connectWs(server, { token: bob.token });
        const pong = await client.request({ type: 'ping' });
        assert.equal(pong.type, 'pong');
        assert.equal(typeof pong['serverTime'], 'number');
        await client.close();
      });
    });

    describe('send', () => {
      it('acknowledges after commit, and a retry with the same clientMessageId gets the same seq', async () => {
        const client = await connectWs(server, { token: alice.token });
        const event = message('over the socket');
        const first = await client.request({ type: 'send', conversationId: conversation, event });
        assert.equal(first.type, 'ack');
        const ack = first['ack'] as { seq: number; duplicate: boolean; clientMessageId: string };
        assert.equal(ack.duplicate, false);
        assert.equal(ack.clientMessageId, event.clientMessageId);

        const retry = await client.request({ type: 'send', conversationId: conversation, event });
        const again = retry['ack'] as { seq: number; duplicate: boolean };
        assert.deepEqual([again.seq, again.duplicate], [ack.seq, true]);

        // Stored once, whichever way it is read.
        const range = await server.api.get<{ events: Array<{ clientMessageId: string }> }>(
          `/api/v1/conversations/${conversation}/events?limit=500`,
          { token: bob.token },
        );
        assert.equal(range.body.events.filter((e) => e.clientMessageId === event.clientMessageId).length, 1);
        // The sender's own connection got the event once, not once per retry.
        await client.waitFor((f) => isEvent(f, conversation, ack.seq));
        await settle();
        assert.equal(client.frames.filter((f) => isEvent(f, conversation, ack.seq)).length, 1);
        await client.close();
      });

      it('answers a send into a conversation of others with NOT_FOUND and its requestId', async () => {
        const client = await connectWs(server, { token: mallory.token });
        const answer = await client.request({
          type: 'send',
          conversationId: conversation,
          event: message('let me in'),
        });
        assert.equal(answer.type, 'error');
        assert.equal(answer['code'], 'NOT_FOUND');
        const unknown = await client.request({
          type: 'send',
          conversationId: '00000000-0000-4000-8000-000000000000',
          event: message('anyone?'),
        });
        assert.deepEqual([unknown['code'], unknown['message']], [answer['code'], answer['message']]);
        await client.close();
      });
    });

    describe('invalid frames', () => {
      it('answers malformed, unknown and mismatched frames with error frames, then closes 4400', async () => {
        const client = await connectWs(server, { token: bob.token });
        client.sendRaw('{not json');
        const malformed = await client.waitFor((f) => f.type === 'error');
        assert.equal(malformed['code'], 'MALFORMED_JSON');
        assert.equal(malformed['requestId'], null);

        client.send({ type: 'teleport', requestId: 'beam-1' });
        const unknown = await client.waitFor((f) => f['requestId'] === 'beam-1');
        assert.equal(unknown['code'], 'VALIDATION_FAILED');

        client.send({ type: 'send', requestId: 'bad-send', conversationId: 'nope', event: {} });
        const mismatch = await client.waitFor((f) => f['requestId'] === 'bad-send');
        assert.equal(mismatch['code'], 'VALIDATION_FAILED');
        assert.ok(Array.isArray((mismatch['details'] as { issues?: unknown }).issues));

        client.sendRaw('{"__proto__":{"x":1},"type":"ping"}');
        await client.waitFor((f) => f['code'] === 'FORBIDDEN_KEY');
        client.sendRaw(Buffer.from([1, 2, 3]), true);
        await client.waitForCount((f) => f.type === 'error', 5);

        // A valid frame in between is still served.
        const pong = await client.request({ type: 'ping' });
        assert.equal(pong.type, 'pong');

        for (let i = 0; i < 5; i++) client.sendRaw('[]');
        const closed = await client.waitClose();
        assert.equal(closed.code, CLOSE_CODES.PROTOCOL_ERROR);
        assert.equal(client.frames.filter((f) => f.type === 'error').length, 10);
      });

      it('closes 1009 on a frame larger than the limit', async () => {
        const client = await connectWs(server, { token: bob.token });
        client.sendRaw(JSON.stringify({ type: 'ping', pad: 'x'.repeat(MAX_CLIENT_FRAME_BYTES) }));
        assert.equal((await client.waitClose()).code, 1009);
      });
    });

    describe('session revocation', () => {
      it('closes a logged-out session at once with 4403, and only that session', async () => {
        const token = await newSession(server, alice);
        const doomed = await connectWs(server, { token });
        const other = await connectWs(server, { token: alice.token });
        const logout = await server.api.post('/api/v1/auth/logout', undefined, { token });
        assert.equal(logout.status, 204);
        assert.equal((await doomed.waitClose(2000)).code, CLOSE_CODES.SESSION_REVOKED);
        await settle();
        assert.equal(other.closeInfo, undefined);
        assert.equal((await other.request({ type: 'ping' })).type, 'pong');
        await other.close();
      });

      it('closes the other sessions on "sign out other sessions", keeping the caller\'s own', async () => {
        const user = await createActor(server);
        const others = [
          await connectWs(server, { token: await newSession(server, user) }),
          await connectWs(server, { token: await newSession(server, user) }),
        ];
        const own = await connectWs(server, { token: user.token });
        const res = await server.api.post('/api/v1/me/sessions/revoke-others', undefined, {
          token: user.token,
        });
        assert.equal(res.status, 200);
        for (const s of others) assert.equal((await s.waitClose(2000)).code, CLOSE_CODES.SESSION_REVOKED);
        assert.equal((await own.request({ type: 'ping' })).type, 'pong');
        assert.equal(own.closeInfo, undefined);
        await own.close();
      });

      it('closes every socket of a suspended member with 4403', async () => {
        const admin = await createActor(server, { roles: [{ role: 'secretariat_admin' }] });
        const victim = await createActor(server);
        const second = await newSession(server, victim);
        const sockets = [
          await connectWs(server, { token: victim.token }),
          await connectWs(server, { token: second }),
        ];
        const bystander = await connectWs(server, { token: bob.token });
        const res = await server.api.post(
          `/api/v1/members/${victim.id}/suspend`,
          { reason: 'under investigation' },
          { token: admin.token },
        );
        assert.equal(res.status, 200);
        for (const s of sockets) assert.equal((await s.waitClose(2000)).code, CLOSE_CODES.SESSION_REVOKED);
        assert.equal(bystander.closeInfo, undefined);
        // And the token cannot open a new one.
        const again = await connectWs(server, { token: victim.token, waitReady: false });
        assert.equal((await again.waitClose()).code, CLOSE_CODES.UNAUTHENTICATED);
        await bystander.close();
      });
    });
  });

  describe(`realtime/gateway shutdown [${dialect}]`, () => {
    it('says 1001 GOING_AWAY to every client when the server closes', async () => {
      const server = await startTestServer(dialect);
      const actor = await createActor(server);
      const clients = [
        await connectWs(server, { token: actor.token }),
        await connectWs(server, { token: actor.token }),
      ];
      await server.close();
      for (const c of clients) assert.equal((await c.waitClose()).code, CLOSE_CODES.GOING_AWAY);
    });
  });
}

function isEvent(frame: Frame, conversationId: string, seq: number): boolean {
  if (frame.type !== 'event') return false;
  const event = frame['event'] as { conversationId: string; seq: number };
  return event.conversationId === conversationId && event.seq === seq;
}
