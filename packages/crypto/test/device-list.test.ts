import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  checkDeviceListUpdate,
  decodeDeviceCredential,
  decodeDeviceList,
  CredentialFormatError,
  DeviceListFormatError,
  encodeDeviceList,
  IdentityKeyPair,
  MAX_DEVICE_LIST_BYTES,
  nextDeviceList,
  signDeviceList,
  verifyDeviceList,
  type SignedDeviceList,
} from '@enlets/crypto';

const userId = randomUUID();
const identity = IdentityKeyPair.generate();
const entry = (): { deviceId: string; signatureKey: Uint8Array } => ({
  deviceId: randomUUID(),
  signatureKey: crypto.getRandomValues(new Uint8Array(32)),
});

function signedChain(): [SignedDeviceList, SignedDeviceList] {
  const first = signDeviceList(nextDeviceList(undefined, userId, { add: entry() }), identity);
  const second = signDeviceList(nextDeviceList(first, userId, { add: entry() }), identity);
  return [first, second];
}

describe('crypto/device-list', () => {
  it('signs, encodes, decodes and verifies a list; versions strictly increase', () => {
    const [first, second] = signedChain();
    assert.equal(first.version, 1);
    assert.equal(second.version, 2);
    assert.equal(second.devices.length, 2);
    const decoded = decodeDeviceList(encodeDeviceList(second));
    assert.deepEqual(decoded, second);
    assert.ok(verifyDeviceList(decoded, identity.publicKey));
    assert.deepEqual(
      checkDeviceListUpdate({ previous: first, next: decoded, identityKey: identity.publicKey, userId }),
      {
        ok: true,
      },
    );
    const removed = nextDeviceList(second, userId, { remove: second.devices[0]!.deviceId });
    assert.equal(removed.version, 3);
    assert.deepEqual(removed.devices, [second.devices[1]]);
  });

  it('refuses a rollback, a replay, a forged signature, an edited entry and another user’s list', () => {
    const [first, second] = signedChain();
    const check = (
      previous: SignedDeviceList | undefined,
      next: SignedDeviceList,
      key = identity.publicKey,
    ) => checkDeviceListUpdate({ previous, next, identityKey: key, userId });
    assert.deepEqual(check(second, first), { ok: false, reason: 'version-not-increasing' });
    assert.deepEqual(check(second, second), { ok: false, reason: 'version-not-increasing' });
    const forged = signDeviceList(
      nextDeviceList(second, userId, { add: entry() }),
      IdentityKeyPair.generate(),
    );
    assert.deepEqual(check(second, forged), { ok: false, reason: 'bad-signature' });
    const edited: SignedDeviceList = {
      ...second,
      devices: [second.devices[0]!, { ...second.devices[1]!, signatureKey: entry().signatureKey }],
    };
    assert.deepEqual(check(first, edited), { ok: false, reason: 'bad-signature' });
    const bumped: SignedDeviceList = { ...second, version: 7 };
    assert.deepEqual(check(first, bumped), { ok: false, reason: 'bad-signature' });
    const dropped: SignedDeviceList = { ...second, devices: [second.devices[0]!] };
    assert.deepEqual(check(first, dropped), { ok: false, reason: 'bad-signature' });
    assert.deepEqual(
      checkDeviceListUpdate({
        previous: undefined,
        next: second,
        identityKey: identity.publicKey,
        userId: randomUUID(),
      }),
      { ok: false, reason: 'wrong-user' },
    );
  });

  it('parses strictly: unknown fields, duplicates, bad lengths and oversize input are format errors', () => {
    const [, second] = signedChain();
    const json = JSON.parse(new TextDecoder().decode(encodeDeviceList(second))) as Record<string, unknown>;
    const bad = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
    const devices = json['devices'] as Record<string, unknown>[];
    for (const variant of [
      { ...json, extra: 1 },
      { ...json, v: 2 },
      { ...json, version: 0 },
      { ...json, version: 1.5 },
      { ...json, user: 'not-a-uuid' },
      { ...json, devices: [devices[0], devices[0]] },
      { ...json, devices: [{ ...devices[0], signatureKey: 'AAAA' }] },
      { ...json, devices: [{ ...devices[0], admin: true }] },
      { ...json, sig: 'AAAA' },
      [json],
      null,
    ])
      assert.throws(() => decodeDeviceList(bad(variant)), DeviceListFormatError, JSON.stringify(variant));
    assert.throws(() => decodeDeviceList(new Uint8Array(MAX_DEVICE_LIST_BYTES + 1)), DeviceListFormatError);
  });

  it('never throws anything but format errors on random input (device lists and credentials)', () => {
    const onlyFormatErrors = (decodeFn: (b: Uint8Array) => unknown, errorClass: new (m: string) => Error) =>
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        try {
          decodeFn(bytes);
        } catch (error) {
          assert.ok(error instanceof errorClass, String(error));
        }
      });
    fc.assert(onlyFormatErrors(decodeDeviceList, DeviceListFormatError), { numRuns: 2000 });
    fc.assert(onlyFormatErrors(decodeDeviceCredential, CredentialFormatError), { numRuns: 2000 });
  });

  it('never throws anything but CredentialFormatError on JSON-shaped credential input', () => {
    const jsonish = fc
      .record(
        {
          v: fc.oneof(fc.constant(1), fc.integer(), fc.string()),
          user: fc.oneof(fc.uuid(), fc.string()),
          device: fc.oneof(fc.uuid(), fc.string()),
          identityKey: fc.oneof(fc.base64String(), fc.string(), fc.integer()),
          sig: fc.oneof(fc.base64String(), fc.string(), fc.constant(null)),
          extra: fc.anything(),
        },
        { requiredKeys: [] },
      )
      .map((value) => new TextEncoder().encode(JSON.stringify(value)));
    fc.assert(
      fc.property(jsonish, (bytes) => {
        try {
          decodeDeviceCredential(bytes);
        } catch (error) {
          assert.ok(error instanceof CredentialFormatError, String(error));
        }
      }),
      { numRuns: 3000 },
    );
  });
});
