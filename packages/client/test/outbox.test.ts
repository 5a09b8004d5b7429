import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRangeResponse, SendEventAck } from '@enlets/protocol';
import {
  EnletsApiError,
  MemoryStore,
  MessengerSession,
  type FetchLike,
  type OutboxEntry,
} from '@enlets/client';
import { DIALECTS } from '../../server/test/helpers/dialects.js';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { createActor, type TestActor } from '../../server/test/helpers/actors.js';
import { createConversation } from '../../server/test/helpers/conversations.js';
import { closedPort, FAST_BACKOFF, utf8, waitFor } from './helpers.js';

const realFetch = globalThis.fetch.bind(globalThis) as unknown as FetchLike;

for (const dialect of DIALECTS) {
  describe(`client/outbox [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let conversationId: string;

    const storedWith = async (clientMessageId: string): Promise<number> => {
      const res = await server.api.get<EventRangeResponse>(
        `/api/v1/conversations/${conversationId}/events?afterSeq=0&limit=500`,
        { token: alice.token },
      );
      assert.equal(res.status, 200);
      return res.body.events.filter((e) => e.clientMessageId === clientMessageId).length;
    };

    before(async () => {
      server = await startTestServer(dialect);
      alice = await createActor(server);
      const bob = await createActor(server);
      conversationId = await createConversation(server, { members: [{ id: alice.id }, { id: bob.id }] });
    });
    after(() => server.close());

    it('retries the same bytes while the server refuses connections, and the message is stored once', async () => {
      const down = `http://127.0.0.1:${String(await closedPort())}`;
      let target = down;
      const bodies: string[] = [];
      const attempts: string[] = [];
      // The session believes in one server URL; the network decides where it leads (first nowhere, then up).
      const fetch: FetchLike = (url, init) => {
        if (init.method === 'POST' && url.includes('/events')) {
          bodies.push(init.body ?? '');
          attempts.push(target);
        }
        return realFetch(url.replace(server.url, target), init);
      };
      const session = new MessengerSession({
        baseUrl: server.url,
        token: alice.token,
        fetch,
        transport: 'http',
        backoff: FAST_BACKOFF,
      });
      const acks: SendEventAck[] = [];
      session.on('ack', ({ ack }) => acks.push(ack));
      session.start();
      try {
        const pending = await session.send(conversationId, { payload: utf8('hello through the outage') });
        // Stored before anything went on the wire.
        const [entry] = await session.listOutbox();
        assert.equal(entry?.clientMessageId, pending.clientMessageId);
        await waitFor(() => (attempts.length >= 3 ? true : undefined), 'three refused attempts');
        assert.equal(acks.length, 0);
        target = server.url;
        const ack = await pending.acknowledged;
        assert.equal(ack.clientMessageId, pending.clientMessageId);
        assert.equal(ack.duplicate, false);
        assert.deepEqual(await session.listOutbox(), []);
        assert.ok(attempts.filter((a) => a === down).length >= 3);
        assert.equal(new Set(bodies).size, 1, 'every attempt sent the same bytes');
        assert.equal(bodies[0], entry.body);
        assert.equal(await storedWith(pending.clientMessageId), 1);
      } finally {
        await session.stop();
      }
    });

    it('a lost acknowledgement is retried with the same bytes and answered with the stored seq', async () => {
      let loseNext = true;
      const bodies: string[] = [];
      const fetch: FetchLike = async (url, init) => {
        const response = await realFetch(url, init);
        if (init.method === 'POST' && url.includes('/events')) {
          bodies.push(init.body ?? '');
          if (loseNext) {
            // The server committed; the answer never arrives (a dropped connection, a crashed proxy).
            loseNext = false;
            await response.text();
            throw new Error('connection reset');
          }
        }
        return response;
      };
      const session = new MessengerSession({
        baseUrl: server.url,
        token: alice.token,
        fetch,
        backoff: FAST_BACKOFF,
      });
      session.start();
      try {
        const pending = await session.send(conversationId, { payload: utf8('committed, answer lost') });
        const ack = await pending.acknowledged;
        assert.equal(ack.duplicate, true);
        assert.equal(bodies.length, 2);
        assert.equal(bodies[0], bodies[1]);
        assert.equal(await storedWith(pending.clientMessageId), 1);
      } finally {
        await session.stop();
      }
    });

    it('survives a restart of the client: a new session on the same store sends what the old one queued', async () => {
      const store = new MemoryStore();
      const down = `http://127.0.0.1:${String(await closedPort())}`;
      const first = new MessengerSession({ baseUrl: down, token: alice.token, store });
      const queued = await first.send(conversationId, { payload: utf8('queued before a crash') });
      const pass = await first.flushOutbox();
      assert.deepEqual(pass, { acked: 0, failed: 0, pending: 1, stoppedBy: 'transient' });
      await first.stop();
      await assert.rejects(queued.acknowledged, { name: 'OutboxStoppedError' });
      const [stored] = await store.listOutbox();
      assert.equal(stored?.attempts, 1);

      const second = new MessengerSession({ baseUrl: server.url, token: alice.token, store });
      const acks: SendEventAck[] = [];
      second.on('ack', ({ ack }) => acks.push(ack));
      const result = await second.flushOutbox();
      assert.deepEqual(result, { acked: 1, failed: 0, pending: 0 });
      assert.equal(acks[0]?.clientMessageId, queued.clientMessageId);
      assert.equal(await storedWith(queued.clientMessageId), 1);
      assert.deepEqual(await store.listOutbox(), []);
    });

    it('marks a permanently refused message failed with its code, and keeps sending the rest in order', async () => {
      const readOnly = await createConversation(server, {
        readOnly: true,
        kind: 'channel',
        members: [{ id: alice.id, role: 'member' }],
      });
      const session = new MessengerSession({
        baseUrl: server.url,
        token: alice.token,
        backoff: FAST_BACKOFF,
      });
      const failed: OutboxEntry[] = [];
      session.on('outboxFailed', (entry) => failed.push(entry));
      const missing = await session.send('00000000-0000-4000-8000-000000000000', { payload: utf8('nobody') });
      const refused = await session.send(readOnly, { payload: utf8('not allowed here') });
      const fine = await session.send(conversationId, { payload: utf8('this one is fine') });
      const result = await session.flushOutbox();
      assert.deepEqual(result, { acked: 1, failed: 2, pending: 0 });
      await assert.rejects(
        missing.acknowledged,
        (e) => e instanceof EnletsApiError && e.code === 'NOT_FOUND',
      );
      await assert.rejects(
        refused.acknowledged,
        (e) => e instanceof EnletsApiError && e.code === 'CONVERSATION_READ_ONLY',
      );
      assert.equal((await fine.acknowledged).duplicate, false);
      assert.deepEqual(
        failed.map((f) => [f.clientMessageId, f.status, f.error?.code]),
        [
          [missing.clientMessageId, 'failed', 'NOT_FOUND'],
          [refused.clientMessageId, 'failed', 'CONVERSATION_READ_ONLY'],
        ],
      );
      // Failed entries stay (the app shows them) and are not sent again.
      assert.deepEqual(
        (await session.listOutbox()).map((e) => e.status),
        ['failed', 'failed'],
      );
      assert.deepEqual(await session.flushOutbox(), { acked: 0, failed: 0, pending: 0 });
    });
  });
}
