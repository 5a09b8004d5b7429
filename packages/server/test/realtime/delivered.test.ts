import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { DeliveriesResponse, SendEventAck, SyncResponse, UserId } from '@enlets/protocol';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createActor, newSession, type TestActor } from '../helpers/actors.js';
import { createConversation, newClientId, payload } from '../helpers/conversations.js';
import { connectWs, settle, type Frame, type WsClient } from '../helpers/ws.js';

/** A device: its connection and its id (the session id the server said `ready` with). */
interface Device {
  readonly ws: WsClient;
  readonly id: string;
}

for (const dialect of DIALECTS) {
  describe(`realtime/delivered [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    let mallory: TestActor;
    const open: WsClient[] = [];

    before(async () => {
      server = await startTestServer(dialect);
      alice = await createActor(server);
      bob = await createActor(server);
      mallory = await createActor(server);
    });
    after(async () => {
      for (const ws of open) await ws.close();
      await server.close();
    });

    const device = async (token: string): Promise<Device> => {
      const ws = await connectWs(server, { token });
      open.push(ws);
      const ready = ws.frames.find((f) => f.type === 'ready');
      return { ws, id: String(ready?.['sessionId']) };
    };
    const send = async (conversationId: string, text: string, actor = alice): Promise<number> => {
      const res = await server.api.post<SendEventAck>(
        `/api/v1/conversations/${conversationId}/events`,
        { clientMessageId: newClientId(), kind: 'message', payload: payload(text) },
        { token: actor.token },
      );
      assert.equal(res.status, 200);
      return res.body.seq;
    };
    const deliveredTo = async (conversationId: string, seq: number, actor = alice) => {
      const res = await server.api.get<DeliveriesResponse>(
        `/api/v1/conversations/${conversationId}/deliveries?seq=${String(seq)}`,
        { token: actor.token },
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.deliveredTo;
    };
    const delivered = (ws: WsClient, conversationId: string, seq: number): void => {
      ws.send({ type: 'delivered', positions: [{ conversationId, seq }] });
    };
    /** Frames are handled in order: once the ping is answered, the frames before it were handled. */
    const fence = async (ws: WsClient): Promise<void> => {
      await ws.request({ type: 'ping' });
    };
    const flush = async (...devices: Device[]): Promise<void> => {
      for (const d of devices) await fence(d.ws);
      await server.built.gateway.flushDeliveries();
    };
    const notices = (ws: WsClient, conversationId: string): Frame[] =>
      ws.frames.filter((f) => f.type === 'delivered' && f['conversationId'] === conversationId);

    it('shows the sender which member devices stored a message, and tells them live', async () => {
      const conversation = await createConversation(server, {
        kind: 'direct',
        members: [{ id: alice.id }, { id: bob.id }],
      });
      const aliceWs = await device(await newSession(server, alice));
      const phone = await device(await newSession(server, bob));
      const laptop = await device(await newSession(server, bob));
      const first = await send(conversation, 'one');
      const second = await send(conversation, 'two');

      delivered(phone.ws, conversation, second);
      delivered(laptop.ws, conversation, first);
      await flush(phone, laptop);

      assert.deepEqual(
        (await deliveredTo(conversation, second)).map((d) => d.deviceId),
        [phone.id],
        'only the phone has the second message',
      );
      const both = await deliveredTo(conversation, first);
      assert.deepEqual(
        both.map((d) => [d.userId, d.deviceId, d.deliveredSeq]).sort(),
        [
          [bob.id, phone.id, second],
          [bob.id, laptop.id, first],
        ].sort(),
      );

      const notice = await aliceWs.ws.waitFor(
        (f) => f.type === 'delivered' && f['conversationId'] === conversation,
      );
      assert.deepEqual(
        (notice['devices'] as Array<{ deviceId: string; userId: UserId; seq: number }>)
          .map((d) => [d.userId, d.deviceId, d.seq])
          .sort(),
        [
          [bob.id, phone.id, second],
          [bob.id, laptop.id, first],
        ].sort(),
        'one notice for the whole flush, with every device that moved',
      );
    });

    it('coalesces reports, moves forward only and never past the newest event', async () => {
      const conversation = await createConversation(server, { members: [{ id: alice.id }, { id: bob.id }] });
      const aliceWs = await device(await newSession(server, alice));
      const phone = await device(await newSession(server, bob));
      const seqs = [];
      for (let i = 0; i < 3; i += 1) seqs.push(await send(conversation, `m${String(i)}`));
      const head = seqs[2]!;

      for (const seq of seqs) delivered(phone.ws, conversation, seq);
      await flush(phone);
      await aliceWs.ws.waitFor((f) => f.type === 'delivered' && f['conversationId'] === conversation);
      await settle(100);
      assert.equal(notices(aliceWs.ws, conversation).length, 1, 'three reports, one notice');

      // A late, older report does not move the position back, nor tell anyone anything.
      delivered(phone.ws, conversation, seqs[0]!);
      await flush(phone);
      assert.deepEqual(
        (await deliveredTo(conversation, seqs[0]!)).map((d) => d.deliveredSeq),
        [head],
      );

      // A seq beyond the head (a confused or lying client) counts as the head.
      delivered(phone.ws, conversation, head + 1000);
      await flush(phone);
      assert.deepEqual(
        (await deliveredTo(conversation, 1)).map((d) => d.deliveredSeq),
        [head],
      );
      await settle(100);
      assert.equal(notices(aliceWs.ws, conversation).length, 1, 'nothing moved, nothing told');
    });

    it('counts a resume from a sync token as delivered up to the token', async () => {
      const conversation = await createConversation(server, { members: [{ id: alice.id }, { id: bob.id }] });
      const seq = await send(conversation, 'before the device synced');
      const tablet = await device(await newSession(server, bob));
      const first = await tablet.ws.request({ type: 'sync' });
      assert.equal(first.type, 'synced');
      await flush(tablet);
      assert.deepEqual(await deliveredTo(conversation, seq), [], 'a fresh device has stored nothing yet');

      await tablet.ws.request({ type: 'sync', token: first['token'] });
      await flush(tablet);
      assert.deepEqual(
        (await deliveredTo(conversation, seq)).map((d) => d.deviceId),
        [tablet.id],
      );
    });

    it('counts an HTTP sync from a token as delivered too (a polling device without a WebSocket)', async () => {
      const conversation = await createConversation(server, { members: [{ id: alice.id }, { id: bob.id }] });
      const seq = await send(conversation, 'for the polling device');
      const poller = await newSession(server, bob);
      const first = await server.api.post<SyncResponse>('/api/v1/sync', {}, { token: poller });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(
        await deliveredTo(conversation, seq),
        [],
        'a first sync without a token proves nothing',
      );

      const second = await server.api.post<SyncResponse>(
        '/api/v1/sync',
        { token: first.body.token },
        { token: poller },
      );
      assert.equal(second.status, 200, JSON.stringify(second.body));
      const devices = await deliveredTo(conversation, seq);
      assert.equal(devices.length, 1, 'the polling device stored the message');
      assert.equal(devices[0]?.userId, bob.id);
    });

    it('stores nothing for a conversation the device is not in, and answers nothing either way', async () => {
      const conversation = await createConversation(server, { members: [{ id: alice.id }, { id: bob.id }] });
      const seq = await send(conversation, 'private');
      const intruder = await device(mallory.token);
      delivered(intruder.ws, conversation, seq);
      delivered(intruder.ws, randomUUID(), 1);
      await flush(intruder);
      assert.deepEqual(await deliveredTo(conversation, 1), []);
      assert.deepEqual(
        intruder.ws.frames.filter((f) => f.type === 'error'),
        [],
        'no difference between "not yours" and "does not exist"',
      );
      const asMallory = await server.api.get(`/api/v1/conversations/${conversation}/deliveries?seq=1`, {
        token: mallory.token,
      });
      assert.equal(asMallory.status, 404);
    });

    it('follows the read receipts opt-out: hidden devices are neither shown nor told', async () => {
      const carol = await createActor(server);
      const conversation = await createConversation(server, {
        members: [{ id: alice.id }, { id: carol.id }],
      });
      const seq = await send(conversation, 'hello carol');
      const setReceipts = async (actor: TestActor, enabled: boolean) => {
        const res = await server.api.put('/api/v1/me/read-receipts', { enabled }, { token: actor.token });
        assert.equal(res.status, 200);
      };
      await setReceipts(carol, false);
      const carolPhone = await device(await newSession(server, carol));
      const aliceWs = await device(await newSession(server, alice));
      delivered(carolPhone.ws, conversation, seq);
      await flush(carolPhone);
      assert.deepEqual(await deliveredTo(conversation, seq), [], 'carol hides her delivered state');
      await settle(100);
      assert.equal(notices(aliceWs.ws, conversation).length, 0);

      // With receipts on again carol's device shows; alice, hiding hers, sees nobody's.
      await setReceipts(carol, true);
      assert.deepEqual(
        (await deliveredTo(conversation, seq)).map((d) => d.deviceId),
        [carolPhone.id],
      );
      await setReceipts(alice, false);
      assert.deepEqual(await deliveredTo(conversation, seq), []);
      await setReceipts(alice, true);
    });

    it('keeps channel deliveries to be asked for, without live notices to every member', async () => {
      const conversation = await createConversation(server, {
        kind: 'channel',
        members: [{ id: alice.id, role: 'owner' }, { id: bob.id }],
      });
      const seq = await send(conversation, 'to the channel');
      const aliceWs = await device(await newSession(server, alice));
      const phone = await device(await newSession(server, bob));
      delivered(phone.ws, conversation, seq);
      await flush(phone);
      assert.deepEqual(
        (await deliveredTo(conversation, seq)).map((d) => d.deviceId),
        [phone.id],
      );
      await settle(100);
      assert.equal(notices(aliceWs.ws, conversation).length, 0);
    });

    it('refuses a malformed delivered frame with a clear error', async () => {
      const ws = (await device(await newSession(server, bob))).ws;
      const answer = await ws.request({ type: 'delivered', positions: [] });
      assert.equal(answer['code'], 'VALIDATION_FAILED');
    });
  });
}
