import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HttpTrustDirectory, type FetchLike } from '@enlets/client';
import { restoreMlsDevice, SecretBytes, TrustStore } from '@enlets/crypto';
import type { ConversationEvent, EventRangeResponse, MlsGroupInfoResponse } from '@enlets/protocol';
import { DIALECTS } from '../../server/test/helpers/dialects.js';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { createActor, newSession, type TestActor } from '../../server/test/helpers/actors.js';
import { createConversation } from '../../server/test/helpers/conversations.js';
import { text, utf8, waitFor } from './helpers.js';
import {
  openSecureDevice,
  type SecureDeviceOptions,
  type SecureTestDevice as Device,
  savedGroupOf,
} from './secure-device.js';

const realFetch = globalThis.fetch.bind(globalThis) as unknown as FetchLike;
const DAY = 24 * 60 * 60 * 1000;

/** A fetch that records each request's method and path (the network path is real). */
function countingFetch(): { readonly fetch: FetchLike; readonly requests: string[] } {
  const requests: string[] = [];
  return {
    requests,
    fetch: (url, init) => {
      requests.push(`${init.method} ${new URL(url).pathname}`);
      return realFetch(url, init);
    },
  };
}

/**
 * Periodic self-updates (post-compromise security, ADR 0011): a device whose leaf keys are older than the
 * period, or have encrypted N messages, renews them with a self-update commit before its next send, through the
 * same one-commit-per-epoch path as every commit. And a send asks the server for the members' live devices in
 * one request, however many members the conversation has.
 */
