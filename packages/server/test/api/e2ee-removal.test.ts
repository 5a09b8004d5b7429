import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ClaimKeyPackagesResponse, EventRangeResponse } from '@enlets/protocol';
import { defaultProposalTypes, wireformats, type Proposal } from 'ts-mls';
import { createActor, newSession } from '../helpers/actors.js';
import { createConversation } from '../helpers/conversations.js';
import { DIALECTS } from '../helpers/dialects.js';
import { privateMessageBytes } from '../helpers/mls.js';
import type { ApiResponse } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  addProposals,
  alignClockWithMls,
  decodeMessage,
  E2eeUser,
  expectCode,
  type E2eeDevice,
} from './e2ee-device.js';

/**
 * "Removal follows authorization" (ADR 0011): once a leaf of a conversation's group belongs to someone who
 * left, or to a device that signed out, the server refuses new content into the group (MLS_COMMIT_REQUIRED,
 * naming the leaves) until a member commits their removal. System events and commits always pass.
 */
for (const dialect of DIALECTS) {
  describe(`api/e2ee removal before sending [${dialect}]`, () => {
    let server: TestServer;
    let alice: E2eeUser;
    let bob: E2eeUser;
    let carol: E2eeUser;
    let aliceDevice: E2eeDevice;
    let bobDevice: E2eeDevice;
    let bobLaptop: E2eeDevice;
    let carolDevice: E2eeDevice;
    let conversationId: string;

    const newUser = async (): Promise<E2eeUser> => {
      const user = new E2eeUser(server, await createActor(server));
      await user.registerIdentity();
      return user;
    };
    const send = (
      by: E2eeUser,
      kind = 'message',
      extra: Record<string, unknown> = {},
    ): Promise<ApiResponse> =>
      server.api.post(
        `/api/v1/conversations/${conversationId}/events`,
        {
          clientMessageId: randomUUID(),
          kind,
          payload: Buffer.from(privateMessageBytes(conversationId)).toString('base64'),
          ...extra,
        },
        { token: by.actor.token },
      );
    const removeLeaves = (leafIndexes: readonly number[]): Proposal[] =>
      leafIndexes.map((removed) => ({ proposalType: defaultProposalTypes.remove, remove: { removed } }));
    const refusedLeaves = (res: ApiResponse): unknown =>
      (res.body as { error: { details: { leafIndexes: unknown } } }).error.details.leafIndexes;
    /** Applies the commits others made at or after the device's epoch, as a client does from the log. */
    const catchUp = async (device: E2eeDevice): Promise<void> => {
      for (const event of await listEvents(device.token)) {
        if (event.kind !== 'mls.commit' || event.payload === null) continue;
        const message = decodeMessage(Buffer.from(event.payload, 'base64').toString('base64url'));
        assert.ok(message.wireformat === wireformats.mls_public_message, 'a commit is a PublicMessage');
        if (Number(message.publicMessage.content.epoch) === device.epoch) await device.processCommit(event);
      }
    };
    const listEvents = async (token = alice.actor.token) => {
      const log = await server.api.get<EventRangeResponse>(`/api/v1/conversations/${conversationId}/events`, {
        token,
      });
      return log.body.events;
    };

    before(async () => {
      server = await startTestServer(dialect, { config: { rateLimitPerMinute: 1_000_000 } });
      alignClockWithMls(server);
      [alice, bob, carol] = [await newUser(), await newUser(), await newUser()];
      conversationId = await createConversation(server, {
        members: [{ id: alice.id, role: 'owner' }, { id: bob.id }, { id: carol.id }],
      });
      aliceDevice = await alice.device();
      bobDevice = await bob.device();
      bobLaptop = await bob.device(await newSession(server, bob.actor));
      carolDevice = await carol.device();
      for (const d of [bobDevice, bobLaptop, carolDevice])
        assert.equal((await d.uploadKeyPackages(1, true)).status, 200);
      assert.equal((await aliceDevice.createGroup(conversationId)).status, 200);
      const claimed = await server.api.post<ClaimKeyPackagesResponse>(
        '/api/v1/e2ee/key-packages/claim',
        { userIds: [bob.id, carol.id] },
        { token: alice.actor.token },
      );
      assert.equal(claimed.body.keyPackages.length, 3, JSON.stringify(claimed.body));
      const added = await aliceDevice.commit(conversationId, addProposals(claimed.body.keyPackages));
      assert.equal(added.status, 200, JSON.stringify(added.body));
      await bobDevice.acceptWelcome(conversationId);
      expectStatus(await send(alice), 200, 'a message while every leaf is authorized');
    });
    after(() => server.close());

    it('refuses plaintext, and ciphertext of another group, in an encrypted conversation', async () => {
      const plain = Buffer.from('a readable message').toString('base64');
      expectCode(await send(alice, 'message', { payload: plain }), 422, 'MLS_MESSAGE_REQUIRED', 'plaintext');
      const elsewhere = Buffer.from(privateMessageBytes(randomUUID())).toString('base64');
      expectCode(
        await send(alice, 'message', { payload: elsewhere }),
        422,
        'MLS_MESSAGE_REQUIRED',
        'a PrivateMessage of another group',
      );
      expectStatus(await send(alice), 200, 'a PrivateMessage of this group');
    });

    it('refuses content after a member is removed until a commit removes their leaf; system events pass', async () => {
      const carolLeaf = aliceDevice.leafIndexOf(carolDevice.deviceId);
      const removal = await server.api.post(
        `/api/v1/conversations/${conversationId}/members/${carol.id}/remove`,
        undefined,
        { token: alice.actor.token },
      );
      assert.equal(removal.status, 200, JSON.stringify(removal.body));

      const refused = await send(alice);
      expectCode(refused, 409, 'MLS_COMMIT_REQUIRED', 'a message into a group holding a removed member');
      assert.deepEqual(refusedLeaves(refused), [carolLeaf]);
      expectCode(await send(bob), 409, 'MLS_COMMIT_REQUIRED', 'any member’s message');
      const target = (await listEvents()).find((e) => e.kind === 'message')!;
      for (const kind of ['reaction', 'edit']) {
        expectCode(await send(alice, kind, { refSeq: target.seq }), 409, 'MLS_COMMIT_REQUIRED', `a ${kind}`);
      }
      // A server-written system event (a settings change) is never held back.
      const renamed = await server.api.patch(
        `/api/v1/conversations/${conversationId}`,
        { name: 'Renamed while a removal is pending' },
        { token: alice.actor.token },
      );
      assert.equal(renamed.status, 200, JSON.stringify(renamed.body));

      const committed = await aliceDevice.commit(conversationId, removeLeaves([carolLeaf]));
      assert.equal(committed.status, 200, JSON.stringify(committed.body));
      expectStatus(await send(alice), 200, 'a message once the removal is committed');
      expectStatus(await send(bob), 200, 'another member’s message once the removal is committed');
      const kinds = (await listEvents()).map((e) => e.kind);
      assert.ok(kinds.includes('system') && kinds.includes('mls.commit'));
    });

    it('refuses content after one of a member’s sessions ends, until a commit removes that device', async () => {
      await catchUp(bobDevice);
      const laptopLeaf = bobDevice.leafIndexOf(bobLaptop.deviceId);
      const revoked = await server.api.delete(`/api/v1/me/sessions/${bobLaptop.deviceId}`, {
        token: bob.actor.token,
      });
      assert.ok(revoked.status < 300, JSON.stringify(revoked.body));

      const refused = await send(alice);
      expectCode(refused, 409, 'MLS_COMMIT_REQUIRED', 'a message into a group holding a signed-out device');
      assert.deepEqual(refusedLeaves(refused), [laptopLeaf]);

      // Bob removes his own ended device; the commit itself is never refused.
      const committed = await bobDevice.commit(conversationId, removeLeaves([laptopLeaf]));
      assert.equal(committed.status, 200, JSON.stringify(committed.body));
      expectStatus(await send(alice), 200, 'a message once the device is removed');
    });

    it('keeps refusing after a commit that leaves a signed-out device in the group', async () => {
      await catchUp(aliceDevice);
      const bobLeaf = aliceDevice.leafIndexOf(bobDevice.deviceId);
      const logout = await server.api.post('/api/v1/auth/logout', undefined, { token: bobDevice.token });
      assert.ok(logout.status < 300);
      expectCode(await send(alice), 409, 'MLS_COMMIT_REQUIRED', 'after Bob’s last device signed out');

      const selfUpdate = await aliceDevice.commit(conversationId);
      assert.equal(selfUpdate.status, 200, 'a commit that removes nothing is accepted');
      const still = await send(alice);
      expectCode(still, 409, 'MLS_COMMIT_REQUIRED', 'after a commit that kept the leaf');
      assert.deepEqual(refusedLeaves(still), [bobLeaf]);

      const removed = await aliceDevice.commit(conversationId, removeLeaves([bobLeaf]));
      assert.equal(removed.status, 200, JSON.stringify(removed.body));
      expectStatus(await send(alice), 200, 'a message once the leaf is gone');
    });
  });
}

function expectStatus(res: ApiResponse, status: number, what: string): void {
  assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
}
