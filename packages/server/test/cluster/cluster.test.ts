import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import WebSocket from 'ws';
import { REALTIME_PATH, type ConversationEvent } from '@enlets/protocol';
import { RedisBus } from '../../src/bus/redis-bus.js';
import type { BusMessage } from '../../src/domain/events.js';
import { createTestDatabase, type TestDatabase } from '../helpers/dialects.js';
import {
  compareDelivery,
  freePort,
  readConversation,
  seedMessagingFixture,
  sendUntilAcked,
  ServerProcess,
  syncFrom,
  type MessagingFixture,
} from '../helpers/spawn-server.js';

const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const CLIENTS = 16;
const MESSAGES_PER_CLIENT = 25;

/**
 * One member device as the SDK runs it over WebSocket: authenticates, resumes with its last sync token, takes
 * live `event` frames, and when its connection drops (its process died) reconnects to the other process and
 * resumes there with the same token. It keeps what it received in order; the SDK dedupes by (conversation, seq).
 */
/** The part of a `synced` frame a device keeps. */
interface SyncedFrame {
  readonly token: string;
  readonly hasMore: boolean;
}

class Device {
  readonly received: ConversationEvent[] = [];
  /** Error frames (none expected). */
  readonly errors: string[] = [];
  /** Events that arrived while no sync of this device was running: pushed live through the gateway and bus. */
  live = 0;
  failovers = 0;
  syncToken: string | undefined;
  #ws: WebSocket | undefined;
  #stopped = false;
  #requests = 0;
  #syncing = false;
  #connecting: Promise<void> | undefined;
  #synced: ((frame: SyncedFrame | undefined) => void) | undefined;

  constructor(
    readonly name: string,
    readonly token: string,
    readonly nodes: readonly ServerProcess[],
    public node: number,
  ) {}

  /** Connects to the current process, authenticates and resumes; on failure tries the other process. */
  connect(): Promise<void> {
    this.#connecting ??= this.#connectLoop().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  /** Resolves once the device is connected and resumed (after a fail-over too). */
  async settled(): Promise<void> {
    while (this.#connecting !== undefined) await this.#connecting;
  }

  async #connectLoop(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (this.#stopped) return;
      try {
        await this.#open();
        await this.sync();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`${this.name} could not reconnect`);
        this.node = (this.node + 1) % this.nodes.length;
        this.failovers += 1;
        await sleep(50 + Math.floor(Math.random() * 50));
      }
    }
  }

  #open(): Promise<void> {
    const url = this.nodes[this.node]!.url.replace(/^http/, 'ws') + REALTIME_PATH;
    const ws = new WebSocket(url);
    this.#ws = ws;
    return new Promise<void>((resolve, reject) => {
      ws.on('error', () => undefined);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token: this.token })));
      ws.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString('utf8')) as { type: string } & Record<string, unknown>;
        switch (frame.type) {
          case 'ready':
            resolve();
            return;
          case 'event':
            this.received.push(frame['event'] as ConversationEvent);
            if (!this.#syncing) this.live += 1;
            return;
          case 'synced':
            this.#synced?.(frame as unknown as SyncedFrame);
            return;
          case 'error':
            this.errors.push(`${String(frame['code'])}: ${String(frame['message'])}`);
            return;
          default:
            return;
        }
      });
      ws.on('close', () => {
        reject(new Error('closed before ready'));
        this.#synced?.(undefined);
        if (this.#ws !== ws || this.#stopped || this.#connecting !== undefined) return;
        // The process went away: no sticky sessions, the other one takes over.
        this.node = (this.node + 1) % this.nodes.length;
        this.failovers += 1;
        void this.connect();
      });
    });
  }

  /** `sync` frames from the last token until the server says nothing more is waiting. */
  async sync(): Promise<void> {
    for (;;) {
      const ws = this.#ws;
      if (ws?.readyState !== WebSocket.OPEN) throw new Error('not connected');
      this.#requests += 1;
      this.#syncing = true;
      const answer = new Promise<SyncedFrame | undefined>((resolve) => (this.#synced = resolve));
      ws.send(
        JSON.stringify({
          type: 'sync',
          requestId: `sync-${String(this.#requests)}`,
          ...(this.syncToken === undefined ? {} : { token: this.syncToken }),
        }),
      );
      const synced = await answer;
      this.#syncing = false;
      this.#synced = undefined;
      if (synced === undefined) throw new Error('closed during sync');
      this.syncToken = synced.token;
      if (!synced.hasMore) return;
    }
  }

  async close(): Promise<void> {
    this.#stopped = true;
    const ws = this.#ws;
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close();
    });
  }

  /** What the SDK shows: one event per (conversation, seq). */
  deduped(): ConversationEvent[] {
    const seen = new Map<string, ConversationEvent>();
    for (const e of this.received) seen.set(`${e.conversationId}:${String(e.seq)}`, e);
    return [...seen.values()];
  }
}

