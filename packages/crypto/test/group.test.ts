import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { clientStateEncoder, decode, encode, mlsMessageDecoder, processMessage, wireformats } from 'ts-mls';
import {
  ciphersuite,
  createAuthenticationService,
  MlsStateError,
  restoreMlsDevice,
  joinSavedGroupParts,
  SavedGroupFormatError,
  SecretBytes,
  type MlsGroup,
  type ProcessResult,
} from '@enlets/crypto';
import { lengthPrefixed, splitLengthPrefixed } from '../src/bytes.js';
import { readSavedGroup } from '../src/group.js';
import {
  addAndJoin,
  addDevice,
  claim,
  createUser,
  publishDeviceList,
  read,
  SUITE,
  TestDirectory,
  text,
  type TestDevice,
} from './helpers.js';

function expectApplication(result: ProcessResult): Extract<ProcessResult, { kind: 'application' }> {
  assert.equal(result.kind, 'application', inspect(result));
  return result;
}

function expectCommit(result: ProcessResult): Extract<ProcessResult, { kind: 'commit' }> {
  assert.equal(result.kind, 'commit', inspect(result));
  return result;
}

async function threeMembers(): Promise<{
  directory: TestDirectory;
  devices: TestDevice[];
  groups: MlsGroup[];
  conversationId: string;
}> {
  const directory = new TestDirectory();
  const devices = [
    await addDevice(directory, createUser(directory)),
    await addDevice(directory, createUser(directory)),
    await addDevice(directory, createUser(directory)),
  ];
  const conversationId = randomUUID();
  const owner = await devices[0]!.device.createGroup(conversationId);
  const joined = await addAndJoin(owner, devices.slice(1));
  return { directory, devices, groups: [owner, ...joined], conversationId };
}

describe('crypto/group: messages and members', () => {
  it('delivers application messages between members with the verified sender', async () => {
    const { devices, groups, conversationId } = await threeMembers();
    const [alice, bob, carol] = groups as [MlsGroup, MlsGroup, MlsGroup];
    assert.equal(alice.groupId, conversationId);
    assert.deepEqual(
      alice.members().map((m) => m.deviceId),
      devices.map((d) => d.device.deviceId),
    );
    assert.equal(bob.epoch, alice.epoch);

    const fromBob = await bob.encrypt(text('meet at 10'));
    for (const reader of [alice, carol]) {
      const received = expectApplication(await reader.process(fromBob));
      assert.equal(read(received.bytes), 'meet at 10');
      assert.equal(received.senderUserId, devices[1]!.user.userId);
      assert.equal(received.senderDeviceId, devices[1]!.device.deviceId);
      assert.equal(received.epoch, bob.epoch);
    }
  });

  it('refuses garbage, another group’s messages and a replayed message without changing state', async () => {
    const { groups } = await threeMembers();
    const [alice, bob] = groups as [MlsGroup, MlsGroup];
    assert.equal((await bob.process(text('not mls'))).kind, 'refused');
    const other = await addDevice(new TestDirectory(), createUser(new TestDirectory()));
    const otherGroup = await other.device.createGroup(randomUUID());
    assert.equal((await bob.process(await otherGroup.encrypt(text('x')))).kind, 'refused');

    const message = await alice.encrypt(text('once'));
    expectApplication(await bob.process(message));
    assert.equal((await bob.process(message)).kind, 'refused');
    expectApplication(await bob.process(await alice.encrypt(text('still fine'))));
  });
});

