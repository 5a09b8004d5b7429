import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChannelDetails, ChannelJoinRequestsResponse } from '@enlets/protocol';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createActor, newSession, type TestActor } from '../helpers/actors.js';
import { connectWs, settle, type WsClient } from '../helpers/ws.js';

for (const dialect of DIALECTS) {
  describe(`realtime/join requests [${dialect}]`, () => {
    let server: TestServer;
    let owner: TestActor;
    let manager: TestActor;
    let member: TestActor;
    let requester: TestActor;
    let other: TestActor;
    let channelId: string;
    const open: WsClient[] = [];

    before(async () => {
      server = await startTestServer(dialect);
      owner = await createActor(server);
      manager = await createActor(server);
      member = await createActor(server);
      requester = await createActor(server, { displayName: 'Inspector Requester' });
      other = await createActor(server);
      const created = await server.api.post<ChannelDetails>(
        '/api/v1/channels',
        {
          name: 'Closed channel',
          tlp: 'GREEN',
          joinMode: 'closed',
          listed: true,
          readOnly: false,
          leaveAllowed: true,
          scopeKind: 'adhoc',
        },
        { token: owner.token },
      );
      assert.equal(created.status, 201);
      channelId = created.body.id;
      const invited = await server.api.post(
        `/api/v1/channels/${channelId}/members`,
        { userIds: [manager.id, member.id] },
        { token: owner.token },
      );
      assert.ok(invited.status < 300, JSON.stringify(invited.body));
      const promoted = await server.api.post(
        `/api/v1/channels/${channelId}/members/${manager.id}/role`,
        { role: 'manager' },
        { token: owner.token },
      );
      assert.ok(promoted.status < 300, JSON.stringify(promoted.body));
    });
    after(async () => {
      for (const ws of open) await ws.close();
      await server.close();
    });

    const connect = async (actor: TestActor): Promise<WsClient> => {
      const ws = await connectWs(server, { token: await newSession(server, actor) });
      open.push(ws);
      return ws;
    };
    const join = (actor: TestActor) =>
      server.api.post(`/api/v1/channels/${channelId}/join`, {}, { token: actor.token });
    const countOf = (ws: WsClient, type: string) => ws.frames.filter((f) => f.type === type).length;

    it("tells the channel's managers of a request, once, and lists it for them", async () => {
      const ownerWs = await connect(owner);
      const managerWs = await connect(manager);
      const memberWs = await connect(member);
      assert.equal((await join(requester)).status, 202);

      for (const ws of [ownerWs, managerWs]) {
        const notice = await ws.waitFor((f) => f.type === 'join.requested');
        assert.deepEqual(
          { ...notice, requestedAt: typeof notice['requestedAt'] },
          {
            type: 'join.requested',
            conversationId: channelId,
            userId: requester.id,
            displayName: 'Inspector Requester',
            requestedAt: 'number',
          },
        );
      }
      const listed = await server.api.get<ChannelJoinRequestsResponse>(
        `/api/v1/channels/${channelId}/requests`,
        { token: manager.token },
      );
      assert.deepEqual(
        listed.body.requests.map((r) => r.userId),
        [requester.id],
      );

      // Asking again changes nothing and tells nobody anything new.
      assert.equal((await join(requester)).status, 202);
      await settle(150);
      assert.equal(countOf(managerWs, 'join.requested'), 1);
      assert.equal(countOf(memberWs, 'join.requested'), 0, 'plain members are not told');
    });

    it('tells the requester (and the managers) whether the request was approved or turned down', async () => {
      const requesterWs = await connect(requester);
      const otherWs = await connect(other);
      const managerWs = await connect(manager);
      const decide = (userId: string, decision: 'approve' | 'reject') =>
        server.api.post(`/api/v1/channels/${channelId}/requests/${userId}/${decision}`, undefined, {
          token: manager.token,
        });

      assert.equal((await decide(requester.id, 'approve')).status, 204);
      const approved = await requesterWs.waitFor((f) => f.type === 'join.decided');
      assert.equal(approved['conversationId'], channelId);
      assert.equal(approved['userId'], requester.id);
      assert.equal(approved['approved'], true);
      assert.equal('decidedBy' in approved, false, 'who decided stays with the managers');
      await managerWs.waitFor((f) => f.type === 'join.decided' && f['userId'] === requester.id);

      assert.equal((await join(other)).status, 202);
      await managerWs.waitFor((f) => f.type === 'join.requested' && f['userId'] === other.id);
      assert.equal((await decide(other.id, 'reject')).status, 204);
      const refused = await otherWs.waitFor((f) => f.type === 'join.decided');
      assert.equal(refused['approved'], false);
      await settle(100);
      assert.equal(countOf(requesterWs, 'join.decided'), 1, "the requester is not told of others' requests");
    });
  });
}