for (const dialect of DIALECTS) {
  describe(`client/e2ee: periodic self-updates and one live-devices request per send [${dialect}]`, () => {
    let server: TestServer;
    const devices: Device[] = [];
    /** The devices' own clock runs this far ahead of the machine's (the server's stays where it is). */
    let clockAheadMs = 0;
    const now = (): number => Date.now() + clockAheadMs;

    const openDevice = async (
      actor: TestActor,
      options: SecureDeviceOptions = {},
      token = actor.token,
    ): Promise<Device> => {
      // Readers' own renewals (ADR 0021) wait up to a day here, so that only the sends under test commit.
      const device = await openSecureDevice(server.url, actor.id, token, {
        now,
        selfUpdate: { jitterMs: DAY },
        ...options,
      });
      devices.push(device);
      return device;
    };
    const log = async (conversationId: string, actor: TestActor): Promise<ConversationEvent[]> => {
      const res = await server.api.get<EventRangeResponse>(
        `/api/v1/conversations/${conversationId}/events?afterSeq=0`,
        { token: actor.token },
      );
      assert.equal(res.status, 200);
      return res.body.events;
    };
    const commitsBy = async (conversationId: string, actor: TestActor, device: Device) =>
      (await log(conversationId, actor)).filter(
        (e) => e.kind === 'mls.commit' && e.senderDeviceId === device.deviceId,
      ).length;
    const epochOf = async (conversationId: string, actor: TestActor): Promise<number> => {
      const res = await server.api.get<MlsGroupInfoResponse>(
        `/api/v1/conversations/${conversationId}/mls/group-info`,
        { token: actor.token },
      );
      assert.equal(res.status, 200);
      return res.body.epoch;
    };
    const reads = (device: Device, conversationId: string, words: string) =>
      waitFor(
        () => (device.texts(conversationId).includes(words) ? true : undefined),
        `"${words}" decrypted`,
      );
    const send = async (device: Device, conversationId: string, words: string) => {
      await (
        await device.messenger.send(conversationId, utf8(words))
      ).acknowledged;
    };

    before(async () => {
      server = await startTestServer(dialect, { config: { rateLimitPerMinute: 1_000_000 } });
      // KeyPackages carry real lifetimes from the device's clock; the server checks them against its own.
      server.clock.advance(Date.now() - server.clock.now());
    });
    after(async () => {
      await Promise.all(devices.map((d) => d.stop()));
      await server.close();
    });

    it('after the period the next send renews the leaf first; the others keep reading; a stolen copy of the old state reads nothing new', async () => {
      clockAheadMs = 0;
      const [alice, bob, carol] = [
        await createActor(server),
        await createActor(server),
        await createActor(server),
      ];
      const conversationId = await createConversation(server, {
        members: [{ id: alice.id, role: 'owner' }, { id: bob.id }, { id: carol.id }],
      });
      const a = await openDevice(alice);
      const b = await openDevice(bob);
      const c = await openDevice(carol);
      await send(a, conversationId, 'first brief');
      await reads(b, conversationId, 'first brief');
      await reads(c, conversationId, 'first brief');

      // Alice's device is compromised now: its keys and group state are copied.
      const stolenDevice = await a.e2eeStore.getSecret('device');
      const stolenGroup = await savedGroupOf(a, conversationId);
      assert.ok(stolenDevice && stolenGroup);
      const openStolen = async () => {
        const mls = await restoreMlsDevice(
          new SecretBytes(Uint8Array.from(stolenDevice)),
          new TrustStore(a.e2eeStore, new HttpTrustDirectory(a.session.http)),
        );
        return mls.restoreGroup(new SecretBytes(Uint8Array.from(stolenGroup)));
      };
      const payloadOf = async (words: string): Promise<Uint8Array> => {
        const event = (await log(conversationId, bob)).find(
          (e) =>
            e.kind === 'message' && b.shown.some((s) => s.event.seq === e.seq && text(s.content) === words),
        );
        assert.ok(event?.payload, `"${words}" is in the log`);
        return new Uint8Array(Buffer.from(event.payload, 'base64'));
      };

      // Within the period: no commit before a send, and the stolen state reads what is sent.
      const epochBefore = await epochOf(conversationId, alice);
      const ownCommitsBefore = await commitsBy(conversationId, alice, a);
      clockAheadMs = 6 * DAY;
      await send(a, conversationId, 'still the same week');
      await send(b, conversationId, 'read by the thief');
      await reads(a, conversationId, 'read by the thief');
      assert.equal(await epochOf(conversationId, alice), epochBefore, 'no commit within the period');
      const thief = await openStolen();
      const compromised = await thief.process(await payloadOf('read by the thief'));
      assert.equal(compromised.kind, 'application', 'the stolen state reads the current epoch');
      assert.equal(text(compromised.bytes), 'read by the thief');

      // A week after its leaf was fresh, Alice's next send commits a self-update first.
      const eventsBefore = (await log(conversationId, alice)).length;
      clockAheadMs = 7 * DAY + 60_000;
      await send(a, conversationId, 'a week later');
      assert.equal(await epochOf(conversationId, alice), epochBefore + 1, 'the epoch moved once');
      assert.equal(
        await commitsBy(conversationId, alice, a),
        ownCommitsBefore + 1,
        "one commit by Alice's device",
      );
      const newEvents = (await log(conversationId, alice)).slice(eventsBefore);
      assert.deepEqual(
        newEvents.map((e) => [e.kind, e.senderDeviceId]),
        [
          ['mls.commit', a.deviceId],
          ['message', a.deviceId],
        ],
        'the self-update comes right before the message',
      );
      await reads(b, conversationId, 'a week later');
      await reads(c, conversationId, 'a week later');

      // The next send within the new period commits nothing.
      await send(a, conversationId, 'right after');
      assert.equal(await epochOf(conversationId, alice), epochBefore + 1);

      // What Bob sends now is beyond the stolen state, even with every handshake of the log applied to it.
      await send(b, conversationId, 'healed');
      await reads(c, conversationId, 'healed');
      const stolen = await openStolen();
      for (const event of newEvents.filter((e) => e.kind === 'mls.commit'))
        assert.equal(
          (await stolen.process(new Uint8Array(Buffer.from(event.payload ?? '', 'base64')))).kind,
          'refused',
          "the renewed path is encrypted to the other members' keys, none of which the old state holds",
        );
      const healed = await stolen.process(await payloadOf('healed'));
      assert.equal(healed.kind, 'refused', 'the stolen state cannot read what follows the self-update');

      for (const device of [a, b, c]) assert.deepEqual(device.warnings, [], 'no security warnings');
    });

    it('after N messages the next send renews the leaf; two devices due at once both commit, one per epoch', async () => {
      clockAheadMs = 0;
      const [dave, erin, frank] = [
        await createActor(server),
        await createActor(server),
        await createActor(server),
      ];
      const conversationId = await createConversation(server, {
        members: [{ id: dave.id, role: 'owner' }, { id: erin.id }, { id: frank.id }],
      });
      const d = await openDevice(dave, { selfUpdate: { maxMessages: 3 } });
      const e = await openDevice(erin, { selfUpdate: { maxMessages: 3 } });
      const f = await openDevice(frank);
      await send(d, conversationId, 'one');
      const epoch = await epochOf(conversationId, dave);
      await send(d, conversationId, 'two');
      await send(d, conversationId, 'three');
      assert.equal(await epochOf(conversationId, dave), epoch, 'three messages: no commit yet');
      await send(d, conversationId, 'four');
      assert.equal(await epochOf(conversationId, dave), epoch + 1, 'the fourth send renewed the leaf first');
      await reads(f, conversationId, 'four');

      // Erin sends three, then Dave and Erin are both due and send at the same moment: both renew (the loser of
      // the race applies the winner's commit and commits again), and Frank reads both messages.
      for (const words of ['e1', 'e2', 'e3']) await send(e, conversationId, words);
      await send(d, conversationId, 'five');
      await send(d, conversationId, 'six');
      await reads(e, conversationId, 'six');
      const before = await epochOf(conversationId, dave);
      await Promise.all([send(d, conversationId, 'dave, racing'), send(e, conversationId, 'erin, racing')]);
      assert.equal(await epochOf(conversationId, dave), before + 2, 'two self-updates, one per epoch');
      await reads(f, conversationId, 'dave, racing');
      await reads(f, conversationId, 'erin, racing');
      await reads(d, conversationId, 'erin, racing');
      await reads(e, conversationId, 'dave, racing');
      for (const device of [d, e, f]) assert.deepEqual(device.warnings, [], 'no security warnings');
    });

    it('a position stored before self-updates existed starts its period at the next send instead of committing at once', async () => {
      clockAheadMs = 0;
      const [heidi, ivan] = [await createActor(server), await createActor(server)];
      const conversationId = await createConversation(server, {
        members: [{ id: heidi.id, role: 'owner' }, { id: ivan.id }],
      });
      const h = await openDevice(heidi);
      const i = await openDevice(ivan);
      await send(h, conversationId, 'before the upgrade');
      // What an older client stored: no leaf age, no count.
      const stored = await h.e2eeStore.getGroupPosition(conversationId);
      assert.ok(stored);
      await h.e2eeStore.putGroupPosition(conversationId, {
        joinedEpoch: stored.joinedEpoch,
        lastCommitSeq: stored.lastCommitSeq,
      });
      const epoch = await epochOf(conversationId, heidi);
      clockAheadMs = 30 * DAY;
      await send(h, conversationId, 'first after the upgrade');
      assert.equal(await epochOf(conversationId, heidi), epoch, 'the period starts now');
      clockAheadMs = 37 * DAY + 60_000;
      await send(h, conversationId, 'a week after the upgrade');
      assert.equal(await epochOf(conversationId, heidi), epoch + 1, 'renewed once the period has passed');
      await reads(i, conversationId, 'a week after the upgrade');
      assert.deepEqual([...h.warnings, ...i.warnings], []);
    });

    it('a send asks for the live devices of all members in exactly one request', async () => {
      clockAheadMs = 0;
      const actors = [
        await createActor(server),
        await createActor(server),
        await createActor(server),
        await createActor(server),
      ];
      const [grace, ...others] = actors as [TestActor, ...TestActor[]];
      const conversationId = await createConversation(server, {
        members: actors.map((x, i) => ({
          id: x.id,
          role: i === 0 ? ('owner' as const) : ('member' as const),
        })),
      });
      const watched = countingFetch();
      const g = await openDevice(grace, { fetch: watched.fetch });
      const readers = [];
      for (const other of others) readers.push(await openDevice(other));
      // One member has a second device: still one request.
      readers.push(
        await openDevice(others[0]!, { identityFrom: readers[0]! }, await newSession(server, others[0]!)),
      );
      await send(g, conversationId, 'group set up');
      for (const reader of readers) await reads(reader, conversationId, 'group set up');

      watched.requests.length = 0;
      await send(g, conversationId, 'counted');
      const liveDeviceRequests = watched.requests.filter((r) => r.endsWith('/mls/live-devices'));
      assert.deepEqual(liveDeviceRequests, [`GET /api/v1/conversations/${conversationId}/mls/live-devices`]);
      assert.deepEqual(
        watched.requests.filter((r) => r.includes('/e2ee/users/')),
        [],
        'no request per user',
      );
      for (const reader of readers) await reads(reader, conversationId, 'counted');
    });
  });
}
