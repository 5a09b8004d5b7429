import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type {
  ConversationDetail,
  ConversationEvent,
  ConversationListResponse,
  CreateConversationResponse,
  EventRangeResponse,
  SendEventAck,
  SyncResponse,
} from '@enlets/protocol';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createActor, type TestActor } from '../helpers/actors.js';
import { codeOf } from '../helpers/http.js';
import { newClientId, payload } from '../helpers/conversations.js';

/** The readable details of a system event (empty for other events). */
function sys(e: ConversationEvent | undefined): Readonly<Record<string, unknown>> {
  return (e?.system ?? {}) as Record<string, unknown>;
}

for (const dialect of DIALECTS) {
  describe(`http/routes/conversations: members [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    let carol: TestActor;

    const group = async (owner: TestActor, members: TestActor[]) => {
      const res = await server.api.post<CreateConversationResponse>(
        '/api/v1/conversations',
        { kind: 'group', name: 'Task force', memberIds: members.map((m) => m.id) },
        { token: owner.token },
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.conversation.id;
    };
    const send = (actor: TestActor, id: string, text: string) =>
      server.api.post<SendEventAck>(
        `/api/v1/conversations/${id}/events`,
        { clientMessageId: newClientId(), kind: 'message', payload: payload(text) },
        { token: actor.token },
      );
    const detail = (actor: TestActor, id: string) =>
      server.api.get<ConversationDetail>(`/api/v1/conversations/${id}`, { token: actor.token });
    const events = (actor: TestActor, id: string) =>
      server.api.get<EventRangeResponse>(`/api/v1/conversations/${id}/events?afterSeq=0&limit=500`, {
        token: actor.token,
      });
    const addMembers = (actor: TestActor, id: string, members: TestActor[]) =>
      server.api.post<ConversationDetail>(
        `/api/v1/conversations/${id}/members`,
        { userIds: members.map((m) => m.id) },
        { token: actor.token },
      );
    const removeMember = (actor: TestActor, id: string, member: TestActor) =>
      server.api.post<ConversationDetail>(
        `/api/v1/conversations/${id}/members/${member.id}/remove`,
        undefined,
        { token: actor.token },
      );
    const setRole = (actor: TestActor, id: string, member: TestActor, role: string) =>
      server.api.post<ConversationDetail>(
        `/api/v1/conversations/${id}/members/${member.id}/role`,
        { role },
        { token: actor.token },
      );
    const leave = (actor: TestActor, id: string) =>
      server.api.post(`/api/v1/conversations/${id}/leave`, undefined, { token: actor.token });
    const sync = (actor: TestActor, token?: string) =>
      server.api.post<SyncResponse>('/api/v1/sync', token === undefined ? {} : { token }, {
        token: actor.token,
      });

    before(async () => {
      server = await startTestServer(dialect);
      alice = await createActor(server, { displayName: 'Alice' });
      bob = await createActor(server, { displayName: 'Bob' });
      carol = await createActor(server, { displayName: 'Carol' });
    });
    after(() => server.close());

    it('shows a newcomer only what follows their arrival', async () => {
      const id = await group(alice, [bob]);
      await send(alice, id, 'before Carol came');
      await send(bob, id, 'also before');
      const added = await addMembers(bob, id, [carol]);
      assert.equal(added.status, 200);
      assert.equal(added.body.memberCount, 3);
      const after = await send(alice, id, 'welcome Carol');

      const seen = await events(carol, id);
      assert.equal(seen.status, 200);
      assert.deepEqual(
        seen.body.events.map((e) => (e.kind === 'system' ? sys(e)['type'] : e.payload)),
        ['member.added', payload('welcome Carol')],
      );
      assert.equal(seen.body.events.at(-1)?.seq, after.body.seq);
      const theirs = await events(bob, id);
      assert.equal(theirs.body.events.filter((e) => e.kind === 'message').length, 3);
    });

    it('never adds to or lets anyone leave a 1:1 conversation', async () => {
      const direct = await server.api.post<CreateConversationResponse>(
        '/api/v1/conversations',
        { kind: 'direct', userId: bob.id },
        { token: alice.token },
      );
      const id = direct.body.conversation.id;
      const add = await addMembers(alice, id, [carol]);
      assert.equal(add.status, 409);
      assert.equal(codeOf(add), 'CONFLICT');
      assert.equal(codeOf(await leave(bob, id)), 'CONFLICT');
      assert.equal((await detail(alice, id)).body.memberCount, 2);
    });

    it('lets managers remove members; the removed member loses the conversation on every device', async () => {
      const id = await group(alice, [bob, carol]);
      const carolsStart = await sync(carol);
      assert.equal(codeOf(await removeMember(bob, id, carol)), 'FORBIDDEN');
      assert.equal(codeOf(await removeMember(alice, id, alice)), 'CONFLICT');

      const removed = await removeMember(alice, id, carol);
      assert.equal(removed.status, 200);
      assert.deepEqual(removed.body.members.map((m) => m.userId).sort(), [alice.id, bob.id].sort());
      assert.equal(codeOf(await detail(carol, id)), 'NOT_FOUND');
      assert.equal(codeOf(await events(carol, id)), 'NOT_FOUND');
      assert.equal(codeOf(await send(carol, id, 'still here?')), 'NOT_FOUND');
      const list = await server.api.get<ConversationListResponse>('/api/v1/conversations', {
        token: carol.token,
      });
      assert.ok(!list.body.conversations.some((c) => c.id === id));
      const later = await sync(carol, carolsStart.body.token);
      assert.deepEqual(later.body.leftConversationIds, [id]);

      const log = await events(alice, id);
      const last = log.body.events.at(-1);
      assert.equal(sys(last)['type'], 'member.removed');
      assert.equal(sys(last)['reason'], 'removed');
      assert.equal(codeOf(await removeMember(alice, id, carol)), 'NOT_FOUND');
    });

    it('hands out roles: the owner names managers, who run the group but cannot touch the owner or each other', async () => {
      const dave = await createActor(server);
      const id = await group(alice, [bob, carol, dave]);
      assert.equal(codeOf(await setRole(bob, id, carol, 'manager')), 'FORBIDDEN');
      const promoted = await setRole(alice, id, bob, 'manager');
      assert.equal(promoted.status, 200);
      assert.equal(promoted.body.members.find((m) => m.userId === bob.id)?.role, 'manager');
      const renamed = await server.api.patch<ConversationDetail>(
        `/api/v1/conversations/${id}`,
        { name: 'Task force II' },
        { token: bob.token },
      );
      assert.equal(renamed.status, 200);
      assert.equal(codeOf(await setRole(bob, id, alice, 'member')), 'CONFLICT');
      assert.equal((await setRole(bob, id, carol, 'moderator')).status, 200);
      assert.equal((await setRole(alice, id, carol, 'manager')).status, 200);
      assert.equal(codeOf(await removeMember(bob, id, carol)), 'FORBIDDEN');
      assert.equal((await removeMember(bob, id, dave)).status, 200);
      assert.equal(codeOf(await setRole(alice, id, bob, 'owner')), 'VALIDATION_FAILED');
      const log = await events(bob, id);
      assert.ok(
        log.body.events.some((e) => sys(e)['type'] === 'member.role_changed' && sys(e)['userId'] === bob.id),
      );
    });

    it('lets a member leave, and passes ownership on when the owner leaves', async () => {
      const id = await group(alice, [bob]);
      server.clock.advance(60_000);
      const added = await addMembers(bob, id, [carol]);
      assert.equal(added.status, 200);
      const bobsStart = await sync(bob);

      assert.equal((await leave(alice, id)).status, 200);
      const after = await detail(bob, id);
      assert.equal(after.body.memberCount, 2);
      // Bob joined at creation, before Carol: he is the longest-standing member.
      assert.equal(after.body.members.find((m) => m.userId === bob.id)?.role, 'owner');
      assert.equal(after.body.role, 'owner');
      assert.equal(codeOf(await detail(alice, id)), 'NOT_FOUND');

      assert.equal((await leave(bob, id)).status, 200);
      assert.equal((await detail(carol, id)).body.role, 'owner');
      const later = await sync(bob, bobsStart.body.token);
      assert.deepEqual(later.body.leftConversationIds, [id]);
      const log = await events(carol, id);
      assert.deepEqual(
        log.body.events.filter((e) => sys(e)['type'] === 'member.removed').map((e) => sys(e)['reason']),
        ['left', 'left'],
      );
    });

    it('takes a member who leaves the service out of every conversation', async () => {
      const erin = await createActor(server);
      const owned = await group(erin, [alice, bob]);
      const joined = await group(alice, [erin]);
      const direct = await server.api.post<CreateConversationResponse>(
        '/api/v1/conversations',
        { kind: 'direct', userId: erin.id },
        { token: bob.token },
      );
      const left = await server.api.post(
        '/api/v1/me/leave',
        { password: erin.password },
        { token: erin.token },
      );
      assert.equal(left.status, 200);

      const ownedNow = await detail(alice, owned);
      assert.deepEqual(ownedNow.body.members.map((m) => m.userId).sort(), [alice.id, bob.id].sort());
      assert.equal(ownedNow.body.members.filter((m) => m.role === 'owner').length, 1);
      assert.equal((await detail(alice, joined)).body.memberCount, 1);
      const directNow = await detail(bob, direct.body.conversation.id);
      assert.equal(directNow.body.memberCount, 1);
      const log = await events(bob, direct.body.conversation.id);
      const last = log.body.events.at(-1);
      assert.equal(sys(last)['type'], 'member.removed');
      assert.equal(sys(last)['reason'], 'left_service');
      // A removed account cannot be added back.
      assert.equal(codeOf(await addMembers(alice, joined, [erin])), 'NOT_FOUND');
    });

    it('takes a member removed by the Secretariat out of every conversation', async () => {
      const admin = await createActor(server, { roles: [{ role: 'secretariat_admin' }] });
      const frank = await createActor(server);
      const id = await group(alice, [frank]);
      const res = await server.api.post(
        `/api/v1/members/${frank.id}/remove`,
        { reason: 'left the agency' },
        { token: admin.token },
      );
      assert.equal(res.status, 200);
      const now = await detail(alice, id);
      assert.deepEqual(
        now.body.members.map((m) => m.userId),
        [alice.id],
      );
    });
  });
}
