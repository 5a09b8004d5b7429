import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConversationEvent, EventRangeResponse, SendEventAck } from '@enlets/protocol';
import { EnletsHttpClient, EventSequencer, MemoryStore } from '@enlets/client';
import { DIALECTS } from '../../server/test/helpers/dialects.js';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { createActor, type TestActor } from '../../server/test/helpers/actors.js';
import { createConversation, newClientId, payload } from '../../server/test/helpers/conversations.js';

for (const dialect of DIALECTS) {
  describe(`client/sequencer [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let conversationId: string;
    let log: ConversationEvent[];

    before(async () => {
      server = await startTestServer(dialect);
      alice = await createActor(server);
      const bob = await createActor(server);
      conversationId = await createConversation(server, { members: [{ id: alice.id }, { id: bob.id }] });
      for (let i = 1; i <= 12; i++) {
        const res = await server.api.post<SendEventAck>(
          `/api/v1/conversations/${conversationId}/events`,
          { clientMessageId: newClientId(), kind: 'message', payload: payload(`message ${String(i)}`) },
          { token: alice.token },
        );
        assert.equal(res.status, 200);
      }
      const range = await server.api.get<EventRangeResponse>(
        `/api/v1/conversations/${conversationId}/events?afterSeq=0&limit=100`,
        { token: alice.token },
      );
      log = range.body.events;
      assert.deepEqual(
        log.map((e) => e.seq),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      );
    });
    after(() => server.close());

    const sequencer = (
      store: MemoryStore,
      fetched: number[][],
      delivered: ConversationEvent[],
    ): EventSequencer => {
      const http = new EnletsHttpClient({ baseUrl: server.url, token: alice.token });
      return new EventSequencer(
        store,
        async (id, afterSeq, limit) => {
          const range = await http.get<EventRangeResponse>(
            `/conversations/${id}/events?afterSeq=${String(afterSeq)}&limit=${String(limit)}`,
          );
          fetched.push(range.events.map((e) => e.seq));
          return range;
        },
        (event) => delivered.push(event),
      );
    };
    const at = (seq: number): ConversationEvent => {
      const event = log[seq - 1];
      assert.ok(event);
      return event;
    };

    it('delivers duplicated and out-of-order events once, in order, filling gaps from the server', async () => {
      const store = new MemoryStore();
      const fetched: number[][] = [];
      const delivered: ConversationEvent[] = [];
      const seq = sequencer(store, fetched, delivered);
      // A resume that overlaps live pushes, a retry echo, and a jump from 5 to 8.
      for (const n of [1, 2, 2, 3, 4, 5, 5, 8, 3, 8, 6, 9, 1]) await seq.apply(at(n));
      assert.deepEqual(
        delivered.map((e) => e.seq),
        [1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
      // Exactly one range fetch, afterSeq=5, for the two missing events.
      assert.deepEqual(fetched, [[6, 7]]);
      assert.equal(await store.getCursor(conversationId), 9);
      assert.deepEqual(
        (await store.listEvents(conversationId)).map((e) => e.seq),
        [1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
      // The delivered events are the server's, byte for byte.
      assert.deepEqual(delivered[6], at(7));
    });

    it('serialises concurrent sources: a gap fill and a live push cannot both deliver the same event', async () => {
      const store = new MemoryStore();
      await store.saveEvents([at(2)]);
      const fetched: number[][] = [];
      const delivered: ConversationEvent[] = [];
      const seq = sequencer(store, fetched, delivered);
      await Promise.all([seq.apply(at(12)), seq.apply(at(3)), seq.apply(at(11)), seq.apply(at(12))]);
      assert.deepEqual(
        delivered.map((e) => e.seq),
        [3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      );
      assert.deepEqual(fetched, [[3, 4, 5, 6, 7, 8, 9, 10, 11]]);
    });

    it('a conversation it has never seen starts at its first event (no history as news)', async () => {
      const store = new MemoryStore();
      const delivered: ConversationEvent[] = [];
      const fetched: number[][] = [];
      const seq = sequencer(store, fetched, delivered);
      await seq.apply(at(10));
      await seq.apply(at(12));
      assert.deepEqual(
        delivered.map((e) => e.seq),
        [10, 11, 12],
      );
      assert.deepEqual(fetched, [[11]]);
    });
  });
}
