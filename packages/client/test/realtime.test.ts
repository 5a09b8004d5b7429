import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConversationEvent, SendEventAck } from '@enlets/protocol';
import {
  eventPayload,
  MemoryStore,
  MessengerSession,
  type ConnectionState,
  type FetchLike,
} from '@enlets/client';
import { DIALECTS } from '../../server/test/helpers/dialects.js';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { createActor, newSession, type TestActor } from '../../server/test/helpers/actors.js';
import { createConversation, newClientId, payload } from '../../server/test/helpers/conversations.js';
import { FAST_BACKOFF, text, trackedWebSocket, utf8, waitFor } from './helpers.js';

const TRANSPORTS = ['websocket', 'http'] as const;
const realFetch = globalThis.fetch.bind(globalThis) as unknown as FetchLike;

for (const dialect of DIALECTS) {
  for (const transport of TRANSPORTS) {
    describe(`client/realtime over ${transport} [${dialect}]`, () => {
      let server: TestServer;
      let alice: TestActor;
      let bob: TestActor;
      let conversationId: string;

      const sendHttp = async (textValue: string): Promise<SendEventAck> => {
        const res = await server.api.post<SendEventAck>(
          `/api/v1/conversations/${conversationId}/events`,
          { clientMessageId: newClientId(), kind: 'message', payload: payload(textValue) },
          { token: alice.token },
        );
        assert.equal(res.status, 200);
        return res.body;
      };

      /** Bob's device: a session that records what it delivers and the states it goes through. */
      const device = (token: string, store = new MemoryStore()) => {
        const ws = trackedWebSocket();
        const httpSends: string[] = [];
        const session = new MessengerSession({
          baseUrl: server.url,
          token,
          store,
          fetch: (url, init) => {
            if (init.method === 'POST' && url.endsWith('/events')) httpSends.push(url);
            return realFetch(url, init);
          },
          WebSocket: ws.WebSocket,
          transport,
          backoff: FAST_BACKOFF,
          pollIntervalMs: 50,
        });
        const received: ConversationEvent[] = [];
        const states: ConnectionState[] = [];
        session.on('event', (e) => {
          if (e.conversationId === conversationId) received.push(e);
        });
        session.on('state', (s) => states.push(s));
        const texts = (): Array<string | null> => received.map((e) => text(eventPayload(e)));
        const live = () => waitFor(() => (session.state === 'live' ? true : undefined), 'live');
        return { session, received, states, texts, live, sockets: ws.sockets, store, httpSends };
      };

      before(async () => {
        server = await startTestServer(dialect);
        alice = await createActor(server);
        bob = await createActor(server);
        conversationId = await createConversation(server, { members: [{ id: alice.id }, { id: bob.id }] });
      });
      after(() => server.close());

      it('goes live, then resumes after a restart with exactly the missed events, once, in order', async () => {
        await sendHttp('before this device existed');
        const store = new MemoryStore();
        const bobDevice = await newSession(server, bob);
        const first = device(bobDevice, store);
        first.session.start();
        await first.live();
        assert.deepEqual(first.states.slice(0, 4), ['connecting', 'authenticating', 'syncing', 'live']);
        await sendHttp('live 1');
        await sendHttp('live 2');
        await waitFor(() => (first.received.length >= 2 ? true : undefined), 'two live events');
        await first.session.stop();
        assert.equal(first.session.state, 'idle');

        await sendHttp('missed 1');
        await sendHttp('missed 2');
        await sendHttp('missed 3');
        // The "restarted app": a new session over the same store.
        const second = device(bobDevice, store);
        second.session.start();
        await waitFor(() => (second.received.length >= 3 ? true : undefined), 'the missed events');
        await sendHttp('live again');
        await waitFor(() => (second.received.length >= 4 ? true : undefined), 'a live event');
        await new Promise((resolve) => setTimeout(resolve, 200));
        await second.session.stop();
        assert.deepEqual(first.texts(), ['live 1', 'live 2']);
        assert.deepEqual(second.texts(), ['missed 1', 'missed 2', 'missed 3', 'live again']);
        const seqs = [...first.received, ...second.received].map((e) => e.seq);
        assert.deepEqual(
          seqs,
          seqs.map((_, i) => (seqs[0] ?? 0) + i),
          'consecutive seqs, no gap, no repeat',
        );
      });

      it('sends through the outbox while live, and the sender sees its own message once', async () => {
        const aliceDevice = device(await newSession(server, alice));
        const bobDevice = device(await newSession(server, bob));
        aliceDevice.session.start();
        bobDevice.session.start();
        await Promise.all([aliceDevice.live(), bobDevice.live()]);
        const acks: SendEventAck[] = [];
        aliceDevice.session.on('ack', ({ ack }) => acks.push(ack));
        const pending = await aliceDevice.session.send(conversationId, { payload: utf8('hello bob') });
        const ack = await pending.acknowledged;
        await waitFor(() => (bobDevice.received.length >= 1 ? true : undefined), 'bob gets it');
        await waitFor(() => (aliceDevice.received.length >= 1 ? true : undefined), 'alice gets the echo');
        await new Promise((resolve) => setTimeout(resolve, 200));
        await Promise.all([aliceDevice.session.stop(), bobDevice.session.stop()]);
        assert.deepEqual(acks, [ack]);
        assert.deepEqual(bobDevice.texts(), ['hello bob']);
        assert.deepEqual(aliceDevice.texts(), ['hello bob']);
        assert.equal(bobDevice.received[0]?.seq, ack.seq);
        assert.equal(bobDevice.received[0].clientMessageId, pending.clientMessageId);
        // Live over the socket, the message went in a `send` frame, not over HTTP.
        assert.equal(aliceDevice.httpSends.length, transport === 'websocket' ? 0 : 1);
      });

      it('stops reconnecting and reports signedOut when the session ends on the server', async () => {
        const token = await newSession(server, bob);
        const doomed = device(token);
        let signedOut = 0;
        doomed.session.on('signedOut', () => (signedOut += 1));
        doomed.session.start();
        await doomed.live();
        const logout = await server.api.post('/api/v1/auth/logout', {}, { token });
        assert.equal(logout.status < 300, true, JSON.stringify(logout.body));
        await waitFor(() => (doomed.session.state === 'signedOut' ? true : undefined), 'signedOut');
        const socketsThen = doomed.sockets.length;
        await new Promise((resolve) => setTimeout(resolve, 600));
        assert.equal(signedOut, 1);
        assert.equal(doomed.session.state, 'signedOut');
        assert.equal(doomed.sockets.length, socketsThen, 'no reconnect after the session ended');
        assert.ok(!doomed.states.slice(doomed.states.indexOf('signedOut')).includes('connecting'));
        await doomed.session.stop();
      });

      if (transport === 'websocket') {
        it('reconnects after the socket drops and gets what it missed meanwhile exactly once', async () => {
          const bobDevice = device(await newSession(server, bob));
          bobDevice.session.start();
          await bobDevice.live();
          await sendHttp('before the drop');
          await waitFor(() => (bobDevice.received.length >= 1 ? true : undefined), 'first event');
          bobDevice.sockets.at(-1)?.terminate();
          await sendHttp('during the drop 1');
          await sendHttp('during the drop 2');
          await waitFor(() => (bobDevice.sockets.length >= 2 ? true : undefined), 'a new socket');
          await bobDevice.live();
          await sendHttp('after the drop');
          await waitFor(() => (bobDevice.received.length >= 4 ? true : undefined), 'all four');
          await new Promise((resolve) => setTimeout(resolve, 200));
          await bobDevice.session.stop();
          assert.deepEqual(bobDevice.texts(), [
            'before the drop',
            'during the drop 1',
            'during the drop 2',
            'after the drop',
          ]);
          assert.ok(bobDevice.states.includes('backoff'));
        });

        it('keeps a message queued while the socket is down and sends it (once) when it is back', async () => {
          const aliceDevice = device(await newSession(server, alice));
          aliceDevice.session.start();
          await aliceDevice.live();
          aliceDevice.sockets.at(-1)?.terminate();
          const pending = await aliceDevice.session.send(conversationId, {
            payload: utf8('sent across a drop'),
          });
          const ack = await pending.acknowledged;
          await waitFor(
            () => (aliceDevice.received.some((e) => e.seq === ack.seq) ? true : undefined),
            'echo',
          );
          await new Promise((resolve) => setTimeout(resolve, 200));
          await aliceDevice.session.stop();
          assert.equal(
            aliceDevice.received.filter((e) => e.clientMessageId === pending.clientMessageId).length,
            1,
          );
        });
      }
    });
  }
}
