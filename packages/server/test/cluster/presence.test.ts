import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../helpers/dialects.js';
import {
  freePort,
  seedMessagingFixture,
  ServerProcess,
  type MessagingFixture,
} from '../helpers/spawn-server.js';
import { connectWs, type Frame, type WsClient } from '../helpers/ws.js';

const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
/** Short heartbeats: a dead process is noticed after three missed ones. */
const HEARTBEAT_MS = 300;

interface PresenceEntry {
  readonly userId: string;
  readonly availability: string;
}

const snapshotOf = (frame: Frame): readonly PresenceEntry[] => frame['users'] as PresenceEntry[];

/**
 * Presence across processes: who is online is kept in the shared database, so a process that started after a
 * contact connected elsewhere still shows them online, and a process that dies takes its users offline for
 * everyone else.
 */
describe('cluster: presence across processes [postgres]', () => {
  if (process.env['TEST_DATABASE_URL'] === undefined) {
    it('needs PostgreSQL: set TEST_DATABASE_URL (CI does) to run the cluster suite', (t) => {
      t.skip('TEST_DATABASE_URL is not set; cluster mode runs on PostgreSQL only');
    });
    return;
  }
  let testDb: TestDatabase;
  let fixture: MessagingFixture;
  const nodes: ServerProcess[] = [];
  const sockets: WsClient[] = [];

  before(async () => {
    testDb = await createTestDatabase('postgres');
    fixture = await seedMessagingFixture(testDb.url, 2);
  });
  after(async () => {
    for (const ws of sockets) await ws.close().catch(() => undefined);
    for (const node of nodes) await node.stop();
    await testDb.drop();
  });

  async function startNode(busChannel: string): Promise<ServerProcess> {
    const node = new ServerProcess({
      databaseUrl: testDb.url,
      port: await freePort(),
      busUrl: REDIS_URL,
      busChannel,
      env: { ENLETS_PRESENCE_HEARTBEAT_MS: String(HEARTBEAT_MS) },
    });
    nodes.push(node);
    await node.start();
    return node;
  }

  it('shows a contact online from a process that started later, and offline once their process dies', async () => {
    const [alice, bruno] = fixture.members;
    assert.ok(alice && bruno);
    const channel = `enlets-presence-${randomUUID()}`;
    const first = await startNode(channel);
    const aliceWs = await connectWs(first, { token: alice.token });
    sockets.push(aliceWs);

    // The second process starts after Alice came online: it never heard her announcement on the bus.
    const second = await startNode(channel);
    const brunoWs = await connectWs(second, { token: bruno.token });
    sockets.push(brunoWs);
    const snapshot = await brunoWs.waitFor((f) => f.type === 'presences');
    assert.deepEqual(
      snapshotOf(snapshot).find((u) => u.userId === alice.id)?.availability,
      'available',
      'Alice is online on the other process',
    );

    // Alice's process dies without a word: Bruno hears that she went offline once it has missed its heartbeats.
    await first.kill();
    const offline = await brunoWs.waitFor(
      (f) => f.type === 'presence' && f['userId'] === alice.id && f['availability'] === 'offline',
      HEARTBEAT_MS * 20,
      'Alice offline',
    );
    assert.equal(offline['text'], null);

    // A device connecting now gets the same answer in its snapshot.
    const brunoAgain = await connectWs(second, { token: bruno.token });
    sockets.push(brunoAgain);
    const later = await brunoAgain.waitFor((f) => f.type === 'presences');
    assert.equal(snapshotOf(later).find((u) => u.userId === alice.id)?.availability, 'offline');
  });

  it('keeps a user online while another process still holds one of their connections', async () => {
    const [alice, bruno] = fixture.members;
    assert.ok(alice && bruno);
    const channel = `enlets-presence-${randomUUID()}`;
    const one = await startNode(channel);
    const two = await startNode(channel);
    const brunoWs = await connectWs(one, { token: bruno.token });
    sockets.push(brunoWs);
    const alicePhone = await connectWs(one, { token: alice.token });
    const aliceDesk = await connectWs(two, { token: alice.token });
    sockets.push(aliceDesk);

    await alicePhone.close();
    // Give a wrong "offline" time to arrive, then check that none did.
    await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_MS * 4));
    assert.equal(
      brunoWs.frames.some(
        (f) => f.type === 'presence' && f['userId'] === alice.id && f['availability'] === 'offline',
      ),
      false,
      'Alice still has her desk connection: not offline',
    );
  });
});