/**
 * Cluster mode (issue 3, item 11; docs/decisions/0008-cluster-bus.md): two real server processes on one
 * PostgreSQL database and the Redis bus, no sticky sessions; one of them dies mid-stream.
 */
describe('cluster: two processes, one killed mid-stream [postgres]', () => {
  const adminUrl = process.env['TEST_DATABASE_URL'];
  if (adminUrl === undefined) {
    it('needs PostgreSQL: set TEST_DATABASE_URL (CI does) to run the cluster suite', (t) => {
      t.skip('TEST_DATABASE_URL is not set; cluster mode runs on PostgreSQL only');
    });
    return;
  }

  const log = pino({ level: 'silent' });
  // This run's own channel: other runs and suites may share the Redis.
  const channel = `enlets:test:${randomUUID()}`;
  let testDb: TestDatabase;
  let fixture: MessagingFixture;
  let nodes: ServerProcess[];
  let observer: RedisBus;
  const hints: BusMessage[] = [];
  /** clientMessageId → seq of every acknowledged message, over both tests. */
  const acked = new Map<string, number>();

  before(async () => {
    testDb = await createTestDatabase('postgres');
    fixture = await seedMessagingFixture(testDb.url, CLIENTS);
    nodes = [];
    for (let i = 0; i < 2; i++) {
      nodes.push(
        new ServerProcess({
          databaseUrl: testDb.url,
          port: await freePort(),
          busUrl: REDIS_URL,
          busChannel: channel,
        }),
      );
    }
    observer = await RedisBus.connect(REDIS_URL, { log, channel });
    observer.subscribe((m) => hints.push(m));
    await Promise.all(nodes.map((n) => n.start()));
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await observer.close();
    await testDb.drop();
  });

  it('shows a message sent to one process on the other: by sync, on the bus, and live over WebSocket', async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const { members, conversationId } = fixture;
    const reader = members[1]!;
    const start = await syncFrom(b.url, reader.token, undefined);
    // A device of another member, connected to B over WebSocket.
    const device = new Device('watcher', members[2]!.token, nodes, 1);
    await device.connect();
    const clientMessageId = randomUUID();
    const { ack } = await sendUntilAcked(
      () => a.url,
      members[0]!.token,
      conversationId,
      { clientMessageId, kind: 'message', payload: Buffer.from('via A').toString('base64') },
      { deadline: Date.now() + 20_000 },
    );
    acked.set(clientMessageId, ack.seq);
    const onB = await syncFrom(b.url, reader.token, start.token);
    assert.deepEqual(
      onB.events.map((e) => [e.clientMessageId, e.seq]),
      [[clientMessageId, ack.seq]],
    );
    // Process A published the committed event on the Redis bus, for the gateways of every other process.
    const deadline = Date.now() + 5_000;
    const announced = (): BusMessage | undefined =>
      hints.find(
        (m) =>
          m.type === 'event.created' && m.event.conversationId === conversationId && m.event.seq === ack.seq,
      );
    while (announced() === undefined && Date.now() < deadline) await sleep(20);
    const hint = announced();
    assert.ok(hint?.type === 'event.created', 'no event.created hint on the bus');
    assert.deepEqual([...hint.recipients].sort(), members.map((m) => m.id).sort());
    // B's gateway pushed it live to the device connected there, without a sync.
    while (device.live === 0 && Date.now() < deadline) await sleep(20);
    await device.close();
    assert.deepEqual(
      device.received.map((e) => [e.clientMessageId, e.seq]),
      [[clientMessageId, ack.seq]],
    );
    assert.equal(device.live, 1);
  });

  it('loses and repeats nothing when a process dies mid-stream and its devices resume on the other', async () => {
    const { members, conversationId } = fixture;
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    // Half the devices start on A, half on B; each takes its first sync token where it is connected.
    const devices = members.map((m, i) => new Device(`device ${String(i)}`, m.token, nodes, i % 2));
    await Promise.all(devices.map((d) => d.connect()));
    const earlier = new Map(acked);

    let retries = 0;
    const flow = { sending: true };
    const deadline = Date.now() + 60_000;
    // Senders use HTTP and the SDK outbox's rule: the same body until acknowledged, failing over to the
    // other process when theirs does not answer.
    const senders = devices.map(async (device, c) => {
      let node = c % 2;
      for (let i = 0; i < MESSAGES_PER_CLIENT; i++) {
        const clientMessageId = randomUUID();
        const outcome = await sendUntilAcked(
          () => nodes[node]!.url,
          device.token,
          conversationId,
          {
            clientMessageId,
            kind: 'message',
            payload: Buffer.from(`${device.name} message ${String(i)}`).toString('base64'),
          },
          { deadline, onRetry: () => (node = (node + 1) % nodes.length) },
        );
        acked.set(clientMessageId, outcome.ack.seq);
        retries += outcome.retries;
        await sleep(5);
      }
    });
    const allSent = Promise.all(senders).finally(() => {
      flow.sending = false;
    });

    // Kill A at a random moment once the stream is well under way (a quarter of it acknowledged).
    const quarter = earlier.size + (CLIENTS * MESSAGES_PER_CLIENT) / 4;
    while (acked.size < quarter && flow.sending) await sleep(10);
    await sleep(50 + Math.floor(Math.random() * 300));
    const ackedBeforeKill = acked.size - earlier.size;
    await a.kill();
    await allSent;
    // Every device is back (on B) and resumes once more from its last token: what the SDK does when it
    // notices a seq gap, here once at the end for whatever the live stream left out.
    await Promise.all(devices.map((d) => d.settled()));
    await Promise.all(devices.map((d) => d.sync()));

    const stream = new Map([...acked].filter(([id]) => !earlier.has(id)));
    const firstSeq = Math.min(...stream.values());
    const range = await readConversation(b.url, members[0]!.token, conversationId);
    const reports = [
      compareDelivery(acked, range.events, range.headSeq),
      ...devices.map((d) => compareDelivery(stream, d.deduped(), range.headSeq, { afterSeq: firstSeq - 1 })),
    ];
    const worst = {
      lost: Math.max(...reports.map((r) => r.lost)),
      duplicated: Math.max(...reports.map((r) => r.duplicated)),
      gaps: Math.max(...reports.map((r) => r.gaps)),
      misplaced: Math.max(...reports.map((r) => r.misplaced)),
      unexpected: Math.max(...reports.map((r) => r.unexpected)),
    };
    const moved = devices.filter((d) => d.failovers > 0);
    const live = devices.reduce((n, d) => n + d.live, 0);
    const received = devices.reduce((n, d) => n + d.received.length, 0);
    const repeats = received - devices.reduce((n, d) => n + d.deduped().length, 0);
    console.log(
      `[cluster postgres] ${String(stream.size)} messages acked from ${String(CLIENTS)} clients on 2 ` +
        `processes; process A SIGKILLed after ${String(ackedBeforeKill)} acks; ${String(moved.length)} ` +
        `devices failed over to B, ${String(retries)} retried sends; ${String(received)} events received by ` +
        `${String(devices.length)} WebSocket devices (${String(live)} live, the rest by resume; ` +
        `${String(repeats)} repeats removed by (conversation, seq)): lost ${String(worst.lost)}, duplicated ` +
        `${String(worst.duplicated)}, seq gaps ${String(worst.gaps)}, misplaced ${String(worst.misplaced)}; ` +
        `head seq ${String(range.headSeq)}`,
    );
    await Promise.all(devices.map((d) => d.close()));

    assert.equal(stream.size, CLIENTS * MESSAGES_PER_CLIENT);
    assert.ok(ackedBeforeKill > 0 && ackedBeforeKill < stream.size, 'the kill must land mid-stream');
    assert.ok(moved.length >= CLIENTS / 2, 'every device of process A moved to B');
    assert.ok(devices.every((d) => d.node === 1));
    assert.deepEqual(worst, { lost: 0, duplicated: 0, gaps: 0, misplaced: 0, unexpected: 0 });
    assert.equal(range.headSeq, acked.size);
    for (const d of devices) {
      assert.equal(d.deduped().length, stream.size, d.name);
      assert.deepEqual(d.errors, [], d.name);
    }
    // Most of the stream travelled live, across processes through the bus: resume is the safety net.
    assert.ok(live > received / 2, `only ${String(live)} of ${String(received)} events arrived live`);
  });
});
