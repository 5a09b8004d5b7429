import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { MlsLiveDevicesResponse, SessionListResponse } from '@enlets/protocol';
import { updateUser } from '../../src/storage/repositories/users.js';
import { createActor, newSession, type TestActor } from '../helpers/actors.js';
import { createConversation } from '../helpers/conversations.js';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { expectCode } from './e2ee-device.js';

/**
 * `GET /conversations/:id/mls/live-devices` (ADR 0011, "Live devices for a send"): one answer with the
 * signed-in devices of the conversation's current members, for its members only. Anyone else, even someone
 * who shares another conversation with every member, learns nothing: NOT_FOUND exactly as for an unknown id.
 */
for (const dialect of DIALECTS) {
  describe(`api/e2ee live devices of a conversation [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    let carol: TestActor;
    let mallory: TestActor;
    let conversationId: string;

    const liveDevices = (conversation: string, token: string) =>
      server.api.get<MlsLiveDevicesResponse>(`/api/v1/conversations/${conversation}/mls/live-devices`, {
        token,
      });
    const deviceOf = async (token: string): Promise<string> => {
      const res = await server.api.get<SessionListResponse>('/api/v1/me/sessions', { token });
      const id = res.body.sessions.find((s) => s.current)?.id;
      assert.ok(id, 'the session lists itself');
      return id;
    };
    const asRecord = (body: MlsLiveDevicesResponse): Record<string, string[]> =>
      Object.fromEntries(body.members.map((m) => [m.userId, [...m.deviceIds].sort()]));

    before(async () => {
      server = await startTestServer(dialect);
      [alice, bob, carol, mallory] = [
        await createActor(server),
        await createActor(server),
        await createActor(server),
        await createActor(server),
      ];
      conversationId = await createConversation(server, {
        members: [{ id: alice.id, role: 'owner' }, { id: bob.id }, { id: carol.id }],
      });
      // Mallory shares a conversation with every member of the other one: a per-user endpoint would answer her.
      await createConversation(server, {
        members: [{ id: mallory.id, role: 'owner' }, { id: alice.id }, { id: bob.id }, { id: carol.id }],
      });
    });
    after(() => server.close());

    it("answers a member with every current member's live devices, and nothing of ended devices or former members", async () => {
      const aliceLaptop = await newSession(server, alice);
      const bobPhone = await newSession(server, bob);
      const expected = {
        [alice.id]: [await deviceOf(alice.token), await deviceOf(aliceLaptop)].sort(),
        [bob.id]: [await deviceOf(bob.token), await deviceOf(bobPhone)].sort(),
        [carol.id]: [await deviceOf(carol.token)],
      };
      const first = await liveDevices(conversationId, bob.token);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.conversationId, conversationId);
      assert.deepEqual(asRecord(first.body), expected);

      // Bob's phone signs out; Carol leaves the conversation: neither is named any more.
      const logout = await server.api.post('/api/v1/auth/logout', undefined, { token: bobPhone });
      assert.ok(logout.status < 300, JSON.stringify(logout.body));
      const left = await server.api.post(
        `/api/v1/conversations/${conversationId}/members/${carol.id}/remove`,
        {},
        { token: alice.token },
      );
      assert.ok(left.status < 300, JSON.stringify(left.body));
      const after = await liveDevices(conversationId, alice.token);
      assert.equal(after.status, 200);
      assert.deepEqual(asRecord(after.body), {
        [alice.id]: expected[alice.id],
        [bob.id]: [await deviceOf(bob.token)],
      });

      // A suspended member's sessions are no devices either (the account is not active).
      await updateUser(server.database.db, bob.id, { status: 'suspended' }, server.clock.now());
      const suspended = await liveDevices(conversationId, alice.token);
      assert.deepEqual(asRecord(suspended.body), { [alice.id]: expected[alice.id] });
      await updateUser(server.database.db, bob.id, { status: 'active' }, server.clock.now());
    });

    it('answers a non-member, a former member and an unknown id with the same NOT_FOUND', async () => {
      const unknown = randomUUID();
      const forMallory = await liveDevices(conversationId, mallory.token);
      const forCarol = await liveDevices(conversationId, carol.token);
      const forUnknown = await liveDevices(unknown, mallory.token);
      expectCode(forMallory, 404, 'NOT_FOUND', 'a conversation Mallory is not in');
      expectCode(forCarol, 404, 'NOT_FOUND', 'a conversation Carol left');
      expectCode(forUnknown, 404, 'NOT_FOUND', 'an unknown conversation');
      const shape = (body: unknown) => {
        const { requestId: _requestId, ...error } = (body as { error: Record<string, unknown> }).error;
        return JSON.stringify(error).replaceAll(unknown, '<id>').replaceAll(conversationId, '<id>');
      };
      assert.equal(shape(forMallory.body), shape(forUnknown.body), 'no difference to probe');
      for (const res of [forMallory, forCarol])
        for (const id of [alice.id, bob.id])
          assert.equal(JSON.stringify(res.body).includes(id), false, 'no member is named');

      const anonymous = await server.api.get(`/api/v1/conversations/${conversationId}/mls/live-devices`);
      assert.equal(anonymous.status, 401);
    });
  });
}
