import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { randomUUID } from 'node:crypto';
import {
  checkRecoveryPassphrase,
  createRecoveryBackup,
  generateArchiveKey,
  generateRecoveryCode,
  IdentityKeyPair,
  MAX_RECOVERY_BACKUP_BYTES,
  normalizeRecoveryPassphrase,
  openArchiveEntry,
  openRecoveryBackup,
  readRecoveryBackupHeader,
  RECOVERY_KDF_DEFAULT,
  RECOVERY_KDF_MIN,
  RecoveryFormatError,
  REDACTED,
  sealArchiveEntry,
  WrongPassphraseError,
  type RecoveryKdfParams,
} from '@enlets/crypto';

/** The weakest allowed cost keeps the suite quick; one test runs the default and reports its time. */
const FAST: RecoveryKdfParams = RECOVERY_KDF_MIN;
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

async function backupOf(userId = randomUUID(), passphrase = generateRecoveryCode()) {
  const identity = IdentityKeyPair.generate();
  const archiveKey = generateArchiveKey();
  const bytes = await createRecoveryBackup({ userId, identity, archiveKey, passphrase, kdf: FAST });
  return { userId, passphrase, identity, archiveKey, bytes };
}

describe('crypto/recovery: the passphrase-protected backup', () => {
  it('restores the identity key and the archive key with the passphrase, in any typing of the code', async () => {
    const { userId, passphrase, identity, archiveKey, bytes } = await backupOf();
    assert.ok(bytes.length <= MAX_RECOVERY_BACKUP_BYTES);
    const sloppy = passphrase.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/1/g, 'l');
    const restored = await openRecoveryBackup(bytes, sloppy, userId);
    assert.deepEqual(restored.identity.publicKey, identity.publicKey);
    assert.ok(restored.archiveKey.equals(archiveKey));
    // The restored identity signs like the original.
    const message = new TextEncoder().encode('device list v2');
    assert.ok(
      IdentityKeyPair.fromPrivateKey(restored.identity.exportPrivateKey()).sign(message).length === 64,
    );
    assert.deepEqual(readRecoveryBackupHeader(bytes).kdf, FAST);
    assert.equal(readRecoveryBackupHeader(bytes).userId, userId);
  });

  it('refuses the wrong passphrase with WrongPassphraseError', async () => {
    const { userId, bytes } = await backupOf();
    await assert.rejects(openRecoveryBackup(bytes, generateRecoveryCode(), userId), WrongPassphraseError);
    await assert.rejects(
      openRecoveryBackup(bytes, 'a long but wrong passphrase', userId),
      WrongPassphraseError,
    );
  });

  it('refuses a backup whose header, salt, cost or ciphertext was altered', async () => {
    const { userId, passphrase, bytes } = await backupOf();
    const header = readRecoveryBackupHeader(bytes);
    // Every byte of the salt and of the body, and the cost fields, are covered.
    const saltAt = 15;
    const tampered: Array<[string, Uint8Array]> = [
      ['salt', flip(bytes, saltAt + 3)],
      ['iterations', withByte(bytes, 13, header.kdf.iterations + 1)],
      ['nonce', flip(bytes, bytes.length - 90)],
      ['ciphertext', flip(bytes, bytes.length - 20)],
      ['tag', flip(bytes, bytes.length - 1)],
    ];
    for (const [what, altered] of tampered) {
      await assert.rejects(openRecoveryBackup(altered, passphrase, userId), WrongPassphraseError, what);
    }
    // The user id is in the header: a backup of someone else is refused before any key derivation.
    await assert.rejects(openRecoveryBackup(bytes, passphrase, randomUUID()), RecoveryFormatError);
    // Structural damage is a format error, found before the (slow) derivation.
    for (const broken of [bytes.subarray(0, 20), bytes.subarray(0, bytes.length - 1), new Uint8Array(600)]) {
      await assert.rejects(openRecoveryBackup(broken, passphrase, userId), RecoveryFormatError);
    }
  });

  it('refuses a header that asks for an absurd cost (a forged backup cannot exhaust the device)', async () => {
    const { userId, passphrase, bytes } = await backupOf();
    const huge = Uint8Array.from(bytes);
    new DataView(huge.buffer).setUint32(6, 0xffff_ffff); // m = 4 TiB
    const weak = Uint8Array.from(bytes);
    new DataView(weak.buffer).setUint32(6, 8); // m = 8 KiB
    for (const forged of [huge, weak]) {
      await assert.rejects(openRecoveryBackup(forged, passphrase, userId), RecoveryFormatError);
    }
    await assert.rejects(
      createRecoveryBackup({
        userId,
        identity: IdentityKeyPair.generate(),
        archiveKey: generateArchiveKey(),
        passphrase,
        kdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 },
      }),
      RangeError,
    );
  });

  it('derives with the default cost (m = 64 MiB, t = 3, p = 1) and reports how long it takes', async () => {
    const userId = randomUUID();
    const passphrase = generateRecoveryCode();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const bytes = await createRecoveryBackup({
      userId,
      identity: IdentityKeyPair.generate(),
      archiveKey: generateArchiveKey(),
      passphrase,
    });
    const used = process.cpuUsage(cpu);
    console.log(
      `recovery KDF m=${String(RECOVERY_KDF_DEFAULT.memoryKiB)}KiB t=${String(RECOVERY_KDF_DEFAULT.iterations)}: ` +
        `${(performance.now() - started).toFixed(0)} ms wall, ${((used.user + used.system) / 1000).toFixed(0)} ms CPU`,
    );
    assert.deepEqual(readRecoveryBackupHeader(bytes).kdf, RECOVERY_KDF_DEFAULT);
  });
});

