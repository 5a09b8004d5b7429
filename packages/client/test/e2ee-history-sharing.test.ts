import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { restoreMlsDevice, SecretBytes, TrustStore } from '@enlets/crypto';
import {
  decodeContent,
  encodeContent,
  HistorySharingOffError,
  HttpTrustDirectory,
  uploadHistoryBundle,
  type HistoryBundle,
  type HistoryImport,
  type SecureEvent,
} from '@enlets/client';
import type { EventRangeResponse, HistoryShareRecorded } from '@enlets/protocol';
import { updateConversation } from '../../server/src/storage/repositories/conversations.js';
import { listAuditEntries } from '../../server/src/storage/repositories/audit-log.js';
import { DIALECTS } from '../../server/test/helpers/dialects.js';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { createActor, type TestActor } from '../../server/test/helpers/actors.js';
import { createConversation } from '../../server/test/helpers/conversations.js';
import { text, waitFor } from './helpers.js';
import { openSecureDevice, type SecureTestDevice, savedGroupOf } from './secure-device.js';

/** A test device that also records the history shares it imported. */
interface Device extends SecureTestDevice {
  readonly imports: HistoryImport[];
}

/**
 * History for newcomers (docs/decisions/0016-history-for-newcomers.md) through the real client and server: with
 * the setting on, a member's device shares what came before with a newcomer, whose device shows it as "shared
 * by" and whose admins find the share in the audit log; with it off, the newcomer's device has no key that
 * opens anything earlier and nobody can record a share; a forged bundle is refused visibly and shows nothing.
 */
