import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../../server/test/helpers/dialects.js';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { createActor, newSession, type TestActor } from '../../server/test/helpers/actors.js';
import { createConversation } from '../../server/test/helpers/conversations.js';
import { utf8, waitFor } from './helpers.js';
import { openSecureDevice, type SecureTestDevice as Device, savedGroupOf } from './secure-device.js';

for (const dialect of DIALECTS) {
  describe(`client/e2ee: MLS through the real server [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    let carol: TestActor;
    const devices: Device[] = [];

    const openDevice = async (
      actor: TestActor,
      token = actor.token,
      identityFrom?: Device,
    ): Promise<Device> => {
      const device = await openSecureDevice(server.url, actor.id, token, {
        ...(identityFrom === undefined ? {} : { identityFrom }),
      });
      devices.push(device);
      return device;
    };

    before(async () => {
      server = await startTestServer(dialect);
      // KeyPackages carry real lifetimes from the device's clock; the server checks them against its own.
      server.clock.advance(Date.now() - server.clock.now());
      alice = await createActor(server);
      bob = await createActor(server);
      carol = await createActor(server);
    });
    after(async () => {
      await Promise.all(devices.map((d) => d.stop()));
      await server.close();
    });

    it('members read each other, the server stores only ciphertext, a newcomer device joins, a removed member reads nothing new', async () => {
      const conversationId = await createConversation(server, {
        members: [{ id: alice.id, role: 'owner' }, { id: bob.id }, { id: carol.id }],
      });
      const a = await openDevice(alice);
      const b = await openDevice(bob);
      const c = await openDevice(carol);

      const sent = await a.messenger.send(conversationId, utf8('Operation Nordlicht starts at 06:00'));
      await sent.acknowledged;
      for (const device of [b, c]) {
        await waitFor(
          () =>
            device.texts(conversationId).includes('Operation Nordlicht starts at 06:00') ? true : undefined,
          'the first message decrypted',
        );
      }
      const received = b.shown.find((e) => e.event.kind === 'message');
      assert.equal(received?.status, 'decrypted');
      assert.equal(received.event.senderId, alice.id);
      // The sender shows its own message from what it wrote, never by decrypting.
      await waitFor(
        () => (a.shown.some((e) => e.event.kind === 'message' && e.status === 'own') ? true : undefined),
        'the own message shown',
      );

      // The server's copy is ciphertext: the text is nowhere in what it serves.
      const history = await server.api.get<{ events: Array<{ payload: string | null }> }>(
        `/api/v1/conversations/${conversationId}/events?afterSeq=0`,
        { token: bob.token },
      );
      const served = JSON.stringify(history.body);
      assert.equal(served.includes('Nordlicht'), false);
      assert.equal(served.includes(Buffer.from('Nordlicht').toString('base64').slice(0, 10)), false);

      await b.messenger.send(conversationId, utf8('Copy that, team ready'));
      await waitFor(
        () => (a.texts(conversationId).includes('Copy that, team ready') ? true : undefined),
        "bob's reply decrypted by alice",
      );

      // Bob signs in on a second device: it joins by external commit and reads what follows.
      const b2 = await openDevice(bob, await newSession(server, bob), b);
      await b2.messenger.ensureJoined(conversationId);
      await (
        await a.messenger.send(conversationId, utf8('second device welcome'))
      ).acknowledged;
      await waitFor(
        () => (b2.texts(conversationId).includes('second device welcome') ? true : undefined),
        "bob's new device reads the next message",
      );
      assert.equal(b2.texts(conversationId).includes('Operation Nordlicht starts at 06:00'), false);

      // Carol is removed: alice's next send first removes carol's leaf; carol's device cannot read it.
      const carolState = await savedGroupOf(c, conversationId);
      assert.ok(carolState);
      const removal = await server.api.post(
        `/api/v1/conversations/${conversationId}/members/${carol.id}/remove`,
        {},
        { token: alice.token },
      );
      assert.ok(removal.status < 300, `removal answered ${String(removal.status)}`);
      await (
        await a.messenger.send(conversationId, utf8('after carol left'))
      ).acknowledged;
      await waitFor(
        () => (b.texts(conversationId).includes('after carol left') ? true : undefined),
        'bob reads the message after the removal',
      );
      assert.equal(c.texts(conversationId).includes('after carol left'), false);

      for (const device of [a, b, b2, c]) assert.deepEqual(device.warnings, [], 'no security warnings');
    });

    it('a send that raced a removal arrives once, after the removal commit; an ended device is removed before sending', async () => {
      const [dave, erin, frank] = [
        await createActor(server),
        await createActor(server),
        await createActor(server),
      ];
      const conversationId = await createConversation(server, {
        members: [{ id: dave.id, role: 'owner' }, { id: erin.id }, { id: frank.id }],
      });
      const d = await openDevice(dave);
      const e = await openDevice(erin);
      const f = await openDevice(frank);
      await (
        await d.messenger.send(conversationId, utf8('briefing at noon'))
      ).acknowledged;
      await waitFor(
        () => (f.texts(conversationId).includes('briefing at noon') ? true : undefined),
        'frank reads',
      );

      // Dave's message is encrypted while Frank is a member and reaches the server after his removal: the server
      // refuses it (MLS_COMMIT_REQUIRED), Dave's device commits the removal and sends the same words again.
      await d.session.stop();
      const raced = await d.messenger.send(conversationId, utf8('raced the removal'));
      const removal = await server.api.post(
        `/api/v1/conversations/${conversationId}/members/${frank.id}/remove`,
        {},
        { token: dave.token },
      );
      assert.ok(removal.status < 300, `removal answered ${String(removal.status)}`);
      d.session.start();
      const ack = await raced.acknowledged;
      assert.notEqual(ack.clientMessageId, raced.clientMessageId, 'sent again as a new message');
      await waitFor(
        () => (e.texts(conversationId).includes('raced the removal') ? true : undefined),
        'erin reads the message sent again',
      );
      assert.deepEqual(await d.session.listOutbox(), [], 'the refused entry is gone');
      assert.equal(e.texts(conversationId).filter((t) => t === 'raced the removal').length, 1);
      assert.equal(f.texts(conversationId).includes('raced the removal'), false);

      // Erin's second device signs out: Dave's next send removes its leaf first, so the server takes it at once.
      const laptopToken = await newSession(server, erin);
      const e2 = await openDevice(erin, laptopToken, e);
      await e2.messenger.ensureJoined(conversationId);
      const logout = await server.api.post('/api/v1/auth/logout', undefined, { token: laptopToken });
      assert.ok(logout.status < 300, `logout answered ${String(logout.status)}`);
      const next = await d.messenger.send(conversationId, utf8('after the laptop signed out'));
      assert.equal(
        (await next.acknowledged).clientMessageId,
        next.clientMessageId,
        'accepted the first time',
      );
      await waitFor(
        () => (e.texts(conversationId).includes('after the laptop signed out') ? true : undefined),
        'erin reads it on her remaining device',
      );
      assert.equal(e2.texts(conversationId).includes('after the laptop signed out'), false);
      for (const device of [d, e, f]) assert.deepEqual(device.warnings, [], 'no security warnings');
    });

    it('writes only the message ratchets after each message, not the whole group state', async () => {
      // New users: the suite's own already hold identity keys on devices of the tests before.
      const gina = await createActor(server);
      const hugo = await createActor(server);
      const conversationId = await createConversation(server, {
        members: [{ id: gina.id, role: 'owner' }, { id: hugo.id }],
      });
      const a = await openDevice(gina);
      const b = await openDevice(hugo);
      await (
        await a.messenger.send(conversationId, utf8('first of the shift'))
      ).acknowledged;
      await waitFor(
        () => (b.texts(conversationId).includes('first of the shift') ? true : undefined),
        'hugo reads the first message',
      );
      const epochPart = await a.e2eeStore.getGroup(conversationId);
      assert.ok(epochPart);
      const before = { ...a.e2eeStore.groupWrites };
      for (const words of ['second', 'third', 'fourth'])
        await (
          await a.messenger.send(conversationId, utf8(words))
        ).acknowledged;
      await waitFor(
        () => (b.texts(conversationId).includes('fourth') ? true : undefined),
        'hugo reads them all',
      );
      const count = a.e2eeStore.groupWrites.count - before.count;
      const bytes = a.e2eeStore.groupWrites.bytes - before.bytes;
      assert.ok(count >= 3, `a save after each message (${String(count)})`);
      assert.ok(
        bytes / count < 1_000 && bytes / count < epochPart.length / 2,
        `a message wrote ${String(bytes / count)} bytes (the epoch part is ${String(epochPart.length)})`,
      );
    });
  });
}