describe('crypto/group: commits are adopted only after the server accepted them', () => {
  it('keeps the epoch until confirmCommit, and discardCommit drops the commit', async () => {
    const directory = new TestDirectory();
    const alice = await addDevice(directory, createUser(directory));
    const bob = await addDevice(directory, createUser(directory));
    const group = await alice.device.createGroup(randomUUID());

    const bundle = await group.addMembers([claim(bob)]);
    assert.equal(bundle.epoch, 0n);
    assert.equal(group.epoch, 0n, 'a pending commit does not move the epoch');
    assert.equal(group.members().length, 1);
    assert.deepEqual(
      bundle.added.map((m) => m.deviceId),
      [bob.device.deviceId],
    );
    assert.ok(bundle.welcome);
    await assert.rejects(group.selfUpdate(), MlsStateError, 'one commit at a time');

    group.discardCommit();
    assert.equal(group.pendingCommit, undefined);
    assert.equal(group.epoch, 0n);

    const second = await group.addMembers([claim(bob)]);
    const applied = group.confirmCommit();
    assert.equal(applied.newEpoch, 1n);
    assert.equal(group.members().length, 2);
    const { group: bobGroup } = await bob.device.joinFromWelcome(second.welcome!, bob.keyPackages);
    expectApplication(await bobGroup.process(await group.encrypt(text('welcome'))));
  });

  it('drops our pending commit when another member’s commit for the same epoch wins', async () => {
    const { groups } = await threeMembers();
    const [alice, bob, carol] = groups as [MlsGroup, MlsGroup, MlsGroup];
    const epoch = alice.epoch;
    const lost = await alice.selfUpdate();
    const won = await bob.selfUpdate();
    bob.confirmCommit(); // the DS accepted bob's

    const seen = expectCommit(await alice.process(won.commit));
    assert.equal(seen.newEpoch, epoch + 1n);
    assert.equal(alice.pendingCommit, undefined, 'the losing commit is gone');
    expectCommit(await carol.process(won.commit));
    assert.equal((await carol.process(lost.commit)).kind, 'refused', 'the loser’s commit is stale');

    const message = await alice.encrypt(text('same epoch everywhere'));
    expectApplication(await bob.process(message));
    expectApplication(await carol.process(message));
  });

  it('adopts our own commit when the server echoes it back in the event stream', async () => {
    const { groups } = await threeMembers();
    const [alice, bob] = groups as [MlsGroup, MlsGroup];
    const bundle = await alice.selfUpdate();
    const echoed = expectCommit(await alice.process(bundle.commit));
    assert.equal(echoed.own, true);
    assert.equal(alice.pendingCommit, undefined);
    expectCommit(await bob.process(bundle.commit));
    expectApplication(await bob.process(await alice.encrypt(text('after update'))));
  });

  it('still reads a late message of the previous epoch after adopting a commit', async () => {
    const { groups } = await threeMembers();
    const [alice, bob] = groups as [MlsGroup, MlsGroup];
    const early = await bob.encrypt(text('sent before the commit'));
    const bundle = await alice.selfUpdate();
    alice.confirmCommit();
    expectCommit(await bob.process(bundle.commit));
    const late = expectApplication(await alice.process(early));
    assert.equal(read(late.bytes), 'sent before the commit');
    assert.equal(late.epoch, bundle.epoch);
  });
});

