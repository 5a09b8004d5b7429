import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  acceptContactIdentityChange,
  contactVerification,
  markContactVerified,
  ownDeviceList,
  VerificationError,
  type VerificationContext,
} from '@enlets/client';
import { fromBase64Url, safetyNumber } from '@enlets/crypto';
import type { UserDevicesResponse } from '@enlets/protocol';
import { createActor, newSession, type TestActor } from '../../server/test/helpers/actors.js';
import { createConversation } from '../../server/test/helpers/conversations.js';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { utf8 } from './helpers.js';
import { openSecureDevice, type SecureTestDevice } from './secure-device.js';

/** Verification as the web client's worker uses it (issue 4 item 7), on the device's own trust records. */
describe('contact verification on a device', () => {
  let server: TestServer;
  let alice: TestActor;
  let bob: TestActor;
  let a: SecureTestDevice;
  let b: SecureTestDevice;
  const devices: SecureTestDevice[] = [];
  const context = (device: SecureTestDevice, userId: string): VerificationContext => ({
    store: device.e2eeStore,
    http: device.session.http,
    userId,
  });
  const registeredKey = async (actor: TestActor): Promise<Uint8Array> => {
    const { identityKey } = await a.session.http.get<UserDevicesResponse>(`/e2ee/users/${actor.id}/devices`);
    assert.ok(identityKey !== null);
    return fromBase64Url(identityKey);
  };

  before(async () => {
    server = await startTestServer('sqlite');
    server.clock.advance(Date.now() - server.clock.now());
    alice = await createActor(server);
    bob = await createActor(server);
    a = await openSecureDevice(server.url, alice.id, alice.token);
    b = await openSecureDevice(server.url, bob.id, bob.token);
    devices.push(a, b);
    const conversationId = await createConversation(server, {
      members: [{ id: alice.id, role: 'owner' }, { id: bob.id }],
    });
    await (
      await a.messenger.send(conversationId, utf8('hello'))
    ).acknowledged;
  });
  after(async () => {
    await Promise.all(devices.map((d) => d.stop()));
    await server.close();
  });

  it('shows both users the same safety number, the one computed from the registered keys', async () => {
    const seenByAlice = await contactVerification(context(a, alice.id), bob.id);
    const seenByBob = await contactVerification(context(b, bob.id), alice.id);
    assert.equal(seenByAlice.state, 'unverified');
    assert.equal(seenByBob.state, 'unverified');
    const expected = safetyNumber(
      { userId: alice.id, identityKey: await registeredKey(alice) },
      { userId: bob.id, identityKey: await registeredKey(bob) },
    );
    assert.equal(seenByAlice.safetyNumber.digits, expected.digits);
    assert.equal(seenByBob.safetyNumber.digits, expected.digits);
    assert.equal(seenByAlice.safetyNumber.qrText, expected.qrText);
    assert.deepEqual(
      seenByAlice.devices.map((d) => d.deviceId),
      [b.deviceId],
    );
    await assert.rejects(contactVerification(context(a, alice.id), alice.id), VerificationError);
  });

  it('marks verified only for the number shown, and keeps it', async () => {
    await assert.rejects(
      markContactVerified(context(a, alice.id), bob.id, '0'.repeat(60)),
      VerificationError,
    );
    const shown = await contactVerification(context(a, alice.id), bob.id);
    assert.ok(shown.state !== 'unknown');
    const marked = await markContactVerified(context(a, alice.id), bob.id, shown.safetyNumber.digits);
    assert.equal(marked.state, 'verified');
    assert.equal((await contactVerification(context(a, alice.id), bob.id)).state, 'verified');
    assert.equal((await contactVerification(context(b, bob.id), alice.id)).state, 'unverified', 'per side');
  });

  it("lists the user's own devices from their signed list", async () => {
    const own = await ownDeviceList(context(a, alice.id));
    assert.equal(own.version, 1);
    assert.deepEqual(
      own.devices.map((d) => d.deviceId),
      [a.deviceId],
    );
    assert.match(own.devices[0]?.fingerprint ?? '', /^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
    assert.ok(own.liveDeviceIds.includes(a.deviceId));
  });

  it('shows an identity change, refuses to verify through it, and pins the new key only when accepted', async () => {
    const before = await contactVerification(context(a, alice.id), bob.id);
    assert.ok(before.state !== 'unknown');
    // An identity reset at the server (the API refuses a second key), then a new first device for Bob.
    await server.built.services.db.deleteFrom('e2ee_identities').where('user_id', '=', bob.id).execute();
    const fresh = await openSecureDevice(server.url, bob.id, await newSession(server, bob));
    devices.push(fresh);

    const changed = await contactVerification(context(a, alice.id), bob.id);
    assert.equal(changed.state, 'changed');
    assert.ok(changed.changedSafetyNumber !== undefined);
    assert.equal(
      changed.safetyNumber.digits,
      before.safetyNumber.digits,
      'the pinned key stays until accepted',
    );
    const expected = safetyNumber(
      { userId: alice.id, identityKey: await registeredKey(alice) },
      { userId: bob.id, identityKey: await registeredKey(bob) },
    );
    assert.equal(changed.changedSafetyNumber.digits, expected.digits);
    await assert.rejects(
      markContactVerified(context(a, alice.id), bob.id, changed.safetyNumber.digits),
      VerificationError,
    );
    await assert.rejects(
      acceptContactIdentityChange(context(a, alice.id), bob.id, before.safetyNumber.digits),
      VerificationError,
    );

    const accepted = await acceptContactIdentityChange(
      context(a, alice.id),
      bob.id,
      changed.changedSafetyNumber.digits,
    );
    assert.equal(accepted.state, 'unverified', 'the new key is trusted, not verified');
    assert.equal(accepted.safetyNumber.digits, expected.digits);
    assert.deepEqual(
      accepted.devices.map((d) => d.deviceId),
      [fresh.deviceId],
      "the device list signed by the new key is Bob's new device",
    );
  });
});
