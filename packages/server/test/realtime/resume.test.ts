import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SendEventAck } from '@enlets/protocol';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createActor, newSession, type TestActor } from '../helpers/actors.js';
import { createConversation, newClientId, payload } from '../helpers/conversations.js';
import { connectWs, settle, type Frame, type WsClient } from '../helpers/ws.js';

interface WireEvent {
  readonly conversationId: string;
  readonly seq: number;
  readonly clientMessageId: string | null;
}

for (const dialect of DIALECTS) {
  describe(`realtime/resume [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    let bobDevice: string;
    let first: string;
    let second: string;

    const sendHttp = async (conversationId: string, text: string): Promise<SendEventAck> => {
      const res = await server.api.post<SendEventAck>(
        `/api/v1/conversations/${conversationId}/events`,
        { clientMessageId: newClientId(), kind: 'message', payload: payload(text) },
        { token: alice.token },
      );
      assert.equal(res.status, 200);
      return res.body;
    };
    const sync = async (
      client: WsClient,
      token?: string,
    ): Promise<{ synced: Frame; events: WireEvent[] }> => {
      const before = client.frames.length;
      const synced = await client.request({ type: 'sync', ...(token === undefined ? {} : { token }) });
      assert.equal(synced.type, 'synced', JSON.stringify(synced));
      const upTo = client.frames.indexOf(synced);
      const events = client.frames
        .slice(before, upTo)
        .filter((f) => f.type === 'event')
        .map((f) => f['event'] as WireEvent);
      return { synced, events };
    };
    const events = (client: WsClient): WireEvent[] =>
      client.frames.filter((f) => f.type === 'event').map((f) => f['event'] as WireEvent);

    before(async () => {
      server = await startTestServer(dialect);
      alice = await createActor(server);
      bob = await createActor(server);
      bobDevice = await newSession(server, bob);
      first = await createConversation(server, { members: [{ id: alice.id }, { id: bob.id }] });
      second = await createConversation(server, { members: [{ id: alice.id }, { id: bob.id }] });
    });
    after(() => server.close());

    it('resumes with exactly the missed events, once, in order, then live ones', async () => {
      await sendHttp(first, 'before the first sync');
      const online = await connectWs(server, { token: bobDevice });
      const initial = await sync(online);
      assert.equal(initial.events.length, 0, 'a new device starts at the heads');
      const token = initial.synced['token'] as string;
      await online.close();

      const missed = [
        await sendHttp(first, 'missed 1'),
        await sendHttp(second, 'missed 2'),
        await sendHttp(first, 'missed 3'),
      ];
      const back = await connectWs(server, { token: bobDevice });
      const resumed = await sync(back, token);
      assert.equal(resumed.synced['hasMore'], false);
      const key = (e: { conversationId: string; seq: number }) => `${e.conversationId}:${String(e.seq)}`;
      assert.deepEqual(resumed.events.map(key).sort(), missed.map(key).sort());
      // In order within each conversation.
      const inFirst = resumed.events.filter((e) => e.conversationId === first).map((e) => e.seq);
      assert.deepEqual(
        inFirst,
        [...inFirst].sort((a, b) => a - b),
      );

      const live = await sendHttp(second, 'live after resume');
      await back.waitFor((f) => f.type === 'event' && key(f['event'] as WireEvent) === key(live));
      await settle();
      assert.equal(events(back).length, 4);
      assert.equal(new Set(events(back).map(key)).size, 4);

      // Syncing again on this connection: the live event is past the token but was sent already.
      const again = await sync(back, resumed.synced['token'] as string);
      assert.deepEqual(again.events, []);
      // A new connection from that token gets it.
      const fresh = await connectWs(server, { token: bobDevice });
      assert.deepEqual((await sync(fresh, resumed.synced['token'] as string)).events.map(key), [key(live)]);
      await fresh.close();
      await back.close();
    });

    it('loses and repeats nothing when messages commit while the sync runs', async () => {
      const device = await newSession(server, bob);
      const setup = await connectWs(server, { token: device });
      const token = (await sync(setup)).synced['token'] as string;
      await setup.close();
      const offline = await Promise.all(
        Array.from({ length: 10 }, (_, i) => sendHttp(first, `offline ${String(i)}`)),
      );

      const client = await connectWs(server, { token: device });
      // Senders race the sync: some commit before its query, some during, some after.
      const racing = Promise.all(
        Array.from({ length: 20 }, (_, i) => sendHttp(i % 2 ? first : second, `racing ${String(i)}`)),
      );
      const syncing = sync(client, token);
      const acks = [...offline, ...(await racing)];
      await syncing;
      const key = (e: { conversationId: string; seq: number }) => `${e.conversationId}:${String(e.seq)}`;
      const expected = acks.map(key).sort();
      await client.waitForCount((f) => f.type === 'event', expected.length);
      await settle(200);
      const got = events(client).map(key);
      assert.deepEqual([...got].sort(), expected, 'every event exactly once');
      await client.close();
    });

    it('does not repeat in the sync an event the connection already got live', async () => {
      const device = await newSession(server, bob);
      const setup = await connectWs(server, { token: device });
      const token = (await sync(setup)).synced['token'] as string;
      await setup.close();
      const client = await connectWs(server, { token: device });
      const live = await sendHttp(first, 'arrives before the sync frame');
      await client.waitFor((f) => f.type === 'event');
      const resumed = await sync(client, token);
      assert.equal(resumed.events.length, 0);
      assert.equal(events(client).filter((e) => e.seq === live.seq && e.conversationId === first).length, 1);
      await client.close();
    });

    it('answers a token that is not ours with an error frame naming the request', async () => {
      const client = await connectWs(server, { token: bobDevice });
      const answer = await client.request({ type: 'sync', token: 'AAAA' });
      assert.equal(answer.type, 'error');
      assert.ok(
        ['RESYNC_REQUIRED', 'VALIDATION_FAILED'].includes(answer['code'] as string),
        String(answer['code']),
      );
      await client.close();
    });

    it('asks every authenticated device to resync when the bus says wake-ups were lost', async () => {
      const device = await connectWs(server, { token: bobDevice });
      const anonymous = await connectWs(server);
      server.built.services.bus.publish({ type: 'resync', reason: 'bus-reconnected' });
      const notice = await device.waitFor((f) => f.type === 'resync');
      assert.deepEqual(notice, {
        type: 'resync',
        reason: 'bus-reconnected',
        jitterMs: server.built.gateway.limits.resyncJitterMs,
      });
      await settle();
      assert.equal(
        anonymous.frames.some((f) => f.type === 'resync'),
        false,
        'nothing for a connection not signed in',
      );
      await device.close();
      await anonymous.close();
    });
  });
}
