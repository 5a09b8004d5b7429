import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PAYLOAD_BYTES, type SendEventAck } from '@enlets/protocol';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createActor, newSession, type TestActor } from '../helpers/actors.js';
import { createConversation, newClientId } from '../helpers/conversations.js';
import { connectWs, type Frame, type WsClient } from '../helpers/ws.js';

/**
 * The gateway writes whole WebSocket frames itself (framed once per event, gathered per connection and turn):
 * what a real client library reads must be the same events, whole and in order, whatever their size.
 */
for (const dialect of DIALECTS) {
  describe(`realtime/framing [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    let conversation: string;
    let aliceWs: WsClient;
    let bobWs: WsClient[];

    before(async () => {
      server = await startTestServer(dialect);
      alice = await createActor(server);
      bob = await createActor(server);
      conversation = await createConversation(server, {
        members: [{ id: alice.id, role: 'owner' }, { id: bob.id }],
      });
      aliceWs = await connectWs(server, { token: alice.token });
      bobWs = [
        await connectWs(server, { token: bob.token }),
        await connectWs(server, { token: await newSession(server, bob) }),
      ];
    });
    after(async () => {
      for (const c of [aliceWs, ...bobWs]) await c.close();
      await server.close();
    });

    it('delivers events of every frame size whole and in order, sent together, to every device', async () => {
      // Frame lengths on both sides of the 7-bit, 16-bit and 64-bit length encodings (JSON and base64 add ~40 %).
      const sizes = [1, 60, 100, 40_000, 47_000, MAX_PAYLOAD_BYTES, 3];
      const payloads = sizes.map((size, i) => Buffer.alloc(size, 65 + i).toString('base64'));
      const requestIds = payloads.map((p) => {
        const requestId = aliceWs.nextRequestId('send');
        const event = { clientMessageId: newClientId(), kind: 'message', payload: p };
        aliceWs.send({ type: 'send', requestId, conversationId: conversation, event });
        return requestId;
      });
      const acks = await Promise.all(
        requestIds.map((id) => aliceWs.waitFor((f) => f['requestId'] === id, 10_000)),
      );
      const seqs = acks.map((a) => (a['ack'] as SendEventAck).seq);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
        'one sender’s events keep their order',
      );
      for (const c of [aliceWs, ...bobWs]) {
        const events = await c.waitForCount(isEventIn(conversation), sizes.length, 10_000);
        assert.deepEqual(
          events.map((f) => eventOf(f).seq),
          seqs,
        );
        assert.deepEqual(
          events.map((f) => eventOf(f).payload),
          payloads,
        );
      }
    });
  });
}

function isEventIn(conversationId: string): (frame: Frame) => boolean {
  return (frame) => frame.type === 'event' && eventOf(frame).conversationId === conversationId;
}

function eventOf(frame: Frame): { conversationId: string; seq: number; payload: string } {
  return frame['event'] as { conversationId: string; seq: number; payload: string };
}