describe('crypto/group: removal', () => {
  it('makes new messages undecryptable for the removed device while the others read them', async () => {
    const { devices, groups } = await threeMembers();
    const [alice, bob, carol] = groups as [MlsGroup, MlsGroup, MlsGroup];
    const carolDevice = devices[2]!.device.deviceId;
    const carolBefore = carol.save();

    const removal = await alice.removeMembers([{ deviceId: carolDevice }]);
    assert.deepEqual(
      removal.removed.map((m) => m.deviceId),
      [carolDevice],
    );
    alice.confirmCommit();
    const atBob = expectCommit(await bob.process(removal.commit));
    assert.deepEqual(
      atBob.removed.map((m) => m.deviceId),
      [carolDevice],
    );
    assert.equal(atBob.committer?.deviceId, devices[0]!.device.deviceId);
    const atCarol = expectCommit(await carol.process(removal.commit));
    assert.equal(atCarol.removedSelf, true);
    assert.equal(carol.active, false);
    await assert.rejects(carol.encrypt(text('x')), MlsStateError);

    // ts-mls rc.10 sends a single removal without an update path: nothing may be sent until a key update.
    assert.equal(alice.updateRequired, true);
    assert.equal(bob.updateRequired, true);
    await assert.rejects(alice.encrypt(text('too early')), MlsStateError);
    const update = await alice.selfUpdate();
    alice.confirmCommit();
    expectCommit(await bob.process(update.commit));
    assert.equal(alice.updateRequired, false);
    assert.equal(bob.updateRequired, false);
    assert.equal((await carol.process(update.commit)).kind, 'refused', 'the removed device cannot follow');

    const secret = await alice.encrypt(text('after carol left'));
    assert.equal(read(expectApplication(await bob.process(secret)).bytes), 'after carol left');
    assert.equal((await carol.process(secret)).kind, 'refused', 'removed state cannot read it');
    // Not only refused by our wrapper: the keys carol's state holds cannot decrypt it (ts-mls itself fails).
    const carolKeys = readSavedGroup(carol.save()).state;
    const decoded = decode(mlsMessageDecoder, secret);
    assert.ok(decoded?.wireformat === wireformats.mls_private_message);
    await assert.rejects(
      processMessage({
        context: {
          cipherSuite: await ciphersuite(SUITE),
          authService: createAuthenticationService(devices[2]!.trust),
        },
        state: carolKeys,
        message: decoded,
      }),
    );
    // Nor can the state carol held before the removal (a device that never processed the commit).
    const stale = await devices[2]!.device.restoreGroup(carolBefore);
    assert.equal((await stale.process(secret)).kind, 'refused');
    expectCommit(await stale.process(removal.commit));
    assert.equal((await stale.process(update.commit)).kind, 'refused');
    assert.equal((await stale.process(secret)).kind, 'refused');
    assert.deepEqual(
      alice.members().map((m) => m.deviceId),
      [devices[0]!.device.deviceId, devices[1]!.device.deviceId],
    );
  });

  it('removes by leaf index, and refuses to remove oneself or an unknown member', async () => {
    const { groups } = await threeMembers();
    const [alice] = groups as [MlsGroup];
    await assert.rejects(alice.removeMembers([{ leafIndex: alice.ownLeafIndex }]), MlsStateError);
    await assert.rejects(alice.removeMembers([{ deviceId: randomUUID() }]), RangeError);
    const bundle = await alice.removeMembers([{ leafIndex: 1 }]);
    assert.deepEqual(
      bundle.removed.map((m) => m.leafIndex),
      [1],
    );
  });
});

describe('crypto/group: state', () => {
  it('saves and restores a group mid-conversation, pending commit included', async () => {
    const { devices, groups } = await threeMembers();
    const [alice, bob] = groups as [MlsGroup, MlsGroup];
    expectApplication(await bob.process(await alice.encrypt(text('one'))));
    expectApplication(await bob.process(await alice.encrypt(text('two'))));

    const savedDevice = devices[1]!.device.save();
    const savedGroup = bob.save();
    const restoredDevice = await restoreMlsDevice(savedDevice, devices[1]!.trust);
    const restored = await restoredDevice.restoreGroup(savedGroup);
    savedGroup.destroy(); // the restored group must not depend on the saved bytes
    assert.equal(restored.epoch, bob.epoch);
    assert.equal(
      read(expectApplication(await restored.process(await alice.encrypt(text('three')))).bytes),
      'three',
    );
    expectApplication(await alice.process(await restored.encrypt(text('from restored bob'))));

    const bundle = await restored.selfUpdate();
    const withPending = await restoredDevice.restoreGroup(restored.save());
    assert.deepEqual(withPending.pendingCommit?.commit, bundle.commit);
    withPending.confirmCommit();
    expectCommit(await alice.process(bundle.commit));
    expectApplication(await alice.process(await withPending.encrypt(text('after restore and update'))));
  });
});

