import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  authenticateLeaf,
  encodeDeviceCredential,
  encodeDeviceList,
  IdentityKeyPair,
  MemoryTrustStorage,
  nextDeviceList,
  signDeviceList,
  TrustStore,
} from '@enlets/crypto';
import { defaultCredentialTypes } from 'ts-mls';
import { TestDirectory } from './helpers.js';

const basic = (identity: Uint8Array) => ({ credentialType: defaultCredentialTypes.basic, identity });

describe('crypto/trust-store: trust on first use, verification and identity changes', () => {
  it('pins the first identity key, never adopts a changed one silently, and adopts it only on decision', async () => {
    const directory = new TestDirectory();
    const userId = randomUUID();
    const original = IdentityKeyPair.generate();
    directory.entries.set(userId, { identityKey: original.publicKey, deviceList: undefined });
    const store = new TrustStore(new MemoryTrustStorage(), directory);

    assert.deepEqual((await store.trustedUser(userId))?.identityKey, original.publicKey);
    assert.equal((await store.trustedUser(userId))?.verification, 'unverified');
    assert.ok(await store.markVerified(userId, original.publicKey));
    assert.equal((await store.trustedUser(userId))?.verification, 'verified');

    const replacement = IdentityKeyPair.generate();
    directory.entries.set(userId, { identityKey: replacement.publicKey, deviceList: undefined });
    await store.refreshUser(userId);
    const record = await store.record(userId);
    assert.ok(record);
    assert.deepEqual(record.identityKey, original.publicKey, 'still the pinned key');
    assert.equal(record.verification, 'verified');
    assert.deepEqual(record.changedIdentityKey, replacement.publicKey);
    assert.equal(await store.markVerified(userId, replacement.publicKey), false);

    await assert.rejects(
      store.acceptIdentityChange(userId, IdentityKeyPair.generate().publicKey),
      RangeError,
    );
    await store.acceptIdentityChange(userId, replacement.publicKey);
    const accepted = await store.record(userId);
    assert.ok(accepted);
    assert.deepEqual(accepted.identityKey, replacement.publicKey);
    assert.equal(accepted.verification, 'unverified', 'a new key starts unverified');
    assert.equal(accepted.changedIdentityKey, undefined);
  });

  it('adopts only newer device lists signed by the pinned key', async () => {
    const userId = randomUUID();
    const identity = IdentityKeyPair.generate();
    const store = new TrustStore(new MemoryTrustStorage());
    const device = { deviceId: randomUUID(), signatureKey: crypto.getRandomValues(new Uint8Array(32)) };
    const first = signDeviceList(nextDeviceList(undefined, userId, { add: device }), identity);
    assert.deepEqual(await store.learnDeviceList(userId, first), {
      kind: 'refused',
      reason: 'identity-unknown',
    });
    await store.learnIdentity(userId, identity.publicKey);
    assert.deepEqual(await store.learnDeviceList(userId, encodeDeviceList(first)), {
      kind: 'adopted',
      version: 1,
    });
    assert.deepEqual(await store.learnDeviceList(userId, first), { kind: 'unchanged' });
    const second = signDeviceList(nextDeviceList(first, userId, { remove: device.deviceId }), identity);
    assert.deepEqual(await store.learnDeviceList(userId, second), { kind: 'adopted', version: 2 });
    assert.deepEqual(await store.learnDeviceList(userId, first), {
      kind: 'refused',
      reason: 'version-not-increasing',
    });
    const forged = signDeviceList(
      nextDeviceList(second, userId, { add: device }),
      IdentityKeyPair.generate(),
    );
    assert.deepEqual(await store.learnDeviceList(userId, forged), {
      kind: 'refused',
      reason: 'bad-signature',
    });
    assert.deepEqual(await store.learnDeviceList(userId, new Uint8Array([1, 2])), {
      kind: 'refused',
      reason: 'malformed',
    });
    assert.equal((await store.trustedUser(userId))?.deviceList?.version, 2);
  });

  it('names the rule when a leaf is refused', async () => {
    const directory = new TestDirectory();
    const userId = randomUUID();
    const deviceId = randomUUID();
    const identity = IdentityKeyPair.generate();
    const leafKey = crypto.getRandomValues(new Uint8Array(32));
    const list = signDeviceList(
      nextDeviceList(undefined, userId, { add: { deviceId, signatureKey: leafKey } }),
      identity,
    );
    directory.entries.set(userId, { identityKey: identity.publicKey, deviceList: encodeDeviceList(list) });
    const store = new TrustStore(new MemoryTrustStorage(), directory);
    const credential = encodeDeviceCredential(identity.signDeviceCredential(userId, deviceId, leafKey));

    assert.deepEqual(await authenticateLeaf(store, basic(credential), leafKey), {
      ok: true,
      userId,
      deviceId,
      verification: 'unverified',
    });
    const rule = async (cred: Parameters<typeof authenticateLeaf>[1], key = leafKey) => {
      const verdict = await authenticateLeaf(store, cred, key);
      return verdict.ok ? 'accepted' : verdict.failure.rule;
    };
    assert.equal(
      await rule({ credentialType: defaultCredentialTypes.x509, certificates: [] }),
      'credential-not-basic',
    );
    assert.equal(await rule(basic(new TextEncoder().encode('{}'))), 'credential-malformed');
    assert.equal(
      await rule(basic(credential), crypto.getRandomValues(new Uint8Array(32))),
      'credential-signature-invalid',
    );
    const stranger = randomUUID();
    const strangerCredential = encodeDeviceCredential(
      identity.signDeviceCredential(stranger, deviceId, leafKey),
    );
    assert.equal(await rule(basic(strangerCredential)), 'identity-unknown');
    const otherDevice = randomUUID();
    const unlisted = encodeDeviceCredential(identity.signDeviceCredential(userId, otherDevice, leafKey));
    assert.equal(await rule(basic(unlisted)), 'device-not-listed');
    const otherKey = crypto.getRandomValues(new Uint8Array(32));
    const rekeyed = encodeDeviceCredential(identity.signDeviceCredential(userId, deviceId, otherKey));
    assert.equal(await rule(basic(rekeyed), otherKey), 'device-key-mismatch');
    const impostor = IdentityKeyPair.generate();
    const swapped = encodeDeviceCredential(impostor.signDeviceCredential(userId, deviceId, leafKey));
    assert.equal(await rule(basic(swapped)), 'identity-key-changed');

    const noList = randomUUID();
    directory.entries.set(noList, { identityKey: identity.publicKey, deviceList: undefined });
    const noListCredential = encodeDeviceCredential(identity.signDeviceCredential(noList, deviceId, leafKey));
    assert.equal(await rule(basic(noListCredential)), 'device-list-missing');
  });
});
