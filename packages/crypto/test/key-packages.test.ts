import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  exportLocalKeyPackage,
  importLocalKeyPackage,
  KEY_PACKAGE_LIFETIME_SECONDS,
  KeyPackageFormatError,
  MlsRefusedError,
  readKeyPackage,
  verifyDeviceCredential,
} from '@enlets/crypto';
import { addAndJoin, addDevice, createUser, TestDirectory, text } from './helpers.js';

describe('crypto/key-packages', () => {
  it('generates uploadable KeyPackages with the device credential, a 90-day lifetime and a ref', async () => {
    const directory = new TestDirectory();
    const { device, user } = await addDevice(directory, createUser(directory));
    const before = BigInt(Math.floor(Date.now() / 1000));
    const [oneTime] = await device.generateKeyPackages(1);
    const [lastResort] = await device.generateKeyPackages(1, { lastResort: true });

    const info = await readKeyPackage(oneTime!.message);
    assert.equal(info.suite, device.suite);
    assert.equal(info.credential.userId, user.userId);
    assert.equal(info.credential.deviceId, device.deviceId);
    assert.deepEqual(info.credential.identityKey, user.identity.publicKey);
    assert.deepEqual(info.signatureKey, device.signaturePublicKey);
    assert.ok(verifyDeviceCredential(info.credential, info.signatureKey), 'the server’s check passes');
    assert.deepEqual(info.ref, oneTime!.ref);
    assert.equal(info.refHex, oneTime!.refHex);
    assert.equal(info.lastResort, false);
    assert.ok(info.notBefore <= before);
    const lifetime = info.notAfter - before;
    assert.ok(
      lifetime >= BigInt(KEY_PACKAGE_LIFETIME_SECONDS) &&
        lifetime <= BigInt(KEY_PACKAGE_LIFETIME_SECONDS + 5),
    );
    assert.equal((await readKeyPackage(lastResort!.message)).lastResort, true);
    assert.notEqual(oneTime!.refHex, lastResort!.refHex);
  });

  it('refuses what is not a KeyPackage', async () => {
    await assert.rejects(readKeyPackage(new Uint8Array([0, 1, 0, 5])), KeyPackageFormatError);
    await assert.rejects(readKeyPackage(text('hello')), KeyPackageFormatError);
  });

  it('keeps a stored package usable, destroys a one-time package after the join and keeps the last resort', async () => {
    const directory = new TestDirectory();
    const alice = await addDevice(directory, createUser(directory));
    const bob = await addDevice(directory, createUser(directory));
    const [lastResort] = await bob.device.generateKeyPackages(1, { lastResort: true });
    const stored = await importLocalKeyPackage(exportLocalKeyPackage(lastResort!));
    assert.equal(stored.refHex, lastResort!.refHex);
    assert.equal(stored.lastResort, true);

    const group = await alice.device.createGroup(randomUUID());
    const bundle = await group.addMembers([stored.message]);
    group.confirmCommit();
    const { group: joined, keyPackage } = await bob.device.joinFromWelcome(bundle.welcome!, [
      ...bob.keyPackages,
      stored,
    ]);
    assert.equal(keyPackage.refHex, stored.refHex);
    assert.equal(stored.privateKeys.destroyed, false, 'a last-resort package stays');
    assert.equal((await joined.process(await group.encrypt(text('hi')))).kind, 'application');

    const carol = await addDevice(directory, createUser(directory));
    await addAndJoin(group, [carol], [joined]);
    assert.equal(carol.keyPackages[0]!.privateKeys.destroyed, true, 'a one-time package is used up');
    const dave = await addDevice(directory, createUser(directory));
    const forDave = await group.addMembers([dave.keyPackages[0]!.message]);
    await assert.rejects(carol.device.joinFromWelcome(forDave.welcome!, carol.keyPackages), MlsRefusedError);
  });
});
