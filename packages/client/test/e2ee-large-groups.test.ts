import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { HttpTrustDirectory } from '@enlets/client';
import {
  fromBase64Url,
  restoreMlsDevice,
  SecretBytes,
  toBase64Url,
  TrustStore,
  type MlsGroup,
} from '@enlets/crypto';
import type {
  ClaimKeyPackagesResponse,
  ConversationEvent,
  EventRangeResponse,
  MlsGroupInfoResponse,
  MlsLiveDevicesResponse,
} from '@enlets/protocol';
import { listAuditEntries } from '../../server/src/storage/repositories/audit-log.js';
import { DIALECTS } from '../../server/test/helpers/dialects.js';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { createActor, type TestActor } from '../../server/test/helpers/actors.js';
import { createConversation } from '../../server/test/helpers/conversations.js';
import { text, utf8, waitFor } from './helpers.js';
import {
  openSecureDevice,
  type SecureDeviceOptions,
  type SecureTestDevice as Device,
  savedGroupOf,
} from './secure-device.js';

/** Lowered from the default 200 so that a test group of a few dozen members is "large". */
const LARGE_GROUP_MEMBERS = 10;
const GRACE_MS = 60_000;
const DAY = 24 * 60 * 60 * 1000;

/**
 * Large groups (ADR 0021): from a member count on, only the owner and managers commit membership changes, and a
 * manager's device commits joins and leaves in batches; other devices wait for a Welcome, may only self-update
 * (rate-limited per device), and content is accepted for a bounded grace while a removal waits for its batch.
 * Devices that only read renew their leaf once it is old.
 */
