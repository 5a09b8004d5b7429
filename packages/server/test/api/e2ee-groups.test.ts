import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import type {
  ClaimKeyPackagesResponse,
  ConversationListResponse,
  EventRangeResponse,
} from '@enlets/protocol';
import { defaultProposalTypes } from 'ts-mls';
import { createActor, newSession } from '../helpers/actors.js';
import { createConversation } from '../helpers/conversations.js';
import { DIALECTS } from '../helpers/dialects.js';
import type { ApiResponse } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  addProposals,
  alignClockWithMls,
  E2eeUser,
  expectCode,
  unb64,
  type E2eeDevice,
} from './e2ee-device.js';

/**
 * The MLS Delivery Service's group rules (ADR 0011): a group per conversation, commits as PublicMessages checked
 * against the conversation's membership, Welcomes routed to the added devices, and the GroupInfo for members
 * only. Every refusal is its catalogued code.
 */
for (const dialect of DIALECTS) {
  describe(`api/e2ee groups [${dialect}]`, () => {
    let server: TestServer;
    let alice: E2eeUser;
    let bob: E2eeUser;
    let carol: E2eeUser;
    let mallory: E2eeUser;
    let aliceDevice: E2eeDevice;
    let bobDevice: E2eeDevice;
    let conversationId: string;

    const newUser = async (): Promise<E2eeUser> => {
      const user = new E2eeUser(server, await createActor(server));
      await user.registerIdentity();
      return user;
    };
    const claim = async (by: E2eeUser, userIds: string[]) => {
      const res = await server.api.post<ClaimKeyPackagesResponse>(
        '/api/v1/e2ee/key-packages/claim',
        { userIds },
        { token: by.actor.token },
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.keyPackages;
    };

    before(async () => {
      server = await startTestServer(dialect, { config: { rateLimitPerMinute: 1_000_000 } });
      alignClockWithMls(server);
      [alice, bob, carol, mallory] = [await newUser(), await newUser(), await newUser(), await newUser()];
      conversationId = await createConversation(server, {
        members: [{ id: alice.id, role: 'owner' }, { id: bob.id }, { id: carol.id }],
      });
      aliceDevice = await alice.device();
      bobDevice = await bob.device();
      for (const d of [bobDevice, await carol.device(), await mallory.device()])
        assert.equal((await d.uploadKeyPackages(3, true)).status, 200);
    });
    after(() => server.close());

    /** The epoch the conversation list shows to `token` for `conversationId` (null: no group yet). */
    const listedEpoch = async (token: string): Promise<number | null | undefined> => {
      const list = await server.api.get<ConversationListResponse>('/api/v1/conversations', { token });
      assert.equal(list.status, 200);
      return list.body.conversations.find((c) => c.id === conversationId)?.mlsEpoch;
    };

    it('creates the group once, adds a member’s device with a routed Welcome, and delivers the commit in the log', async () => {
      assert.equal(await listedEpoch(bob.actor.token), null, 'no group yet: the list says so');
      const created = await aliceDevice.createGroup(conversationId);
      assert.equal(created.status, 200, JSON.stringify(created.body));
      expectCode(await bobDevice.createGroup(conversationId), 409, 'MLS_GROUP_EXISTS', 'a second creation');

      const added = await aliceDevice.commit(conversationId, addProposals(await claim(alice, [bob.id])));
      assert.equal(added.status, 200, JSON.stringify(added.body));
      assert.equal(added.body['epoch'], 1);
      await bobDevice.acceptWelcome(conversationId);
      assert.equal(bobDevice.epoch, 1);
      assert.deepEqual(
        bobDevice.state?.keySchedule.epochAuthenticator,
        aliceDevice.state?.keySchedule.epochAuthenticator,
      );

      const log = await server.api.get<EventRangeResponse>(`/api/v1/conversations/${conversationId}/events`, {
        token: bob.actor.token,
      });
      const commits = log.body.events.filter((e) => e.kind === 'mls.commit');
      assert.equal(commits.length, 1);
      assert.equal(commits[0]!.seq, added.body['seq']);
      assert.equal(commits[0]!.senderDeviceId, aliceDevice.deviceId);

      // Bob commits a self-update; Alice processes it from the log.
      const update = await bobDevice.commit(conversationId);
      assert.equal(update.status, 200, JSON.stringify(update.body));
      const next = await server.api.get<EventRangeResponse>(
        `/api/v1/conversations/${conversationId}/events?afterSeq=${String(added.body['seq'])}`,
        { token: alice.actor.token },
      );
      await aliceDevice.processCommit(next.body.events.find((e) => e.kind === 'mls.commit')!);
      assert.deepEqual(
        aliceDevice.state?.keySchedule.epochAuthenticator,
        bobDevice.state?.keySchedule.epochAuthenticator,
      );

      const info = await server.api.get(`/api/v1/conversations/${conversationId}/mls/group-info`, {
        token: bob.actor.token,
      });
      assert.equal(info.status, 200);
      assert.equal(info.body['epoch'], 2);
      assert.equal(await listedEpoch(bob.actor.token), 2, 'the list shows the group and its epoch');
    });

    it('refuses a commit at a past epoch with MLS_EPOCH_MISMATCH naming the missed commits', async () => {
      const stale = await aliceDevice.prepareCommit();
      const winner = await bobDevice.commit(conversationId);
      assert.equal(winner.status, 200);
      const lost = await aliceDevice.submit(conversationId, stale);
      expectCode(lost, 409, 'MLS_EPOCH_MISMATCH', 'a stale commit');
      assert.deepEqual((lost.body as { error: { details: unknown } }).error.details, {
        epoch: bobDevice.epoch,
        missedSeqs: [winner.body['seq']],
      });
      const log = await server.api.get<EventRangeResponse>(
        `/api/v1/conversations/${conversationId}/events?afterSeq=${String(Number(winner.body['seq']) - 1)}`,
        { token: alice.actor.token },
      );
      await aliceDevice.processCommit(log.body.events[0]!);
    });

    it('refuses each rule break with its code, and changes nothing', async () => {
      const epochBefore = aliceDevice.epoch;
      const refusals: Array<[string, () => Promise<ApiResponse>, number, string]> = [
        [
          'adding a device of someone outside the conversation',
          async () => aliceDevice.commit(conversationId, addProposals(await claim(alice, [mallory.id]))),
          422,
          'MLS_MEMBER_NOT_ALLOWED',
        ],
        [
          'adding a device whose credential is not signed by its user’s identity key',
          async () => {
            const carolDevice = await carol.device();
            const forged = await carolDevice.keyPackage({ signWith: ed25519.utils.randomSecretKey() });
            return aliceDevice.commit(conversationId, [
              { proposalType: defaultProposalTypes.add, add: { keyPackage: forged.publicPackage } },
            ]);
          },
          422,
          'MLS_MEMBER_NOT_ALLOWED',
        ],
        [
          'removing another member’s live device',
          () =>
            aliceDevice.commit(conversationId, [
              { proposalType: defaultProposalTypes.remove, remove: { removed: 1 } },
            ]),
          422,
          'MLS_MEMBER_NOT_ALLOWED',
        ],
        [
          'a commit for another conversation’s group',
          async () => {
            const prepared = await aliceDevice.prepareCommit();
            const other = await createConversation(server, { members: [{ id: alice.id }, { id: bob.id }] });
            return server.api.post(`/api/v1/conversations/${other}/mls/commits`, prepared.body, {
              token: alice.actor.token,
            });
          },
          400,
          'MLS_INVALID_MESSAGE',
        ],
        [
          'a GroupContextExtensions proposal',
          () =>
            aliceDevice.commit(conversationId, [
              {
                proposalType: defaultProposalTypes.group_context_extensions,
                groupContextExtensions: { extensions: [] },
              },
            ]),
          422,
          'MLS_PROPOSAL_NOT_ALLOWED',
        ],
        [
          'a GroupInfo that disagrees with the commit',
          async () => {
            const prepared = await aliceDevice.prepareCommit();
            const withBob = await aliceDevice.prepareCommit(addProposals(await claim(alice, [carol.id])));
            return aliceDevice.submit(conversationId, {
              ...prepared,
              body: { ...prepared.body, groupInfo: withBob.body.groupInfo },
            });
          },
          422,
          'MLS_GROUP_INFO_MISMATCH',
        ],
        [
          'a commit whose epoch field disagrees with the message',
          async () => {
            const prepared = await aliceDevice.prepareCommit();
            return aliceDevice.submit(conversationId, {
              ...prepared,
              body: { ...prepared.body, epoch: epochBefore + 5 },
            });
          },
          400,
          'MLS_INVALID_MESSAGE',
        ],
      ];
      for (const [what, attempt, status, code] of refusals) expectCode(await attempt(), status, code, what);
      const info = await server.api.get(`/api/v1/conversations/${conversationId}/mls/group-info`, {
        token: alice.actor.token,
      });
      assert.equal(info.body['epoch'], epochBefore, 'no refused commit moved the epoch');
    });

    it('refuses proposals by reference', async () => {
      // ts-mls only commits by reference what it received as proposals; the reference is forged here from a
      // real commit's bytes by switching its first proposal to a reference (ProposalOrRef type 2).
      const prepared = await aliceDevice.prepareCommit([
        { proposalType: defaultProposalTypes.remove, remove: { removed: 1 } },
      ]);
      const bytes = unb64(prepared.body.commit);
      // MLSMessage header (4) + group_id<V> + epoch (8) + sender (1 + 4) + authenticated_data<V> + content_type (1)
      // + proposals<V> length prefix; then the first ProposalOrRef's type byte.
      const groupIdLength = bytes[4]!;
      const offset = 4 + 1 + groupIdLength + 8 + 5 + 1 + 1 + 1;
      assert.equal(bytes[offset], 1, 'the first proposal is by value');
      // A Remove by value is 7 bytes (type, u16 proposal type, u32 leaf); a reference of 5 bytes is 7 as well
      // (type, length, bytes), so the proposals vector keeps its length and the message stays well-formed.
      bytes[offset] = 2;
      bytes[offset + 1] = 5;
      const res = await server.api.post(
        `/api/v1/conversations/${conversationId}/mls/commits`,
        { ...prepared.body, commit: Buffer.from(bytes).toString('base64url') },
        { token: alice.actor.token },
      );
      expectCode(res, 422, 'MLS_PROPOSAL_NOT_ALLOWED', 'a proposal by reference');
    });

    it('lets a member remove a device whose session ended, and gives the GroupInfo to members only', async () => {
      const carolDevice = await carol.device(await newSession(server, carol.actor));
      assert.equal((await carolDevice.uploadKeyPackages(1, false)).status, 200);
      const adds = (await claim(alice, [carol.id])).filter((k) => k.deviceId === carolDevice.deviceId);
      assert.equal((await aliceDevice.commit(conversationId, addProposals(adds))).status, 200);
      const logout = await server.api.post('/api/v1/auth/logout', undefined, { token: carolDevice.token });
      assert.ok(logout.status < 300);
      const leaf = aliceDevice.leafIndexOf(carolDevice.deviceId);
      const removed = await aliceDevice.commit(conversationId, [
        { proposalType: defaultProposalTypes.remove, remove: { removed: leaf } },
      ]);
      assert.equal(removed.status, 200, JSON.stringify(removed.body));

      const forMallory = await server.api.get(`/api/v1/conversations/${conversationId}/mls/group-info`, {
        token: mallory.actor.token,
      });
      const unknownId = randomUUID();
      const forUnknown = await server.api.get(`/api/v1/conversations/${unknownId}/mls/group-info`, {
        token: mallory.actor.token,
      });
      expectCode(forMallory, 404, 'NOT_FOUND', 'a conversation Mallory is not in');
      const strip = (body: unknown, id: string) =>
        JSON.stringify(body)
          .replaceAll(id, '<id>')
          .replace(/"requestId":"[^"]*"/, '');
      assert.equal(strip(forMallory.body, conversationId), strip(forUnknown.body, unknownId));
    });
  });
}
