import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  createCommit,
  decode,
  defaultProposalTypes,
  encode,
  mlsMessageDecoder,
  mlsMessageEncoder,
  unsafeTestingAuthenticationService,
  wireformats,
  type Proposal,
} from 'ts-mls';
import {
  ciphersuite,
  IdentityKeyPair,
  MlsRefusedError,
  type AuthenticationRule,
  type MlsGroup,
} from '@enlets/crypto';
import { encodeGroupInfo, readSavedGroup } from '../src/group.js';
import {
  addAndJoin,
  addDevice,
  claim,
  createUser,
  publishDeviceList,
  SUITE,
  TestDirectory,
  text,
  type TestDevice,
  type TestUser,
} from './helpers.js';

/**
 * ADR 0011 "malicious server": the server (or a compromised member's client) tries to slip a device into a
 * group that the user's identity key never vouched for. Each attempt must be refused visibly (a structured
 * failure naming the user, the device and the rule), and a genuine device must still be accepted.
 */

async function setup(): Promise<{
  directory: TestDirectory;
  alice: TestDevice;
  bob: TestDevice;
  groups: [MlsGroup, MlsGroup];
}> {
  const directory = new TestDirectory();
  const alice = await addDevice(directory, createUser(directory));
  const bob = await addDevice(directory, createUser(directory));
  const owner = await alice.device.createGroup(randomUUID());
  const [bobGroup] = await addAndJoin(owner, [bob]);
  return { directory, alice, bob, groups: [owner, bobGroup!] };
}

/** A device claiming to be one of `victim`'s, vouched for by an identity key that is not the victim's. */
async function forgedDevice(directory: TestDirectory, victim: TestUser): Promise<TestDevice> {
  const mallory: TestUser = {
    userId: victim.userId,
    identity: IdentityKeyPair.generate(),
    deviceList: undefined,
  };
  return addDevice(directory, mallory, { listed: false });
}

/** A device genuinely signed by `user`'s identity key that the user never put in their signed device list. */
async function unlistedDevice(directory: TestDirectory, user: TestUser): Promise<TestDevice> {
  return addDevice(directory, user, { listed: false });
}

async function expectRefused(
  operation: Promise<unknown>,
  rule: AuthenticationRule,
  ghost: TestDevice,
): Promise<void> {
  await assert.rejects(operation, (error: unknown) => {
    assert.ok(error instanceof MlsRefusedError, String(error));
    const failure = error.failures.find((f) => f.deviceId === ghost.device.deviceId);
    assert.ok(failure, `no failure names the ghost device: ${JSON.stringify(error.failures)}`);
    assert.equal(failure.rule, rule);
    assert.equal(failure.userId, ghost.user.userId);
    assert.ok(failure.message.length > 0);
    return true;
  });
}

/** A commit made with the library's accept-everything service: what a compromised client could send. */
async function maliciousAddCommit(
  group: MlsGroup,
  keyPackages: readonly Uint8Array[],
): Promise<{ commit: Uint8Array; welcome: Uint8Array; groupInfo: Uint8Array }> {
  const { state } = readSavedGroup(group.save());
  const proposals: Proposal[] = keyPackages.map((bytes) => {
    const message = decode(mlsMessageDecoder, bytes);
    assert.ok(message?.wireformat === wireformats.mls_key_package);
    return { proposalType: defaultProposalTypes.add, add: { keyPackage: message.keyPackage } };
  });
  const result = await createCommit({
    context: { cipherSuite: await ciphersuite(SUITE), authService: unsafeTestingAuthenticationService },
    state,
    extraProposals: proposals,
    wireAsPublicMessage: true,
    ratchetTreeExtension: true,
  });
  return {
    commit: encode(mlsMessageEncoder, result.commit),
    welcome: encode(mlsMessageEncoder, result.welcome!),
    groupInfo: await encodeGroupInfo(result.newState, await ciphersuite(SUITE)),
  };
}

