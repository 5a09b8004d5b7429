import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  createRecoveryBackup,
  generateArchiveKey,
  generateRecoveryCode,
  IdentityKeyPair,
  MAX_ARCHIVE_ENTRY_BYTES as CRYPTO_MAX_ARCHIVE_ENTRY_BYTES,
  MAX_RECOVERY_BACKUP_BYTES as CRYPTO_MAX_RECOVERY_BACKUP_BYTES,
  openArchiveEntry,
  openRecoveryBackup,
  RECOVERY_KDF_MIN,
  sealArchiveEntry,
} from '@enlets/crypto';
import {
  MAX_ARCHIVE_ENTRIES_PER_UPLOAD,
  MAX_ARCHIVE_ENTRY_BYTES,
  MAX_RECOVERY_BACKUP_BYTES,
  type ArchivePage,
  type RecoveryBackupResponse,
  type RecoveryBackupStored,
  type SendEventAck,
} from '@enlets/protocol';
import { listAuditEntries } from '../../src/storage/repositories/audit-log.js';
import { createActor, newSession, type TestActor } from '../helpers/actors.js';
import { createConversation, newClientId, payload } from '../helpers/conversations.js';
import { DIALECTS } from '../helpers/dialects.js';
import { codeOf } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Recovery without anyone online (docs/decisions/0012-recovery.md): the server keeps each user's encrypted
 * backup and history archive, serves them only to their owner, refuses to overwrite a backup blindly, and
 * audits every creation and replacement.
 */
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const fromB64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64url'));

async function backupFor(userId: string, passphrase: string): Promise<Uint8Array> {
  return createRecoveryBackup({
    userId,
    identity: IdentityKeyPair.generate(),
    archiveKey: generateArchiveKey(),
    passphrase,
    kdf: RECOVERY_KDF_MIN,
  });
}