describe('crypto/recovery: passphrases', () => {
  it('generates 24-character base32 codes in groups of four, all different', () => {
    const codes = Array.from({ length: 200 }, generateRecoveryCode);
    for (const code of codes) {
      assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}$/);
      assert.deepEqual(checkRecoveryPassphrase(code), { ok: true, generated: true });
    }
    assert.equal(new Set(codes).size, codes.length);
    // Every symbol of the alphabet appears: no symbol is unreachable (a biased generator would show here).
    assert.equal(new Set(codes.join('').replace(/-/g, '')).size, 32);
  });

  it('accepts a long enough passphrase of the user’s own and refuses short or repetitive ones', () => {
    assert.deepEqual(checkRecoveryPassphrase('Kiel harbour at dawn, 1997'), { ok: true, generated: false });
    assert.deepEqual(checkRecoveryPassphrase('hunter2'), { ok: false, reason: 'too-short' });
    assert.deepEqual(checkRecoveryPassphrase('aaaaaaaaaaaaaaaaaaaaaaaa!'), {
      ok: false,
      reason: 'too-repetitive',
    });
    // NFKC: the same words typed with composed or decomposed accents give the same key.
    assert.equal(
      normalizeRecoveryPassphrase('Caf\u00e9 au lait, deux fois'),
      normalizeRecoveryPassphrase('Cafe\u0301 au lait, deux fois'),
    );
  });
});

describe('crypto/recovery: the history archive', () => {
  const conversationId = randomUUID();
  const entry = {
    conversationId,
    seq: 42,
    senderId: randomUUID(),
    senderDeviceId: randomUUID(),
    content: new TextEncoder().encode('Operation Nordlicht starts at 06:00'),
  };

  it('opens an entry at its own place with the archive key', () => {
    const key = generateArchiveKey();
    const sealed = sealArchiveEntry(key, entry);
    assert.equal(Buffer.from(sealed).includes(Buffer.from('Nordlicht')), false);
    assert.deepEqual(openArchiveEntry(key, sealed, { conversationId, seq: 42 }), entry);
  });

  it('refuses an entry moved to another seq or conversation, under another key, or altered', () => {
    const key = generateArchiveKey();
    const sealed = sealArchiveEntry(key, entry);
    assert.equal(openArchiveEntry(key, sealed, { conversationId, seq: 43 }), undefined);
    assert.equal(openArchiveEntry(key, sealed, { conversationId: randomUUID(), seq: 42 }), undefined);
    assert.equal(openArchiveEntry(generateArchiveKey(), sealed, { conversationId, seq: 42 }), undefined);
    for (const at of [0, 5, sealed.length - 1]) {
      assert.equal(
        openArchiveEntry(key, flip(sealed, at), { conversationId, seq: 42 }),
        undefined,
        `byte ${String(at)}`,
      );
    }
    assert.equal(openArchiveEntry(key, sealed.subarray(0, 30), { conversationId, seq: 42 }), undefined);
  });
});

describe('crypto/recovery: secrets never print', () => {
  it('redacts the archive key and the restored identity', async () => {
    const { userId, passphrase, bytes } = await backupOf();
    const restored = await openRecoveryBackup(bytes, passphrase, userId);
    const archiveHex = hex(restored.archiveKey.exposeBytes());
    const seedHex = hex(restored.identity.exportPrivateKey().exposeBytes());
    const printed = (value: unknown): string[] => [
      JSON.stringify(value),
      inspect(value, { depth: 10, showHidden: true }),
      ...(value === restored ? [] : [String(value)]),
    ];
    for (const value of [restored, restored.archiveKey, restored.identity]) {
      for (const text of printed(value)) {
        assert.ok(text.includes(REDACTED), text);
        assert.ok(!text.includes(archiveHex) && !text.includes(seedHex), text);
      }
    }
    // Neither key nor passphrase appears in the backup or in the error a wrong guess produces.
    const error = await openRecoveryBackup(bytes, 'a long but wrong passphrase', userId).catch(
      (e: unknown) => e,
    );
    assert.ok(error instanceof WrongPassphraseError);
    for (const text of [hex(bytes), error.message, inspect(error)]) {
      assert.ok(!text.includes(archiveHex) && !text.includes(seedHex));
      assert.ok(!text.includes('a long but wrong passphrase'));
    }
  });
});

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}

function withByte(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[at] = value;
  return copy;
}
