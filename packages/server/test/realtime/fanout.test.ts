import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SendEventAck } from '@enlets/protocol';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createActor, newSession, type TestActor } from '../helpers/actors.js';
import { createConversation, newClientId, payload } from '../helpers/conversations.js';
import { connectWs, settle, type Frame, type WsClient } from '../helpers/ws.js';

for (const dialect of DIALECTS) {
  describe(`realtime/fanout [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    let mallory: TestActor;
    let conversation: string;
    /** alice ×2, bob ×2 (members); mallory (not a member). */
    let aliceWs: WsClient[];
    let bobWs: WsClient[];
    let malloryWs: WsClient;

    before(async () => {
      server = await startTestServer(dialect);
      alice = await createActor(server);
      bob = await createActor(server);
      mallory = await createActor(server);
      conversation = await createConversation(server, {
        members: [{ id: alice.id, role: 'owner' }, { id: bob.id }],
      });
      // Mallory shares a different conversation with alice only: she must still see nothing of this one.
      await createConversation(server, { kind: 'channel', members: [{ id: alice.id }, { id: mallory.id }] });
      aliceWs = [
        await connectWs(server, { token: alice.token }),
        await connectWs(server, { token: await newSession(server, alice) }),
      ];
      bobWs = [
        await connectWs(server, { token: bob.token }),
        await connectWs(server, { token: await newSession(server, bob) }),
      ];
      malloryWs = await connectWs(server, { token: mallory.token });
    });
    after(async () => {
      for (const c of [...aliceWs, ...bobWs, malloryWs]) await c.close();
      await server.close();
    });

    it('delivers an event sent over the socket to every member connection once, never to others', async () => {
      const event = { clientMessageId: newClientId(), kind: 'message', payload: payload('to all devices') };
      const answer = await aliceWs[0]!.request({ type: 'send', conversationId: conversation, event });
      const seq = (answer['ack'] as SendEventAck).seq;
      for (const c of [...aliceWs, ...bobWs]) {
        const got = await c.waitFor((f) => isEvent(f, conversation, seq));
        assert.equal((got['event'] as { payload: string }).payload, event.payload);
      }
      // A retry is acknowledged again but not delivered again.
      await aliceWs[0]!.request({ type: 'send', conversationId: conversation, event });
      await settle();
      for (const c of [...aliceWs, ...bobWs]) {
        assert.equal(c.frames.filter((f) => isEvent(f, conversation, seq)).length, 1);
      }
      assert.equal(malloryWs.frames.filter((f) => f.type === 'event').length, 0);
    });

    it('delivers events sent over HTTP the same way', async () => {
      const res = await server.api.post<SendEventAck>(
        `/api/v1/conversations/${conversation}/events`,
        { clientMessageId: newClientId(), kind: 'message', payload: payload('via http') },
        { token: bob.token },
      );
      assert.equal(res.status, 200);
      for (const c of [...aliceWs, ...bobWs]) await c.waitFor((f) => isEvent(f, conversation, res.body.seq));
      await settle();
      assert.equal(malloryWs.frames.filter((f) => f.type === 'event').length, 0);
    });

    it('moves the read position by a read frame and tells the members who share receipts', async () => {
      const res = await server.api.post<SendEventAck>(
        `/api/v1/conversations/${conversation}/events`,
        { clientMessageId: newClientId(), kind: 'message', payload: payload('read me') },
        { token: alice.token },
      );
      bobWs[1]!.send({ type: 'read', conversationId: conversation, seq: res.body.seq });
      const receipt = await aliceWs[0]!.waitFor((f) => f.type === 'receipt' && f['userId'] === bob.id);
      assert.deepEqual([receipt['conversationId'], receipt['seq']], [conversation, res.body.seq]);
      malloryWs.send({ type: 'read', conversationId: conversation, seq: res.body.seq });
      assert.equal((await malloryWs.waitFor((f) => f.type === 'error'))['code'], 'NOT_FOUND');
      await settle();
      assert.equal(malloryWs.frames.filter((f) => f.type === 'receipt').length, 0);
      // Clear mallory's error so later tests look at fresh frames only.
      malloryWs.frames.length = 0;
    });

    it('sends typing to the other members only, at most once per 2 s per conversation and connection', async () => {
      aliceWs[0]!.send({ type: 'typing', conversationId: conversation });
      for (const c of bobWs) {
        const notice = await c.waitFor((f) => f.type === 'typing');
        assert.deepEqual([notice['conversationId'], notice['userId']], [conversation, alice.id]);
      }
      aliceWs[0]!.send({ type: 'typing', conversationId: conversation });
      aliceWs[0]!.send({ type: 'typing', conversationId: conversation });
      await settle(300);
      for (const c of bobWs) assert.equal(c.frames.filter((f) => f.type === 'typing').length, 1);
      for (const c of [...aliceWs, malloryWs])
        assert.equal(c.frames.filter((f) => f.type === 'typing').length, 0);
    });

    it('answers typing in a conversation one is not in with NOT_FOUND, telling nobody', async () => {
      malloryWs.send({ type: 'typing', conversationId: conversation });
      const error = await malloryWs.waitFor((f) => f.type === 'error');
      assert.equal(error['code'], 'NOT_FOUND');
      await settle();
      for (const c of [...aliceWs, ...bobWs]) {
        assert.equal(c.frames.filter((f) => f.type === 'typing' && f['userId'] === mallory.id).length, 0);
      }
    });

    it('publishes a chosen availability and text to contacts and own devices, not to others', async () => {
      bobWs[0]!.send({ type: 'presence', availability: 'busy', text: 'in a briefing' });
      const isBusy = (f: Frame) =>
        f.type === 'presence' && f['userId'] === bob.id && f['availability'] === 'busy';
      for (const c of [...aliceWs, ...bobWs]) {
        const notice = await c.waitFor(isBusy);
        assert.equal(notice['text'], 'in a briefing');
      }
      await settle();
      assert.equal(malloryWs.frames.filter((f) => f.type === 'presence' && f['userId'] === bob.id).length, 0);
    });

    it('announces a member online on their first connection and offline when their last one closes', async () => {
      const carol = await createActor(server);
      await createConversation(server, { members: [{ id: carol.id }, { id: alice.id }] });
      const presenceOf = (availability: string) => (f: Frame) =>
        f.type === 'presence' && f['userId'] === carol.id && f['availability'] === availability;

      const first = await connectWs(server, { token: carol.token });
      await aliceWs[0]!.waitFor(presenceOf('available'));
      const second = await connectWs(server, { token: await newSession(server, carol) });
      await first.close();
      await settle();
      assert.equal(aliceWs[0]!.frames.filter(presenceOf('offline')).length, 0, 'one device is still online');
      await second.close();
      await aliceWs[0]!.waitFor(presenceOf('offline'));
      assert.equal(aliceWs[0]!.frames.filter(presenceOf('available')).length, 1);
      assert.equal(
        bobWs[0]!.frames.filter((f) => f.type === 'presence' && f['userId'] === carol.id).length,
        0,
      );
    });
  });
}

function isEvent(frame: Frame, conversationId: string, seq: number): boolean {
  if (frame.type !== 'event') return false;
  const event = frame['event'] as { conversationId: string; seq: number };
  return event.conversationId === conversationId && event.seq === seq;
}