for (const dialect of DIALECTS) {
  describe(`api/e2ee recovery [${dialect}]`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect, { config: { rateLimitPerMinute: 1_000_000 } });
    });
    after(() => server.close());

    const putBackup = (actor: TestActor, backup: Uint8Array, expectedVersion: number, token = actor.token) =>
      server.api.put<RecoveryBackupStored>(
        '/api/v1/e2ee/backup',
        { backup: b64(backup), expectedVersion },
        { token },
      );

    const send = async (actor: TestActor, conversationId: string): Promise<number> => {
      const res = await server.api.post<SendEventAck>(
        `/api/v1/conversations/${conversationId}/events`,
        { clientMessageId: newClientId(), payload: payload('ciphertext'), kind: 'message' },
        { token: actor.token },
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.seq;
    };

    it('agrees with @enlets/crypto on the size bounds', () => {
      assert.equal(MAX_RECOVERY_BACKUP_BYTES, CRYPTO_MAX_RECOVERY_BACKUP_BYTES);
      assert.equal(MAX_ARCHIVE_ENTRY_BYTES, CRYPTO_MAX_ARCHIVE_ENTRY_BYTES);
    });

    it('stores a backup, serves it only to its owner, and never overwrites one blindly', async () => {
      const alice = await createActor(server);
      const mallory = await createActor(server);
      const secondDevice = await newSession(server, alice);
      const passphrase = generateRecoveryCode();

      const none = await server.api.get('/api/v1/e2ee/backup', { token: alice.token });
      assert.equal(none.status, 404);
      assert.equal(codeOf(none), 'E2EE_BACKUP_NOT_FOUND');

      const first = await backupFor(alice.id, passphrase);
      const created = await putBackup(alice, first, 0);
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.equal(created.body.version, 1);

      // Another device of alice's that has not seen it tries to create one too: refused, told the version.
      const blind = await putBackup(
        alice,
        await backupFor(alice.id, generateRecoveryCode()),
        0,
        secondDevice,
      );
      assert.equal(blind.status, 409);
      assert.equal(codeOf(blind), 'E2EE_BACKUP_VERSION_MISMATCH');
      assert.deepEqual((blind.body as unknown as { error: { details: unknown } }).error.details, {
        version: 1,
      });

      // The new device reads the stored one, which still opens with the first passphrase.
      const read = await server.api.get<RecoveryBackupResponse>('/api/v1/e2ee/backup', {
        token: secondDevice,
      });
      assert.equal(read.status, 200);
      assert.equal(read.body.version, 1);
      const restored = await openRecoveryBackup(fromB64(read.body.backup), passphrase, alice.id);
      restored.identity.destroy();

      // Replacing names the version it replaces; a stale version is refused.
      const replaced = await putBackup(alice, await backupFor(alice.id, passphrase), 1, secondDevice);
      assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
      assert.equal(replaced.body.version, 2);
      const stale = await putBackup(alice, await backupFor(alice.id, passphrase), 1);
      assert.equal(codeOf(stale), 'E2EE_BACKUP_VERSION_MISMATCH');

      // Mallory sees only her own (none), and cannot park a backup of alice's under her account.
      const hers = await server.api.get('/api/v1/e2ee/backup', { token: mallory.token });
      assert.equal(codeOf(hers), 'E2EE_BACKUP_NOT_FOUND');
      const foreign = await putBackup(mallory, first, 0);
      assert.equal(foreign.status, 400);
      assert.equal(codeOf(foreign), 'E2EE_BACKUP_INVALID');
      const junk = await server.api.put(
        '/api/v1/e2ee/backup',
        { backup: b64(new TextEncoder().encode('not a backup at all')), expectedVersion: 0 },
        { token: mallory.token },
      );
      assert.equal(codeOf(junk), 'E2EE_BACKUP_INVALID');
      const unauthenticated = await server.api.get('/api/v1/e2ee/backup');
      assert.equal(unauthenticated.status, 401);

      // Creation and replacement are in the audit log, without the backup bytes.
      const entries = (await listAuditEntries(server.built.services.db, 0, 10_000)).filter(
        (e) => e.targetId === alice.id && e.action.startsWith('e2ee_backup.'),
      );
      assert.deepEqual(
        entries.map((e) => [e.action, e.details['version']]),
        [
          ['e2ee_backup.created', 1],
          ['e2ee_backup.replaced', 2],
        ],
      );
      const logged = JSON.stringify(entries);
      assert.equal(logged.includes(b64(first).slice(10, 40)), false);
    });

    it('keeps history archive entries per user, in seq order and paged, only at places the user can see', async () => {
      const alice = await createActor(server);
      const bob = await createActor(server);
      const conversationId = await createConversation(server, {
        members: [{ id: alice.id, role: 'owner' }, { id: bob.id }],
      });
      const seqs = [
        await send(alice, conversationId),
        await send(bob, conversationId),
        await send(alice, conversationId),
      ];
      const key = generateArchiveKey();
      const entries = seqs.map((seq) => ({
        conversationId,
        seq,
        entry: b64(
          sealArchiveEntry(key, {
            conversationId,
            seq,
            senderId: alice.id,
            senderDeviceId: randomUUID(),
            content: new TextEncoder().encode(`message ${String(seq)}`),
          }),
        ),
      }));
      const put = await server.api.put('/api/v1/e2ee/archive', { entries }, { token: alice.token });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.deepEqual(put.body, { stored: 3 });
      // A second device of hers archives the same message: kept once.
      const again = await server.api.put(
        '/api/v1/e2ee/archive',
        { entries: entries.slice(0, 1) },
        { token: alice.token },
      );
      assert.deepEqual(again.body, { stored: 0 });

      const page1 = await server.api.get<ArchivePage>(
        `/api/v1/e2ee/archive?conversationId=${conversationId}&afterSeq=0&limit=2`,
        { token: alice.token },
      );
      assert.equal(page1.status, 200, JSON.stringify(page1.body));
      assert.deepEqual(
        page1.body.entries.map((e) => e.seq),
        seqs.slice(0, 2),
      );
      assert.equal(page1.body.more, true);
      const page2 = await server.api.get<ArchivePage>(
        `/api/v1/e2ee/archive?conversationId=${conversationId}&afterSeq=${String(seqs[1])}`,
        { token: alice.token },
      );
      assert.deepEqual(
        page2.body.entries.map((e) => e.seq),
        seqs.slice(2),
      );
      assert.equal(page2.body.more, false);
      const last = page2.body.entries[0]!;
      assert.equal(
        new TextDecoder().decode(
          openArchiveEntry(key, fromB64(last.entry), { conversationId, seq: last.seq })?.content,
        ),
        `message ${String(seqs[2])}`,
      );

      // Bob is in the same conversation but has no entries: alice's are hers alone.
      const bobs = await server.api.get<ArchivePage>(
        `/api/v1/e2ee/archive?conversationId=${conversationId}`,
        {
          token: bob.token,
        },
      );
      assert.deepEqual(bobs.body, { entries: [], more: false });

      // A seq beyond the conversation's head is not a place anyone can see.
      const beyond = await server.api.put(
        '/api/v1/e2ee/archive',
        { entries: [{ ...entries[0]!, seq: seqs[2]! + 100 }] },
        { token: alice.token },
      );
      assert.equal(beyond.status, 400);
      assert.equal(codeOf(beyond), 'INVALID_REFERENCE');

      // Batches are bounded.
      const tooMany = await server.api.put(
        '/api/v1/e2ee/archive',
        { entries: Array.from({ length: MAX_ARCHIVE_ENTRIES_PER_UPLOAD + 1 }, () => entries[0]) },
        { token: alice.token },
      );
      assert.equal(codeOf(tooMany), 'VALIDATION_FAILED');
    });

    it("answers Mallory about someone else's conversation exactly as about one that does not exist", async () => {
      const alice = await createActor(server);
      const mallory = await createActor(server);
      const secret = await createConversation(server, { members: [{ id: alice.id, role: 'owner' }] });
      const seq = await send(alice, secret);
      const entry = { conversationId: secret, seq, entry: b64(new Uint8Array(64)) };
      await server.api.put('/api/v1/e2ee/archive', { entries: [entry] }, { token: alice.token });

      const unknown = randomUUID();
      const strip = (body: unknown, id: string): string =>
        JSON.stringify(body)
          .replaceAll(id, '<id>')
          .replace(/"requestId":"[^"]*"/, '"requestId":"<request>"');
      for (const [label, ask] of [
        [
          'write',
          (id: string) =>
            server.api.put(
              '/api/v1/e2ee/archive',
              { entries: [{ ...entry, conversationId: id }] },
              { token: mallory.token },
            ),
        ],
        [
          'read',
          (id: string) =>
            server.api.get(`/api/v1/e2ee/archive?conversationId=${id}`, { token: mallory.token }),
        ],
      ] as const) {
        const [forSecret, forUnknown] = [await ask(secret), await ask(unknown)];
        assert.equal(forSecret.status, forUnknown.status, label);
        assert.equal(strip(forSecret.body, secret), strip(forUnknown.body, unknown), label);
      }
      // Reading: she gets an empty page, never alice's entry.
      const read = await server.api.get<ArchivePage>(`/api/v1/e2ee/archive?conversationId=${secret}`, {
        token: mallory.token,
      });
      assert.deepEqual(read.body, { entries: [], more: false });
      // Writing: refused as for an unknown conversation, and alice's entry is untouched.
      const write = await server.api.put(
        '/api/v1/e2ee/archive',
        { entries: [{ ...entry, entry: b64(new Uint8Array(80)) }] },
        { token: mallory.token },
      );
      assert.equal(codeOf(write), 'NOT_FOUND');
      const hers = await server.api.get<ArchivePage>(`/api/v1/e2ee/archive?conversationId=${secret}`, {
        token: alice.token,
      });
      assert.equal(hers.body.entries[0]?.entry, entry.entry);
    });
  });
}
