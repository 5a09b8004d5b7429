import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import type { ConversationEvent, SendEventAck } from '@enlets/protocol';
import { eventPayload, MemoryStore, MessengerSession, type FetchLike } from '@enlets/client';
import { buildApp, type BuiltApp } from '../../server/src/app.js';
import { RedisBus } from '../../server/src/bus/redis-bus.js';
import { loadConfig } from '../../server/src/config/config.js';
import { openDatabase, type Database } from '../../server/src/storage/dialects/index.js';
import { migrateToLatest } from '../../server/src/storage/migrator.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../server/test/helpers/dialects.js';
import { createActor, newSession, type TestActor } from '../../server/test/helpers/actors.js';
import { createConversation, newClientId, payload } from '../../server/test/helpers/conversations.js';
import type { TestServer } from '../../server/test/helpers/server.js';
import { WsClient, wsUrl } from '../../server/test/helpers/ws.js';
import { FAST_BACKOFF, text, trackedWebSocket, waitFor } from './helpers.js';

const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const realFetch = globalThis.fetch.bind(globalThis) as unknown as FetchLike;

/** One server process of a cluster, in this process: its own app, database handle and Redis bus. */
interface Node {
  readonly built: BuiltApp;
  readonly bus: RedisBus;
  readonly database: Database;
  readonly url: string;
  /** The shape the server's test factories take (they only use `built` and `url`). */
  readonly asTestServer: TestServer;
}

async function startNode(databaseUrl: string, channel: string, dataDir: string): Promise<Node> {
  const log = pino({ level: 'silent' });
  const config = loadConfig(
    {},
    {
      databaseUrl,
      host: '127.0.0.1',
      port: 0,
      publicUrl: 'http://localhost:8080',
      logLevel: 'silent',
      argon2: { memoryKiB: 19_456, iterations: 2, parallelism: 1 },
      rateLimitPerMinute: 100_000,
      dataDir,
    },
  );
  const database = openDatabase(config.databaseUrl);
  await migrateToLatest(database.db);
  // A slow first reconnect, so that the outage is long enough for A to commit a few messages in it.
  const bus = await RedisBus.connect(REDIS_URL, { log, channel, reconnectStepMs: 500 });
  const built = await buildApp({ config, database, log, bus, realtime: { resyncJitterMs: 200 } });
  const url = await built.app.listen({ host: '127.0.0.1', port: 0 });
  return { built, bus, database, url, asTestServer: { built, url } as unknown as TestServer };
}

async function stopNode(node: Node): Promise<void> {
  await node.built.app.close();
  await node.bus.close();
  await node.database.close();
}

/**
 * Issue 3, "resync after a bus outage": two server processes on one database and a real Redis. A device on B
 * misses what A commits while B's subscription to the bus is down (Redis dropped the connection: CLIENT KILL);
 * once B has subscribed again its gateway tells its devices to `resync`, and the SDK resumes from its token and
 * has every message exactly once, in order, although nothing is sent afterwards that could reveal the gap.
 */