for (const dialect of DIALECTS) {
  describe(`client/e2ee history for newcomers through the real server [${dialect}]`, () => {
    let server: TestServer;
    const devices: Device[] = [];

    const openDevice = async (actor: TestActor): Promise<Device> => {
      const device = await openSecureDevice(server.url, actor.id, actor.token);
      const imports: HistoryImport[] = [];
      device.messenger.on('historyShared', (result) => imports.push(result));
      const recorded = { ...device, imports };
      devices.push(recorded);
      return recorded;
    };
    const setHistory = async (actor: TestActor, conversationId: string, value: 'on' | 'off') => {
      return server.api.put(
        `/api/v1/conversations/${conversationId}/history-for-newcomers`,
        { historyForNewcomers: value },
        { token: actor.token },
      );
    };
    const addMember = async (actor: TestActor, conversationId: string, newcomer: TestActor) => {
      const added = await server.api.post(
        `/api/v1/conversations/${conversationId}/members`,
        { userIds: [newcomer.id] },
        { token: actor.token },
      );
      assert.equal(added.status, 200, JSON.stringify(added.body));
    };
    const sendAndWait = async (from: Device, to: Device, conversationId: string, words: string) => {
      const sent = await from.messenger.send(conversationId, encodeContent({ type: 'text', text: words }));
      const ack = await sent.acknowledged;
      await waitFor(
        async () => ((await to.e2eeStore.getContent(conversationId, ack.seq)) ? true : undefined),
        `"${words}" read`,
      );
      await waitFor(
        async () => ((await from.e2eeStore.getContent(conversationId, ack.seq)) ? true : undefined),
        `"${words}" stored by its sender`,
      );
      return ack.seq;
    };
    /** Waits until the device has been through every event the server has for it in the conversation. */
    const caughtUp = async (device: Device, actor: TestActor, conversationId: string) => {
      const page = await server.api.get<EventRangeResponse>(
        `/api/v1/conversations/${conversationId}/events?beforeSeq=${String(Number.MAX_SAFE_INTEGER)}&limit=1`,
        { token: actor.token },
      );
      const head = page.body.headSeq;
      await waitFor(
        async () => ((await device.e2eeStore.getDecryptedUpTo(conversationId)) >= head ? true : undefined),
        'the device caught up',
      );
    };
    const textOf = (shown: SecureEvent): string | null => {
      if (shown.content === null) return null;
      const content = decodeContent(shown.content);
      return content.type === 'text' ? content.text : null;
    };
    const auditOf = async (conversationId: string) =>
      (await listAuditEntries(server.built.services.db, 0, 10_000)).filter(
        (e) => e.targetId === conversationId,
      );

    before(async () => {
      server = await startTestServer(dialect, { config: { rateLimitPerMinute: 1_000_000 } });
      // KeyPackages carry real lifetimes from the device's clock; the server checks them against its own.
      server.clock.advance(Date.now() - server.clock.now());
    });
    after(async () => {
      await Promise.all(devices.map((d) => d.stop()));
      await server.close();
    });

    it('on: a newcomer reads the shared history, marked as shared by the sharer, and the share is audited', async () => {
      const [alice, bob, carol] = [
        await createActor(server),
        await createActor(server),
        await createActor(server),
      ];
      const conversationId = await createConversation(server, {
        members: [{ id: alice.id, role: 'owner' }, { id: bob.id }],
      });
      assert.equal((await setHistory(alice, conversationId, 'on')).status, 200);
      const a = await openDevice(alice);
      const b = await openDevice(bob);
      const first = await sendAndWait(a, b, conversationId, 'Operation Nordlicht starts at 06:00');
      const second = await sendAndWait(b, a, conversationId, 'Copy that, team ready');

      // Bob adds Carol and his device shares what it can read with her.
      await addMember(bob, conversationId, carol);
      const c = await openDevice(carol);
      const result = await b.messenger.shareHistory(conversationId, carol.id);
      assert.deepEqual(result && { shared: result.shared, fromSeq: result.fromSeq, toSeq: result.toSeq }, {
        shared: 2,
        fromSeq: first,
        toSeq: second,
      });

      const imported = await waitFor(() => c.imports[0], "carol's device imports the share");
      assert.deepEqual(imported, {
        conversationId,
        seq: imported.seq,
        sharedBy: bob.id,
        imported: 2,
      });
      const history = await c.messenger.history(conversationId);
      const shared = history.filter((e) => e.status === 'shared');
      assert.deepEqual(
        shared.map((e) => [e.event.seq, e.event.senderId, e.sharedBy, textOf(e)]),
        [
          [first, alice.id, bob.id, 'Operation Nordlicht starts at 06:00'],
          [second, bob.id, bob.id, 'Copy that, team ready'],
        ],
      );

      // From here on she reads the group herself.
      const after = await sendAndWait(a, c, conversationId, 'Welcome, Carol');
      const own = await c.e2eeStore.getContent(conversationId, after);
      assert.equal(own?.status, 'decrypted');
      assert.equal(text(own.content)?.includes('Welcome, Carol'), true);

      // The audit log says who shared what with whom, and nothing of the content.
      const audit = await auditOf(conversationId);
      const share = audit.find((e) => e.action === 'history.shared');
      assert.ok(share, 'the share is in the audit log');
      assert.equal(share.actorId, bob.id);
      assert.deepEqual(share.details, {
        recipientId: carol.id,
        deviceId: b.deviceId,
        fromSeq: first,
        toSeq: second,
        eventSeq: result?.recordSeq,
      });
      assert.equal(JSON.stringify(audit).includes('Nordlicht'), false);
      for (const device of [a, b, c]) assert.deepEqual(device.warnings, [], 'no security warnings');
    });

    it('off: the newcomer has no key for anything earlier, clients send no bundle and the server records none', async () => {
      const [dave, erin, frank] = [
        await createActor(server),
        await createActor(server),
        await createActor(server),
      ];
      const conversationId = await createConversation(server, {
        members: [{ id: dave.id, role: 'owner' }, { id: erin.id }],
      });
      // The server lists earlier events (ciphertext and metadata) to newcomers, as a channel with visible history
      // does: what keeps them unreadable is cryptography, not the server's discretion.
      await updateConversation(
        server.built.services.db,
        conversationId,
        { historyVisible: true },
        server.clock.now(),
      );
      // Only the owner and managers change the setting.
      const byMember = await setHistory(erin, conversationId, 'on');
      assert.equal(byMember.status, 403);
      assert.equal((byMember.body as { error?: { code?: string } }).error?.code, 'FORBIDDEN');

      const d = await openDevice(dave);
      const e = await openDevice(erin);
      const secret = await sendAndWait(d, e, conversationId, 'Raid at dawn, Hangar 4');
      await addMember(dave, conversationId, frank);
      const f = await openDevice(frank);
      await f.messenger.ensureJoined(conversationId);

      await assert.rejects(d.messenger.shareHistory(conversationId, frank.id), HistorySharingOffError);
      const refused = await server.api.post<HistoryShareRecorded>(
        `/api/v1/conversations/${conversationId}/history-shares`,
        { recipientId: frank.id, fromSeq: secret, toSeq: secret },
        { token: dave.token },
      );
      assert.equal(refused.status, 409);
      assert.equal(
        (refused.body as unknown as { error: { code: string } }).error.code,
        'HISTORY_SHARING_OFF',
      );

      // Frank's device lists the earlier message but cannot read it…
      await caughtUp(f, frank, conversationId);
      const history = await f.messenger.history(conversationId);
      const earlier = history.find((x) => x.event.seq === secret);
      assert.equal(earlier?.status, 'unavailable');
      assert.equal(earlier.content, null);
      // …and no key it holds opens it: its group state refuses the ciphertext the server handed over.
      assert.ok(earlier.event.payload);
      const deviceSecret = await f.e2eeStore.getSecret('device');
      const groupState = await savedGroupOf(f, conversationId);
      assert.ok(deviceSecret && groupState);
      const mls = await restoreMlsDevice(
        new SecretBytes(deviceSecret),
        new TrustStore(f.e2eeStore, new HttpTrustDirectory(f.session.http)),
      );
      const group = await mls.restoreGroup(new SecretBytes(groupState));
      const opened = await group.process(new Uint8Array(Buffer.from(earlier.event.payload, 'base64')));
      assert.equal(opened.kind, 'refused');

      // What follows the join is readable: the device works, history is simply not its to read.
      await sendAndWait(d, f, conversationId, 'Frank, you drive');
      assert.deepEqual(
        (await auditOf(conversationId)).filter((x) => x.action === 'history.shared'),
        [],
        'no share recorded',
      );
      assert.deepEqual(f.imports, []);
    });

    it('a forged bundle (another conversation, another sharer, re-attributed entries) is refused visibly', async () => {
      const [gina, mallory, nina] = [
        await createActor(server),
        await createActor(server),
        await createActor(server),
      ];
      const members = [{ id: gina.id, role: 'owner' as const }, { id: mallory.id }];
      const conversationId = await createConversation(server, { members });
      const otherConversationId = await createConversation(server, { members });
      for (const id of [conversationId, otherConversationId])
        assert.equal((await setHistory(gina, id, 'on')).status, 200);
      const g = await openDevice(gina);
      const m = await openDevice(mallory);
      const real = await sendAndWait(g, m, conversationId, 'The informant is reliable');
      await addMember(gina, conversationId, nina);
      const n = await openDevice(nina);
      await n.messenger.ensureJoined(conversationId);
      await caughtUp(m, mallory, conversationId);

      const forged = encodeContent({ type: 'text', text: 'The informant is compromised' });
      const entry = { seq: real, senderId: gina.id, senderDeviceId: g.deviceId, content: forged };
      const honest: HistoryBundle = {
        conversationId,
        sharedBy: { userId: mallory.id, deviceId: m.deviceId },
        recipientId: nina.id,
        fromSeq: real,
        toSeq: real,
        entries: [entry],
      };
      // Mallory's client records each share (the setting is on) and sends a key, as an honest one would.
      const sendForged = async (bundle: HistoryBundle): Promise<number> => {
        const reference = await uploadHistoryBundle(m.session.http, conversationId, bundle);
        const recorded = await m.session.http.post<HistoryShareRecorded>(
          `/conversations/${conversationId}/history-shares`,
          { recipientId: nina.id, fromSeq: real, toSeq: real },
        );
        const key = encodeContent({
          type: 'history-share',
          recipientId: nina.id,
          recordSeq: recorded.seq,
          fromSeq: real,
          toSeq: real,
          bundle: reference,
        });
        const sent = await m.messenger.send(conversationId, key, { attachments: [reference.blobId] });
        return (await sent.acknowledged).seq;
      };
      const cases: Array<[HistoryBundle, RegExp]> = [
        [{ ...honest, conversationId: otherConversationId }, /another conversation/],
        [{ ...honest, sharedBy: { userId: gina.id, deviceId: g.deviceId } }, /another sharer/],
        [
          { ...honest, entries: [{ ...entry, senderId: mallory.id, senderDeviceId: m.deviceId }] },
          /attributes messages to someone else/,
        ],
      ];
      for (const [bundle, reason] of cases) {
        const seq = await sendForged(bundle);
        const warning = await waitFor(
          () => n.warnings.find((w) => w.seq === seq),
          `nina's device refuses the forgery ${String(reason)}`,
        );
        assert.match(warning.reason, reason);
      }
      // Nothing forged is shown: the message Gina wrote stays unreadable to Nina rather than falsified.
      assert.equal(
        (await n.e2eeStore.getContent(conversationId, real))?.status ?? 'unavailable',
        'unavailable',
      );
      assert.deepEqual(n.imports, [], 'no forged bundle was imported, not even in part');
      // Gina's and Mallory's devices saw shares addressed to someone else and ignored them.
      for (const device of [g, m]) assert.deepEqual(device.imports, []);
    });
  });
}
