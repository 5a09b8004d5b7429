import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IdentityKeyPair, RECOVERY_KDF_MIN, SecretBytes, toBase64Url } from '@enlets/crypto';
import {
  generateRecoveryCode,
  IdentityUnavailableError,
  RecoveryPassphraseTooWeakError,
  type SecureMessenger,
  WrongPassphraseError,
} from '@enlets/client';
import type { ArchivePage } from '@enlets/protocol';
import { DIALECTS } from '../../server/test/helpers/dialects.js';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { createActor, newSession, type TestActor } from '../../server/test/helpers/actors.js';
import { createConversation } from '../../server/test/helpers/conversations.js';
import { text, utf8, waitFor } from './helpers.js';
import { openSecureDevice, type SecureTestDevice as Device } from './secure-device.js';

/**
 * Recovery without anyone online (ADR 0012), through the real client and server: bob sets up a recovery
 * passphrase, talks with alice, then loses his device. A new device with the passphrase gets his identity back,
 * shows the messages from before it existed (from his archive) and reads what comes next; the wrong passphrase
 * is refused.
 */
for (const dialect of DIALECTS) {
  describe(`client/e2ee recovery through the real server [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    const devices: Device[] = [];

    const openDevice = async (
      actor: TestActor,
      options: {
        token?: string;
        recovery?: { passphrase: string };
        beforeStart?: (messenger: SecureMessenger) => Promise<void>;
      } = {},
    ): Promise<Device> => {
      const { token, ...rest } = options;
      const device = await openSecureDevice(server.url, actor.id, token ?? actor.token, rest);
      devices.push(device);
      return device;
    };

    before(async () => {
      server = await startTestServer(dialect);
      // KeyPackages carry real lifetimes from the device's clock; the server checks them against its own.
      server.clock.advance(Date.now() - server.clock.now());
      alice = await createActor(server);
      bob = await createActor(server);
    });
    after(async () => {
      await Promise.all(devices.map((d) => d.stop()));
      await server.close();
    });

    it('a wiped device gets its identity and history back with the passphrase, and reads what follows', async () => {
      const conversationId = await createConversation(server, {
        members: [{ id: alice.id, role: 'owner' }, { id: bob.id }],
      });
      const a = await openDevice(alice);
      const b = await openDevice(bob);

      // A passphrase of bob's own that is too short is refused before anything is stored.
      await assert.rejects(b.messenger.setUpRecovery('hunter2'), RecoveryPassphraseTooWeakError);
      const passphrase = generateRecoveryCode();
      const { version } = await b.messenger.setUpRecovery(passphrase, { kdf: RECOVERY_KDF_MIN });
      assert.equal(version, 1);

      await (
        await a.messenger.send(conversationId, utf8('Operation Nordlicht starts at 06:00'))
      ).acknowledged;
      await waitFor(
        () => (b.texts(conversationId).includes('Operation Nordlicht starts at 06:00') ? true : undefined),
        'bob reads the first message',
      );
      await (
        await b.messenger.send(conversationId, utf8('Copy that, team ready'))
      ).acknowledged;
      await waitFor(
        () => (a.texts(conversationId).includes('Copy that, team ready') ? true : undefined),
        "alice reads bob's reply",
      );
      await waitFor(
        () => (b.shown.some((e) => e.status === 'own') ? true : undefined),
        "bob's own message shown",
      );
      // What bob's device read and wrote is archived (in the background; flushed here to not wait for it).
      await b.messenger.flushArchive();
      const archived = await server.api.get<ArchivePage>(
        `/api/v1/e2ee/archive?conversationId=${conversationId}`,
        {
          token: bob.token,
        },
      );
      assert.equal(archived.body.entries.length, 2, JSON.stringify(archived.body));
      assert.equal(
        JSON.stringify(archived.body).includes(Buffer.from('Nordlicht').toString('base64url')),
        false,
      );

      // Bob's device is wiped: a new session with an empty store. Without the passphrase it cannot start, with
      // a wrong one it is refused clearly.
      await b.stop();
      const newToken = await newSession(server, bob);
      await assert.rejects(openDevice(bob, { token: newToken }), IdentityUnavailableError);
      await assert.rejects(
        openDevice(bob, { token: newToken, recovery: { passphrase: generateRecoveryCode() } }),
        (error: unknown) => {
          assert.ok(error instanceof WrongPassphraseError);
          assert.match(error.message, /passphrase is wrong/);
          return true;
        },
      );

      // The code is accepted as people type it from paper: lower case, spaces instead of dashes.
      const typed = passphrase.toLowerCase().replace(/-/g, ' ');
      const restored = await openDevice(bob, {
        token: newToken,
        recovery: { passphrase: typed },
        beforeStart: async (messenger) => {
          const result = await messenger.restoreHistory(conversationId);
          assert.deepEqual(result, { restored: 2, refused: 0 });
        },
      });
      const identity = await restored.e2eeStore.getSecret('identity');
      const registered = await server.api.get<{ identityKey: string }>(
        `/api/v1/e2ee/users/${bob.id}/devices`,
        {
          token: alice.token,
        },
      );
      assert.ok(identity);
      assert.equal(
        toBase64Url(IdentityKeyPair.fromPrivateKey(new SecretBytes(identity)).publicKey),
        registered.body.identityKey,
        'the device holds the identity key registered for bob',
      );

      // The history from before the device existed shows its text, from the archive.
      const history = await restored.messenger.history(conversationId);
      const messages = history.filter((e) => e.event.kind === 'message');
      assert.deepEqual(
        messages.map((e) => [text(e.content), e.status, e.event.senderId]),
        [
          ['Operation Nordlicht starts at 06:00', 'decrypted', alice.id],
          ['Copy that, team ready', 'decrypted', bob.id],
        ],
      );

      // It joins the group by external commit and reads the next new message.
      await restored.messenger.ensureJoined(conversationId);
      await (
        await a.messenger.send(conversationId, utf8('welcome back, bob'))
      ).acknowledged;
      await waitFor(
        () => (restored.texts(conversationId).includes('welcome back, bob') ? true : undefined),
        'the restored device reads the next message',
      );
      for (const device of [a, restored]) assert.deepEqual(device.warnings, [], 'no security warnings');

      // A server that swaps two archived entries between seqs gets them refused, visibly, not shown.
      const db = server.built.services.db;
      const rows = await db
        .selectFrom('e2ee_archive')
        .select(['seq', 'bytes'])
        .where('user_id', '=', bob.id)
        .where('conversation_id', '=', conversationId)
        .orderBy('seq')
        .execute();
      const [first, second] = rows;
      assert.ok(first && second);
      for (const [row, other] of [
        [first, second],
        [second, first],
      ] as const) {
        await db
          .updateTable('e2ee_archive')
          .set({ bytes: other.bytes })
          .where('user_id', '=', bob.id)
          .where('conversation_id', '=', conversationId)
          .where('seq', '=', row.seq)
          .execute();
      }
      assert.deepEqual(await restored.messenger.restoreHistory(conversationId), { restored: 0, refused: 2 });
      assert.equal(restored.warnings.length, 1);
    });
  });
}