for (const dialect of DIALECTS) {
  describe(`client/resync after a cluster bus outage [${dialect}]`, () => {
    let testDb: TestDatabase;
    let dataDir: string;
    let a: Node;
    let b: Node;
    let admin: Redis;
    let alice: TestActor;
    let bob: TestActor;
    let conversationId: string;
    const channel = `enlets:test:${randomUUID()}`;

    before(async () => {
      testDb = await createTestDatabase(dialect);
      dataDir = mkdtempSync(join(tmpdir(), 'enlets-data-'));
      a = await startNode(testDb.url, channel, dataDir);
      b = await startNode(testDb.url, channel, dataDir);
      admin = new Redis(REDIS_URL);
      alice = await createActor(a.asTestServer);
      bob = await createActor(a.asTestServer);
      conversationId = await createConversation(a.asTestServer, {
        members: [{ id: alice.id }, { id: bob.id }],
      });
    });
    after(async () => {
      admin.disconnect();
      await stopNode(b);
      await stopNode(a);
      await testDb.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    const sendOnA = async (value: string): Promise<SendEventAck> => {
      const res = await fetch(`${a.url}/api/v1/conversations/${conversationId}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ clientMessageId: newClientId(), kind: 'message', payload: payload(value) }),
      });
      assert.equal(res.status, 200);
      return (await res.json()) as SendEventAck;
    };
    /** How many connections listen on the bus channel (one per node while both are subscribed). */
    const subscribers = async (): Promise<number> => {
      const answer = (await admin.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
      return answer[1];
    };
    const killSubscriberOf = async (node: Node): Promise<void> => {
      const list = String(await admin.client('LIST'));
      const line = list.split('\n').find((l) => l.includes(`name=enlets-bus-${node.bus.id}-sub`));
      const id = line === undefined ? undefined : /(?:^|\s)id=(\d+)/.exec(line)?.[1];
      assert.ok(id !== undefined, 'the subscriber connection of B');
      await admin.client('KILL', 'ID', id);
    };

    it('tells the devices on the process that lost the bus to resync, and the SDK catches up', async () => {
      const raw = new WsClient(new WebSocket(wsUrl(b.asTestServer)));
      await new Promise((resolve) => raw.ws.once('open', resolve));
      raw.send({ type: 'auth', token: await newSession(a.asTestServer, bob) });
      await raw.waitFor((f) => f.type === 'ready');

      const ws = trackedWebSocket();
      const session = new MessengerSession({
        baseUrl: b.url,
        token: await newSession(a.asTestServer, bob),
        store: new MemoryStore(),
        fetch: realFetch,
        WebSocket: ws.WebSocket,
        transport: 'websocket',
        backoff: FAST_BACKOFF,
      });
      const received: ConversationEvent[] = [];
      session.on('event', (e) => {
        if (e.conversationId === conversationId) received.push(e);
      });
      session.start();
      try {
        await waitFor(() => (session.state === 'live' ? true : undefined), 'live');
        const acked: SendEventAck[] = [await sendOnA('before 1'), await sendOnA('before 2')];
        await waitFor(() => (received.length === 2 ? true : undefined), 'the live events through Redis');

        // The outage: B's subscription is gone while A commits (and publishes to nobody on B).
        let provedLoss = false;
        for (let attempt = 0; attempt < 5 && !provedLoss; attempt += 1) {
          const resyncsBefore = raw.frames.filter((f) => f.type === 'resync').length;
          await killSubscriberOf(b);
          await waitFor(async () => ((await subscribers()) === 1 ? true : undefined), 'B to drop off');
          acked.push(
            ...(await Promise.all([0, 1, 2].map((i) => sendOnA(`during ${String(attempt)}.${String(i)}`)))),
          );
          // Committed and published while B was not listening: without a resync B's devices would wait for
          // the next event (or reconnect) to see these.
          provedLoss = (await subscribers()) === 1;
          const notice = await raw.waitForCount((f) => f.type === 'resync', resyncsBefore + 1, 10_000);
          assert.equal(notice.at(-1)?.['reason'], 'bus-reconnected');
          assert.equal(notice.at(-1)?.['jitterMs'], 200);
        }
        assert.ok(provedLoss, 'at least one burst fell entirely into an outage');

        await waitFor(
          () => (received.length >= acked.length ? true : undefined),
          'the device to catch up',
          15_000,
        );
        assert.deepEqual(
          received.map((e) => e.seq),
          acked.map((ack) => ack.seq).sort((x, y) => x - y),
          'every message exactly once, in order',
        );
        assert.equal(text(eventPayload(received[0]!)), 'before 1');
        assert.equal(ws.sockets.length, 1, 'caught up over the same connection, without reconnecting');
      } finally {
        await session.stop();
        await raw.close();
      }
    });
  });
}