describe('crypto/authentication: ghost devices are refused', () => {
  it('refuses to add a KeyPackage vouched for by another identity key', async () => {
    const { directory, bob, groups } = await setup();
    const ghost = await forgedDevice(directory, bob.user);
    await expectRefused(groups[0].addMembers([claim(ghost)]), 'identity-key-changed', ghost);
    assert.equal(groups[0].pendingCommit, undefined);
    assert.equal(groups[0].members().length, 2);
  });

  it('refuses to add a device missing from the user’s signed device list, and accepts it once listed', async () => {
    const { directory, bob, groups } = await setup();
    const unlisted = await unlistedDevice(directory, bob.user);
    await expectRefused(groups[0].addMembers([claim(unlisted)]), 'device-not-listed', unlisted);

    publishDeviceList(directory, bob.user, { add: unlisted.device.deviceListEntry() });
    const bundle = await groups[0].addMembers([claim(unlisted)]);
    assert.deepEqual(
      bundle.added.map((m) => m.deviceId),
      [unlisted.device.deviceId],
    );
  });

  it('refuses a device listed by a server that swapped the user’s identity key, and records the change', async () => {
    const { directory, alice, bob, groups } = await setup();
    // The server announces a new identity key for bob, with a device list signed by it naming its own device.
    const impostor: TestUser = {
      userId: bob.user.userId,
      identity: IdentityKeyPair.generate(),
      deviceList: undefined,
    };
    const ghost = await addDevice(directory, impostor);
    await expectRefused(groups[0].addMembers([claim(ghost)]), 'identity-key-changed', ghost);

    const record = await alice.trust.record(bob.user.userId);
    assert.ok(record);
    assert.deepEqual(record.identityKey, bob.user.identity.publicKey, 'the pinned key is kept');
    assert.deepEqual(
      record.changedIdentityKey,
      impostor.identity.publicKey,
      'the change is kept for the user',
    );
    // bob's genuine device is still accepted under the pinned key.
    assert.equal((await groups[1].process(await groups[0].encrypt(text('still bob')))).kind, 'application');
  });

  it('refuses a member’s commit that adds a ghost, and the group goes on', async () => {
    const { directory, bob, groups } = await setup();
    const [aliceGroup, bobGroup] = groups;
    for (const [ghost, rule] of [
      [await forgedDevice(directory, bob.user), 'identity-key-changed'],
      [await unlistedDevice(directory, bob.user), 'device-not-listed'],
    ] as const) {
      const { commit } = await maliciousAddCommit(aliceGroup, [claim(ghost)]);
      const result = await bobGroup.process(commit);
      assert.equal(result.kind, 'refused');
      const [failure] = result.failures;
      assert.ok(failure, 'the refusal names the ghost');
      assert.equal(failure.rule, rule);
      assert.equal(failure.deviceId, ghost.device.deviceId);
      assert.equal(bobGroup.epoch, aliceGroup.epoch, 'the refused commit did not move the epoch');
    }
    assert.equal(
      (await bobGroup.process(await aliceGroup.encrypt(text('unchanged group')))).kind,
      'application',
    );
  });

  it('refuses to join a group whose tree holds a ghost device', async () => {
    const { directory, bob, groups } = await setup();
    const carol = await addDevice(directory, createUser(directory));
    const ghost = await forgedDevice(directory, bob.user);
    const { welcome } = await maliciousAddCommit(groups[0], [claim(carol), claim(ghost)]);
    await expectRefused(
      carol.device.joinFromWelcome(welcome, carol.keyPackages),
      'identity-key-changed',
      ghost,
    );
  });

  it('refuses an external join by a ghost device, and a join from a GroupInfo holding one', async () => {
    const { directory, bob, groups } = await setup();
    const ghost = await forgedDevice(directory, bob.user);
    const join = await ghost.device.joinExternal(await groups[0].groupInfo());
    const result = await groups[0].process(join.commit);
    assert.equal(result.kind, 'refused');
    assert.equal(result.failures[0]?.rule, 'identity-key-changed');

    // A newcomer refuses the GroupInfo of a group whose tree already holds an unlisted device.
    const unlisted = await unlistedDevice(directory, bob.user);
    const { groupInfo } = await maliciousAddCommit(groups[0], [claim(unlisted)]);
    const newcomer = await addDevice(directory, createUser(directory));
    await expectRefused(newcomer.device.joinExternal(groupInfo), 'device-not-listed', unlisted);
  });

  it('lets a newcomer join a tree holding a retired (logged-out) device, but never lets one be added', async () => {
    const { directory, bob, groups } = await setup();
    // Bob logs out of a second device that was in the group: his list moves it to `retired`, still signed.
    const second = await addDevice(directory, bob.user);
    const { groupInfo } = await maliciousAddCommit(groups[0], [claim(second)]);
    publishDeviceList(directory, bob.user, { remove: second.device.deviceId });
    assert.equal(bob.user.deviceList?.retired?.[0]?.deviceId, second.device.deviceId);

    // A newcomer can join: the lingering leaf is bob's, vouched for and retired, not a ghost.
    const newcomer = await addDevice(directory, createUser(directory));
    const join = await newcomer.device.joinExternal(groupInfo);
    assert.ok(
      join
        .confirm()
        .members()
        .some((m) => m.deviceId === second.device.deviceId),
    );

    // Adding the retired device again is refused like any unlisted device.
    await expectRefused(groups[1].addMembers([claim(second)]), 'device-not-listed', second);
  });
});