describe('crypto/group: state saved after every message', () => {
  it('saves in two parts: the epoch part stays the same across messages, the ratchets bind to it', async () => {
    const { devices, groups } = await threeMembers();
    const [alice, bob] = groups as [MlsGroup, MlsGroup];
    const bobDevice = devices[1]!.device;
    expectApplication(await bob.process(await alice.encrypt(text('one'))));
    const first = bob.saveParts();
    expectApplication(await bob.process(await alice.encrypt(text('two'))));
    const second = bob.saveParts();
    // A message changes only the ratchets: the store need not write the epoch part again.
    assert.equal(second.epochTag, first.epochTag);
    assert.equal(second.epoch, first.epoch);
    assert.ok(second.ratchets.length < 1_000, `ratchets are small (${String(second.ratchets.length)} bytes)`);
    assert.notDeepEqual(second.ratchets.exposeBytes(), first.ratchets.exposeBytes());

    // Restored from the parts: reads the next message, refuses the one it already read.
    const third = await alice.encrypt(text('three'));
    const restored = await bobDevice.restoreGroup(joinSavedGroupParts(second.epoch, second.ratchets));
    assert.equal(read(expectApplication(await restored.process(third)).bytes), 'three');
    // Ratchets saved before the last message, with the same epoch part: they fit and restore (the store's
    // write order decides which one is current); ratchets of another epoch part do not fit.
    await bobDevice.restoreGroup(joinSavedGroupParts(second.epoch, first.ratchets));

    // A commit makes a new epoch part: the old ratchets no longer fit it.
    const update = await alice.selfUpdate();
    alice.confirmCommit();
    expectCommit(await bob.process(update.commit));
    const afterCommit = bob.saveParts();
    assert.notEqual(afterCommit.epochTag, second.epochTag);
    assert.throws(() => joinSavedGroupParts(afterCommit.epoch, second.ratchets), SavedGroupFormatError);
    assert.throws(() => joinSavedGroupParts(afterCommit.epoch, undefined), SavedGroupFormatError);
    const again = await bobDevice.restoreGroup(joinSavedGroupParts(afterCommit.epoch, afterCommit.ratchets));
    assert.equal(again.epoch, alice.epoch);
    assert.equal(
      read(expectApplication(await again.process(await alice.encrypt(text('four')))).bytes),
      'four',
    );

    // A pending commit travels in the epoch part; a whole saved group passes through unchanged.
    const pending = await bob.selfUpdate();
    const withPending = bob.saveParts();
    assert.notEqual(withPending.epochTag, afterCommit.epochTag);
    const back = await bobDevice.restoreGroup(joinSavedGroupParts(withPending.epoch, withPending.ratchets));
    assert.deepEqual(back.pendingCommit?.commit, pending.commit);
    const whole = bob.save();
    assert.equal(joinSavedGroupParts(whole, undefined), whole);
  });

  it('restores what was saved after each message: later messages read, a message already read refused', async () => {
    const { devices, groups } = await threeMembers();
    const [alice, bob] = groups as [MlsGroup, MlsGroup];
    const bobDevice = devices[1]!.device;
    const first = await alice.encrypt(text('first'));
    const second = await alice.encrypt(text('second'));
    expectApplication(await bob.process(first));
    const afterFirst = bob.save();
    expectApplication(await bob.process(second));
    const afterSecond = bob.save();

    // Each save holds the ratchets as they were at that moment, not a stale copy from earlier in the epoch.
    const restoredFirst = await bobDevice.restoreGroup(afterFirst);
    assert.equal(read(expectApplication(await restoredFirst.process(second)).bytes), 'second');
    assert.equal((await restoredFirst.process(first)).kind, 'refused', 'its key was used and deleted');
    const restoredSecond = await bobDevice.restoreGroup(afterSecond);
    assert.equal((await restoredSecond.process(second)).kind, 'refused');
    const third = await alice.encrypt(text('third'));
    assert.equal(read(expectApplication(await restoredSecond.process(third)).bytes), 'third');
    expectApplication(await alice.process(await restoredSecond.encrypt(text('reply'))));
  });

  it('keeps a late message of the past epoch readable across a save, and reads it only once', async () => {
    const { devices, groups } = await threeMembers();
    const [alice, bob] = groups as [MlsGroup, MlsGroup];
    const early = await bob.encrypt(text('early'));
    const earlier = await bob.encrypt(text('earlier still unread'));
    const bundle = await alice.selfUpdate();
    alice.confirmCommit();
    expectCommit(await bob.process(bundle.commit));
    expectApplication(await alice.process(early));
    const saved = alice.save();
    const restored = await devices[0]!.device.restoreGroup(saved);
    assert.equal(read(expectApplication(await restored.process(earlier)).bytes), 'earlier still unread');
    assert.equal((await restored.process(early)).kind, 'refused');
    expectApplication(await bob.process(await restored.encrypt(text('new epoch'))));
  });

  it('still restores a group saved in the earlier whole-state format', async () => {
    const { devices, groups } = await threeMembers();
    const [alice, bob] = groups as [MlsGroup, MlsGroup];
    expectApplication(await bob.process(await alice.encrypt(text('before'))));
    const { state } = readSavedGroup(bob.save());
    const legacy = new SecretBytes(lengthPrefixed([Uint8Array.of(1, 0), encode(clientStateEncoder, state)]));
    const restored = await devices[1]!.device.restoreGroup(legacy);
    assert.equal(
      read(expectApplication(await restored.process(await alice.encrypt(text('after')))).bytes),
      'after',
    );
  });

  it('refuses saved bytes whose parts do not fit together', async () => {
    const { devices, groups } = await threeMembers();
    const [, bob] = groups as [MlsGroup, MlsGroup];
    const parts = splitLengthPrefixed(bob.save().exposeBytes())!;
    const cut = (part: Uint8Array) => part.subarray(0, part.length - 1);
    for (const broken of [
      [parts[0]!, parts[1]!],
      [parts[0]!, parts[1]!, cut(parts[2]!)],
      [parts[0]!, cut(parts[1]!), parts[2]!],
    ]) {
      await assert.rejects(
        devices[1]!.device.restoreGroup(new SecretBytes(lengthPrefixed(broken))),
        SavedGroupFormatError,
      );
    }
  });
});

