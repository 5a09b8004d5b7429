import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { randomUUID } from 'node:crypto';
import { IdentityKeyPair, REDACTED, SecretBytes, SecretDestroyedError } from '@enlets/crypto';
import { addDevice, createUser, TestDirectory } from './helpers.js';

/** Every way a value is commonly printed, logged or serialised. */
function printed(value: unknown): string[] {
  return [
    String(value),
    JSON.stringify(value),
    JSON.stringify({ nested: { value } }),
    inspect(value),
    inspect({ nested: [value] }, { depth: 10 }),
    inspect(value, { showHidden: true }),
  ];
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

describe('crypto/secret: secrets never print', () => {
  it('redacts SecretBytes everywhere and exposes the bytes only on request', () => {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    const copy = Uint8Array.from(bytes);
    const secret = new SecretBytes(bytes);
    for (const text of printed(secret)) {
      assert.ok(text.includes(REDACTED), text);
      assert.ok(!text.includes(hex(copy)) && !text.includes(String(copy[0]) + ','), text);
    }
    assert.deepEqual(Object.keys(secret), []);
    assert.deepEqual(Object.entries(secret), []);
    assert.deepEqual(structuredClone(Object.assign({}, secret)), {});
    assert.deepEqual(secret.exposeBytes(), copy);
    assert.ok(secret.equals(SecretBytes.copyOf(copy)));

    secret.destroy();
    assert.ok(
      bytes.every((b) => b === 0),
      'destroy zeroes the bytes',
    );
    assert.equal(secret.destroyed, true);
    assert.throws(() => secret.exposeBytes(), SecretDestroyedError);
  });

  it('redacts identity keys, devices, groups and their saved state', async () => {
    const identity = IdentityKeyPair.generate();
    const exported = identity.exportPrivateKey();
    const seed = hex(exported.exposeBytes());
    const directory = new TestDirectory();
    const device = await addDevice(directory, createUser(directory));
    const group = await device.device.createGroup(randomUUID());
    for (const value of [
      identity,
      exported,
      device.device,
      group,
      group.save(),
      device.device.save(),
      device.keyPackages[0]!.privateKeys,
    ]) {
      for (const text of printed(value)) {
        assert.ok(text.includes(REDACTED), text);
        assert.ok(!text.includes(seed), text);
      }
    }
    // Key packages are plain records: their private part prints redacted inside them.
    assert.ok(inspect(device.keyPackages[0]).includes(REDACTED));
    assert.ok(
      JSON.stringify(device.keyPackages[0], (_k, v: unknown) =>
        typeof v === 'bigint' ? String(v) : v,
      ).includes(REDACTED),
    );

    const restored = IdentityKeyPair.fromPrivateKey(exported);
    assert.deepEqual(restored.publicKey, identity.publicKey);
    restored.destroy();
    assert.throws(() => restored.sign(new Uint8Array([1])), SecretDestroyedError);
  });
});