for (const dialect of DIALECTS) {
  describe(`client/e2ee: large groups, batch commits and leaf renewal [${dialect}]`, () => {
    let server: TestServer;
    const devices: Device[] = [];
    /** The reader's own clock runs this far ahead of the machine's (the server's is moved by hand). */
    let readerClockAheadMs = 0;

    const openDevice = async (actor: TestActor, options: SecureDeviceOptions = {}): Promise<Device> => {
      const device = await openSecureDevice(server.url, actor.id, actor.token, options);
      devices.push(device);
      return device;
    };
    const log = async (conversationId: string, actor: TestActor): Promise<ConversationEvent[]> => {
      const res = await server.api.get<EventRangeResponse>(
        `/api/v1/conversations/${conversationId}/events?afterSeq=0&limit=500`,
        { token: actor.token },
      );
      assert.equal(res.status, 200);
      return res.body.events;
    };
    const commitsAfter = async (conversationId: string, actor: TestActor, seq: number) =>
      (await log(conversationId, actor)).filter((e) => e.kind === 'mls.commit' && e.seq > seq);
    const lastSeq = async (conversationId: string, actor: TestActor): Promise<number> =>
      Math.max(0, ...(await log(conversationId, actor)).map((e) => e.seq));
    const reads = (device: Device, conversationId: string, words: string) =>
      waitFor(
        () => (device.texts(conversationId).includes(words) ? true : undefined),
        `"${words}" decrypted by ${device.deviceId}`,
        // 25 devices in one process, each checking 20 newcomers' credentials, on a shared machine.
        180_000,
      );
    const send = async (device: Device, conversationId: string, words: string) =>
      (await device.messenger.send(conversationId, utf8(words))).acknowledged;
    /** A second copy of the device's group, to submit hand-made commits the client itself would not make. */
    const copyOfGroup = async (device: Device, conversationId: string): Promise<MlsGroup> => {
      const saved = await device.e2eeStore.getSecret('device');
      const group = await savedGroupOf(device, conversationId);
      assert.ok(saved && group, 'the device is in the group');
      const mls = await restoreMlsDevice(
        new SecretBytes(Uint8Array.from(saved)),
        new TrustStore(device.e2eeStore, new HttpTrustDirectory(device.session.http)),
      );
      return mls.restoreGroup(new SecretBytes(Uint8Array.from(group)));
    };
    const submit = (
      conversationId: string,
      actor: TestActor,
      bundle: { epoch: bigint; commit: Uint8Array; groupInfo: Uint8Array; welcome?: Uint8Array | undefined },
    ) =>
      server.api.post<{ error: { code: string; details?: Record<string, unknown> } }>(
        `/api/v1/conversations/${conversationId}/mls/commits`,
        {
          epoch: Number(bundle.epoch),
          commit: toBase64Url(bundle.commit),
          groupInfo: toBase64Url(bundle.groupInfo),
          ...(bundle.welcome === undefined ? {} : { welcome: toBase64Url(bundle.welcome) }),
        },
        { token: actor.token },
      );
    const removeMember = async (conversationId: string, by: TestActor, who: TestActor) => {
      const res = await server.api.post(
        `/api/v1/conversations/${conversationId}/members/${who.id}/remove`,
        {},
        {
          token: by.token,
        },
      );
      assert.ok(res.status < 300, `removal answered ${String(res.status)}`);
    };

    before(async () => {
      server = await startTestServer(dialect, {
        config: {
          rateLimitPerMinute: 1_000_000,
          mlsLargeGroupMembers: LARGE_GROUP_MEMBERS,
          mlsRemovalGraceMs: GRACE_MS,
          mlsSelfUpdateMinIntervalMs: 60 * 60 * 1000,
        },
      });
      // KeyPackages carry real lifetimes from the device's clock; the server checks them against its own.
      server.clock.advance(Date.now() - server.clock.now());
    });
    after(async () => {
      await Promise.all(devices.map((d) => d.stop()));
      await server.close();
    });

    it('20 joins and 5 leaves go in one manager batch; others may not add, join externally, or remove within the grace; content waits for no one within the grace and for the removal after it', async () => {
      const alice = await createActor(server); // the owner: her device batches
      const bob = await createActor(server);
      const carol = await createActor(server);
      const leavers = await Promise.all(Array.from({ length: 5 }, () => createActor(server)));
      // Members without a device of their own yet: the group stays large after six leave.
      const idle = await Promise.all(Array.from({ length: 8 }, () => createActor(server)));
      const joiners = await Promise.all(Array.from({ length: 20 }, () => createActor(server)));
      const conversationId = await createConversation(server, {
        members: [
          { id: alice.id, role: 'owner' },
          { id: bob.id },
          { id: carol.id },
          ...[...leavers, ...idle].map((a) => ({ id: a.id })),
        ],
      });
      // 25 announced changes start a batch at once; the timer alone would wait an hour.
      const a = await openDevice(alice, { batchCommits: { intervalMs: 60 * 60 * 1000, maxPending: 25 } });
      const b = await openDevice(bob);
      const c = await openDevice(carol);
      const l = await Promise.all(leavers.map((actor) => openDevice(actor)));
      await send(a, conversationId, 'channel opened');
      for (const device of [b, c, ...l]) await reads(device, conversationId, 'channel opened');

      // The joiners' devices are signed in (their KeyPackages are on the server) before they become members.
      const j = await Promise.all(joiners.map((actor) => openDevice(actor)));

      // The five leave. Within the grace, content is accepted without anyone committing their removal.
      for (const leaver of leavers) await removeMember(conversationId, alice, leaver);
      const beforeGrace = await lastSeq(conversationId, alice);
      const during = await b.messenger.send(conversationId, utf8('while the removal waits'));
      assert.equal((await during.acknowledged).clientMessageId, during.clientMessageId, 'accepted at once');
      assert.deepEqual(await commitsAfter(conversationId, alice, beforeGrace), [], 'nobody committed');

      // Bob is no manager: his removal commit is refused while the grace runs, his Add always.
      const bobsGroup = await copyOfGroup(b, conversationId);
      const ownLeaf = bobsGroup.ownLeafIndex;
      const leaverLeaf = bobsGroup
        .members()
        .find((m) => m.userId === leavers[0]?.id && m.leafIndex !== ownLeaf);
      assert.ok(leaverLeaf);
      const removal = await submit(
        conversationId,
        bob,
        await bobsGroup.removeMembers([{ leafIndex: leaverLeaf.leafIndex }]),
      );
      assert.equal(removal.status, 403);
      assert.equal(removal.body.error.code, 'MLS_LARGE_GROUP_MANAGERS_ONLY');
      assert.equal(removal.body.error.details?.['action'], 'remove');
      bobsGroup.discardCommit();

      // The twenty join (one request, one event): the 25 announced changes start Alice's batch.
      const added = await server.api.post(
        `/api/v1/conversations/${conversationId}/members`,
        {
          userIds: joiners.map((x) => x.id),
        },
        { token: alice.token },
      );
      assert.ok(added.status < 300, `adding answered ${String(added.status)}`);
      // Their devices wait for the batch's Welcome instead of joining by external commit (one commit each).
      await Promise.all(j.map((device) => device.messenger.ensureJoined(conversationId)));
      await waitFor(
        async () => ((await commitsAfter(conversationId, alice, beforeGrace)).length >= 2 ? true : undefined),
        'the manager batch',
        180_000,
      );
      await send(a, conversationId, 'welcome, all twenty');
      for (const device of [b, c, ...j]) await reads(device, conversationId, 'welcome, all twenty');
      // One batch of two commits (the 20 additions, then the 5 removals), both the manager's; no joiner committed.
      const batch = await commitsAfter(conversationId, alice, beforeGrace);
      assert.equal(batch.length, 2, 'one batch: the additions, then the removals');
      assert.ok(
        batch.every((e) => e.senderDeviceId === a.deviceId),
        'committed by the manager’s device',
      );
      const infoForBob = await server.api.get<MlsGroupInfoResponse>(
        `/api/v1/conversations/${conversationId}/mls/group-info`,
        { token: bob.token },
      );
      assert.equal(infoForBob.body.externalJoin, false, 'a member may not join by external commit');

      for (const device of l) {
        assert.equal(device.texts(conversationId).includes('welcome, all twenty'), false);
        assert.equal(await device.e2eeStore.getGroup(conversationId), undefined, 'the leaver left the group');
      }

      // A newcomer that is no manager: its external commit is refused, and so is Bob adding its device.
      const newcomer = await createActor(server);
      const n = await openDevice(newcomer);
      const joinedNewcomer = await server.api.post(
        `/api/v1/conversations/${conversationId}/members`,
        {
          userIds: [newcomer.id],
        },
        { token: alice.token },
      );
      assert.ok(joinedNewcomer.status < 300);
      const info = await server.api.get<MlsGroupInfoResponse>(
        `/api/v1/conversations/${conversationId}/mls/group-info`,
        { token: newcomer.token },
      );
      const external = await copyOfDevice(n).then((mls) =>
        mls.joinExternal(fromBase64Url(info.body.groupInfo)),
      );
      const externalAnswer = await submit(conversationId, newcomer, external);
      assert.equal(externalAnswer.status, 403);
      assert.equal(externalAnswer.body.error.code, 'MLS_LARGE_GROUP_MANAGERS_ONLY');
      assert.equal(externalAnswer.body.error.details?.['action'], 'external-commit');
      await n.messenger.ensureJoined(conversationId); // waits for a Welcome, without error
      await assert.rejects(n.messenger.send(conversationId, utf8('too early')), {
        name: 'WelcomePendingError',
      });

      const claim = await server.api.post<ClaimKeyPackagesResponse>(
        '/api/v1/e2ee/key-packages/claim',
        {
          userIds: [newcomer.id],
        },
        { token: bob.token },
      );
      assert.equal(claim.status, 200);
      const bobsNow = await copyOfGroup(b, conversationId);
      const addByBob = await submit(
        conversationId,
        bob,
        await bobsNow.addMembers(claim.body.keyPackages.map((k) => fromBase64Url(k.keyPackage))),
      );
      assert.equal(addByBob.status, 403);
      assert.equal(addByBob.body.error.code, 'MLS_LARGE_GROUP_MANAGERS_ONLY');
      assert.equal(addByBob.body.error.details?.['action'], 'add');
      // The manager's next batch brings the newcomer in.
      assert.deepEqual(await a.messenger.commitPendingChanges(conversationId), { added: 1, removed: 0 });
      // (From the committer: a device that has not processed the commit yet encrypts for the epoch before it.)
      await send(a, conversationId, 'hello newcomer');
      await reads(n, conversationId, 'hello newcomer');

      // After the grace a pending removal blocks content again, and then anyone may commit it.
      await removeMember(conversationId, alice, carol);
      const payload = (await log(conversationId, bob)).find(
        (e) => e.kind === 'message' && e.senderId === bob.id,
      )?.payload;
      assert.ok(payload);
      const rawSend = (clientMessageId: string) =>
        server.api.post<{ error: { code: string } }>(
          `/api/v1/conversations/${conversationId}/events`,
          {
            kind: 'message',
            clientMessageId,
            payload,
          },
          { token: bob.token },
        );
      assert.ok((await rawSend(randomUUID())).status < 300, 'accepted within the grace');
      server.clock.advance(GRACE_MS + 1);
      const refused = await rawSend(randomUUID());
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, 'MLS_COMMIT_REQUIRED');
      const rules = await server.api.get<MlsLiveDevicesResponse>(
        `/api/v1/conversations/${conversationId}/mls/live-devices`,
        { token: bob.token },
      );
      assert.deepEqual(rules.body.membershipCommits, { largeGroup: true, mayAdd: false, mayRemove: true });
      const seqBefore = await lastSeq(conversationId, bob);
      await send(b, conversationId, 'after the grace');
      const removedByBob = await commitsAfter(conversationId, bob, seqBefore);
      assert.equal(removedByBob[0]?.senderDeviceId, b.deviceId, 'bob committed the removal himself');
      await reads(j[0] as Device, conversationId, 'after the grace');
      assert.equal(c.texts(conversationId).includes('after the grace'), false);

      for (const device of [a, b, ...j, n]) assert.deepEqual(device.warnings, [], 'no security warnings');
    });

    it('history on: a newcomer whom an ordinary member let in gets what came before from the batch of the manager device that added her', async () => {
      const alice = await createActor(server); // the owner: her device batches
      const bob = await createActor(server);
      const dana = await createActor(server);
      const idle = await Promise.all(Array.from({ length: LARGE_GROUP_MEMBERS }, () => createActor(server)));
      const conversationId = await createConversation(server, {
        members: [{ id: alice.id, role: 'owner' }, { id: bob.id }, ...idle.map((x) => ({ id: x.id }))],
      });
      const historyOn = await server.api.put(
        `/api/v1/conversations/${conversationId}/history-for-newcomers`,
        { historyForNewcomers: 'on' },
        { token: alice.token },
      );
      assert.equal(historyOn.status, 200);
      const a = await openDevice(alice, { batchCommits: { intervalMs: 60 * 60 * 1000, maxPending: 1 } });
      const b = await openDevice(bob);
      await send(a, conversationId, 'briefing at 07:00');
      await send(b, conversationId, 'bring the warrant');
      for (const device of [a, b]) await reads(device, conversationId, 'bring the warrant');
      const shares: { sharedBy: string; imported: number }[] = [];
      const d = await openDevice(dana);
      d.messenger.on('historyShared', (result) => shares.push(result));

      // Bob may let Dana in, but in a large group only a manager's device adds her devices to the MLS group.
      const added = await server.api.post(
        `/api/v1/conversations/${conversationId}/members`,
        { userIds: [dana.id] },
        { token: bob.token },
      );
      assert.equal(added.status, 200, JSON.stringify(added.body));
      const beforeBatch = await lastSeq(conversationId, alice);
      const joined: string[] = [];
      d.messenger.on('joined', (e) => joined.push(e.conversationId));
      assert.equal(
        await d.messenger.ensureJoined(conversationId),
        'awaiting-welcome',
        'her device may not join by itself: it waits for the batch (what the app shows)',
      );
      await waitFor(
        async () => ((await commitsAfter(conversationId, alice, beforeBatch)).length >= 1 ? true : undefined),
        "the manager's batch",
        180_000,
      );
      await send(a, conversationId, 'welcome, Dana');
      await reads(d, conversationId, 'welcome, Dana');
      assert.deepEqual(joined, [conversationId], 'the app hears when her device is in');
      assert.equal(await d.messenger.ensureJoined(conversationId), 'member');

      // Alice's batch shared what her device reads, once, recorded by the server as hers.
      const share = await waitFor(() => shares[0], "Dana's device imports the history", 180_000);
      assert.equal(share.sharedBy, alice.id);
      assert.equal(share.imported, 2);
      const shared = (await d.messenger.history(conversationId)).filter((e) => e.status === 'shared');
      assert.deepEqual(
        shared.map((e) => [e.sharedBy, text(e.content)]),
        [
          [alice.id, 'briefing at 07:00'],
          [alice.id, 'bring the warrant'],
        ],
        'Dana reads what came before she did, marked as shared by Alice',
      );
      const audit = await listAuditEntries(server.built.services.db, 0, 10_000);
      const records = audit.filter((e) => e.action === 'history.shared' && e.targetId === conversationId);
      assert.equal(records.length, 1, 'one share, audited');
      for (const device of [a, b, d]) assert.deepEqual(device.warnings, [], 'no security warnings');
    });

    it('a reader renews its leaf once it is older than the bound; a second renewal within the hour is refused', async () => {
      const owner = await createActor(server);
      const reader = await createActor(server);
      const others = await Promise.all(
        Array.from({ length: LARGE_GROUP_MEMBERS }, () => createActor(server)),
      );
      const conversationId = await createConversation(server, {
        members: [{ id: owner.id, role: 'owner' }, { id: reader.id }, ...others.map((x) => ({ id: x.id }))],
      });
      const o = await openDevice(owner);
      readerClockAheadMs = 0;
      const r = await openDevice(reader, {
        now: () => Date.now() + readerClockAheadMs,
        selfUpdate: { jitterMs: 0 },
      });
      await send(o, conversationId, 'first');
      await reads(r, conversationId, 'first');
      const start = await lastSeq(conversationId, owner);
      const renewalsBy = async () =>
        (await commitsAfter(conversationId, owner, start)).filter((e) => e.senderDeviceId === r.deviceId);

      // Six days: not due. Eight: the next event it reads makes it renew, without sending anything.
      readerClockAheadMs = 6 * DAY;
      await send(o, conversationId, 'six days later');
      await reads(r, conversationId, 'six days later');
      readerClockAheadMs = 8 * DAY;
      await send(o, conversationId, 'eight days later');
      await reads(r, conversationId, 'eight days later');
      await waitFor(
        async () => ((await renewalsBy()).length === 1 ? true : undefined),
        'the reader’s renewal',
      );
      await send(o, conversationId, 'after the renewal');
      await reads(r, conversationId, 'after the renewal');

      // Another period passes on the reader's clock, but the server's hour has not: the renewal is refused.
      readerClockAheadMs = 16 * DAY;
      await send(o, conversationId, 'sixteen days later');
      await reads(r, conversationId, 'sixteen days later');
      const copy = await copyOfGroup(r, conversationId);
      const again = await submit(conversationId, reader, await copy.selfUpdate());
      assert.equal(again.status, 429);
      assert.equal(again.body.error.code, 'MLS_SELF_UPDATE_TOO_SOON');
      assert.ok(Number(again.body.error.details?.['retryAfterMs']) > 0);
      await send(o, conversationId, 'still readable');
      await reads(r, conversationId, 'still readable');
      assert.equal((await renewalsBy()).length, 1, 'no second renewal within the hour');
      assert.deepEqual(r.warnings, []);
    });

    it('one device batches at a time: a second manager gets nothing while the first holds the lease, and takes over once it lapses', async () => {
      const alice = await createActor(server); // the owner
      const mona = await createActor(server); // a manager
      const [nina, omar] = [await createActor(server), await createActor(server)];
      const idle = await Promise.all(Array.from({ length: LARGE_GROUP_MEMBERS }, () => createActor(server)));
      const conversationId = await createConversation(server, {
        members: [
          { id: alice.id, role: 'owner' },
          { id: mona.id, role: 'manager' },
          ...idle.map((x) => ({ id: x.id })),
        ],
      });
      // Batches only when asked: the timer would wait an hour, no threshold is reached.
      const manual = { batchCommits: { intervalMs: 60 * 60 * 1000, maxPending: 1000 } };
      const a = await openDevice(alice, manual);
      const m = await openDevice(mona, manual);
      await send(a, conversationId, 'managers here');
      await reads(m, conversationId, 'managers here');
      const n = await openDevice(nina);
      const o = await openDevice(omar);
      const addMember = async (who: TestActor) => {
        const res = await server.api.post(
          `/api/v1/conversations/${conversationId}/members`,
          { userIds: [who.id] },
          { token: alice.token },
        );
        assert.equal(res.status, 200, JSON.stringify(res.body));
      };

      await addMember(nina);
      await n.messenger.ensureJoined(conversationId); // waits for a Welcome
      assert.deepEqual(await a.messenger.commitPendingChanges(conversationId), { added: 1, removed: 0 });
      await addMember(omar);
      await o.messenger.ensureJoined(conversationId);
      // Alice's device holds the lease: Mona's claims nothing, so no KeyPackage of Omar's is spent twice.
      assert.deepEqual(await m.messenger.commitPendingChanges(conversationId), { added: 0, removed: 0 });

      // Alice's device goes quiet: once its lease lapses, Mona's device batches.
      server.clock.advance(31_000);
      assert.deepEqual(await m.messenger.commitPendingChanges(conversationId), { added: 1, removed: 0 });
      await send(m, conversationId, 'welcome both');
      for (const device of [n, o]) await reads(device, conversationId, 'welcome both');
      for (const device of [a, m, n, o]) assert.deepEqual(device.warnings, [], 'no security warnings');
    });

    async function copyOfDevice(device: Device) {
      const saved = await device.e2eeStore.getSecret('device');
      assert.ok(saved);
      return restoreMlsDevice(
        new SecretBytes(Uint8Array.from(saved)),
        new TrustStore(device.e2eeStore, new HttpTrustDirectory(device.session.http)),
      );
    }
  });
}