describe('crypto/group: external join', () => {
  it('lets a user’s new device join from the GroupInfo, adopted after confirm', async () => {
    const { directory, devices, groups } = await threeMembers();
    const [alice, bob] = groups as [MlsGroup, MlsGroup];
    const bobPhone = await addDevice(directory, devices[1]!.user);

    const join = await bobPhone.device.joinExternal(await alice.groupInfo());
    assert.equal(join.epoch, alice.epoch);
    const atAlice = expectCommit(await alice.process(join.commit));
    assert.deepEqual(
      atAlice.added.map((m) => m.deviceId),
      [bobPhone.device.deviceId],
    );
    assert.equal(atAlice.committer?.deviceId, bobPhone.device.deviceId);
    expectCommit(await bob.process(join.commit));
    const phoneGroup = join.confirm();
    assert.equal(phoneGroup.epoch, alice.epoch);

    const hello = expectApplication(await phoneGroup.process(await alice.encrypt(text('hello phone'))));
    assert.equal(read(hello.bytes), 'hello phone');
    const fromPhone = expectApplication(await alice.process(await phoneGroup.encrypt(text('hi from phone'))));
    assert.equal(fromPhone.senderDeviceId, bobPhone.device.deviceId);
  });

  it('replaces the device’s own stale leaf when it rejoins after losing its state', async () => {
    const { devices, groups } = await threeMembers();
    const [alice, , carol] = groups as [MlsGroup, MlsGroup, MlsGroup];
    const join = await devices[1]!.device.joinExternal(await alice.groupInfo());
    const seen = expectCommit(await alice.process(join.commit));
    // The old leaf is removed and the new one takes the freed slot: same leaf, same device, fresh keys.
    assert.equal(seen.committer?.deviceId, devices[1]!.device.deviceId);
    assert.deepEqual(seen.added, []);
    expectCommit(await carol.process(join.commit));
    const rejoined = join.confirm();
    assert.equal(alice.members().length, 3);
    expectApplication(await rejoined.process(await carol.encrypt(text('welcome back'))));
  });

  it('refuses a joiner whose device is not in its user’s signed device list', async () => {
    const { directory, devices, groups } = await threeMembers();
    const [alice] = groups as [MlsGroup];
    const unlisted = await addDevice(directory, devices[1]!.user, { listed: false });
    const join = await unlisted.device.joinExternal(await alice.groupInfo());
    const result = await alice.process(join.commit);
    assert.equal(result.kind, 'refused');
    assert.equal(result.failures[0]?.rule, 'device-not-listed');
    // Listing it (a real change signed by bob's identity key) makes the same kind of join acceptable.
    publishDeviceList(directory, devices[1]!.user, { add: unlisted.device.deviceListEntry() });
    const retry = await unlisted.device.joinExternal(await alice.groupInfo());
    expectCommit(await alice.process(retry.commit));
  });
});
