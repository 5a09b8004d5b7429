import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { compareScannedSafetyNumber, IdentityKeyPair, safetyNumber } from '@enlets/crypto';

describe('crypto/safety-number', () => {
  const alice = { userId: randomUUID(), identityKey: IdentityKeyPair.generate().publicKey };
  const bob = { userId: randomUUID(), identityKey: IdentityKeyPair.generate().publicKey };

  it('gives both users the same 60 digits in twelve groups of five', () => {
    const atAlice = safetyNumber(alice, bob);
    const atBob = safetyNumber(bob, alice);
    assert.equal(atAlice.digits, atBob.digits);
    assert.match(atAlice.digits, /^\d{60}$/);
    assert.equal(atAlice.groups.length, 12);
    assert.ok(atAlice.groups.every((g) => /^\d{5}$/.test(g)));
    assert.equal(atAlice.groups.join(''), atAlice.digits);
    assert.deepEqual(atAlice.qrPayload, atBob.qrPayload);
    assert.equal(atAlice.qrText, atBob.qrText);
  });

  it('changes when a key or a user id changes', () => {
    const reference = safetyNumber(alice, bob).digits;
    const swappedKey = { ...bob, identityKey: IdentityKeyPair.generate().publicKey };
    assert.notEqual(safetyNumber(alice, swappedKey).digits, reference);
    assert.notEqual(safetyNumber(alice, { ...bob, userId: randomUUID() }).digits, reference);
    // Each user's 30 digits depend only on that user: alice's half is in both numbers.
    const halves = (digits: string) => [digits.slice(0, 30), digits.slice(30)];
    const common = halves(reference).filter((h) =>
      halves(safetyNumber(alice, swappedKey).digits).includes(h),
    );
    assert.equal(common.length, 1);
  });

  it('matches a scanned QR code only for the same pair of keys', () => {
    const atAlice = safetyNumber(alice, bob);
    const atBob = safetyNumber(bob, alice);
    assert.equal(compareScannedSafetyNumber(atBob.qrPayload, atAlice), 'match');
    assert.equal(compareScannedSafetyNumber(atBob.qrText, atAlice), 'match');
    const mitm = safetyNumber(bob, { ...alice, identityKey: IdentityKeyPair.generate().publicKey });
    assert.equal(compareScannedSafetyNumber(mitm.qrText, atAlice), 'mismatch');
    assert.equal(compareScannedSafetyNumber('https://example.org', atAlice), 'unreadable');
    assert.equal(compareScannedSafetyNumber(new Uint8Array(10), atAlice), 'unreadable');
  });
});
