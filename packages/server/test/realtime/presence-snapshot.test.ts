import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { presenceSnapshot } from '../../src/domain/actions/presence.js';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createActor, newSession, type TestActor } from '../helpers/actors.js';
import { createConversation } from '../helpers/conversations.js';
import { connectWs, type Frame, type WsClient } from '../helpers/ws.js';

interface SnapshotEntry {
  readonly userId: string;
  readonly availability: string;
  readonly text: string | null;
}

for (const dialect of DIALECTS) {
  describe(`realtime/presence snapshot [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    let carol: TestActor;
    let dave: TestActor;
    let stranger: TestActor;
    const open: WsClient[] = [];

    before(async () => {
      server = await startTestServer(dialect);
      alice = await createActor(server);
      bob = await createActor(server);
      carol = await createActor(server);
      dave = await createActor(server);
      stranger = await createActor(server);
      await createConversation(server, { kind: 'direct', members: [{ id: alice.id }, { id: bob.id }] });
      await createConversation(server, { members: [{ id: alice.id }, { id: carol.id }, { id: dave.id }] });
      // A channel does not make its members contacts (a network-wide channel would make everyone one).
      await createConversation(server, {
        kind: 'channel',
        members: [{ id: alice.id }, { id: stranger.id }],
      });
    });
    after(async () => {
      for (const ws of open) await ws.close();
      await server.close();
    });

    const connect = async (actor: TestActor): Promise<WsClient> => {
      const ws = await connectWs(server, { token: await newSession(server, actor) });
      open.push(ws);
      return ws;
    };
    const snapshotOf = async (ws: WsClient): Promise<Frame> => ws.waitFor((f) => f.type === 'presences');
    const entries = (snapshot: Frame): Map<string, SnapshotEntry> =>
      new Map((snapshot['users'] as SnapshotEntry[]).map((u) => [u.userId, u]));

    it("tells a device its contacts' current presence right after ready", async () => {
      const bobWs = await connect(bob);
      bobWs.send({ type: 'presence', availability: 'busy', text: 'in a meeting' });
      await bobWs.request({ type: 'ping' });
      const carolWs = await connect(carol);
      carolWs.send({ type: 'presence', availability: 'offline' });
      await carolWs.request({ type: 'ping' });

      const aliceWs = await connect(alice);
      const types = aliceWs.frames.map((f) => f.type);
      const snapshot = await snapshotOf(aliceWs);
      assert.ok(types.indexOf('ready') < aliceWs.frames.indexOf(snapshot), 'after ready');
      assert.equal(snapshot['truncated'], false);
      const users = entries(snapshot);
      assert.deepEqual([...users.keys()].sort(), [bob.id, carol.id, dave.id].sort());
      assert.deepEqual(users.get(bob.id), { userId: bob.id, availability: 'busy', text: 'in a meeting' });
      // "Appear offline" and not connected look the same.
      assert.deepEqual(users.get(carol.id), { userId: carol.id, availability: 'offline', text: null });
      assert.deepEqual(users.get(dave.id), { userId: dave.id, availability: 'offline', text: null });
      assert.equal(users.has(stranger.id), false);

      // Changes follow as presence frames, as before.
      bobWs.send({ type: 'presence', availability: 'dnd', text: 'on a raid' });
      const change = await aliceWs.waitFor((f) => f.type === 'presence' && f['availability'] === 'dnd');
      assert.equal(change['userId'], bob.id);
      await bobWs.close();
      await aliceWs.waitFor(
        (f) => f.type === 'presence' && f['userId'] === bob.id && f['availability'] === 'offline',
      );
      const later = entries(await snapshotOf(await connect(alice)));
      assert.equal(later.get(bob.id)?.availability, 'offline', 'bob went offline since');
    });

    it('caps the snapshot, online contacts first, and says it was cut', async () => {
      const daveWs = await connect(dave);
      await daveWs.request({ type: 'ping' });
      const services = server.built.services;
      const online = new Set<string>([dave.id]);
      const cut = await presenceSnapshot(services, alice.id, () => Promise.resolve(online), 1);
      assert.equal(cut.truncated, true);
      assert.deepEqual(
        cut.users.map((u) => u.userId),
        [dave.id],
      );
      const whole = await presenceSnapshot(services, alice.id, () => Promise.resolve(online));
      assert.equal(whole.truncated, false);
      assert.equal(whole.users.length, 3);
    });
  });
}
