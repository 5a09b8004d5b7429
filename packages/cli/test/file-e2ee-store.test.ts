import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileE2eeStore } from '../src/lib/file-e2ee-store.js';

const bytes = (...values: number[]) => Uint8Array.from(values);
const list = (value: Uint8Array | undefined) => (value === undefined ? undefined : [...value]);

describe('cli/file-e2ee-store: group states in two parts', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'enlets-e2ee-store-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const partFiles = (store: FileE2eeStore) => readdirSync(join(store.dir, 'groups')).sort();

  it('rewrites only the ratchets after a message, and one epoch file after a commit', async () => {
    const store = new FileE2eeStore(join(dir, 'a'));
    store.claimFor('device-1');
    await store.putGroupParts('conv-1', bytes(1, 2, 3), bytes(10));
    await store.putGroupParts('conv-1', undefined, bytes(11));
    assert.deepEqual(list(await store.getGroup('conv-1')), [1, 2, 3]);
    assert.deepEqual(list(await store.getGroupRatchets('conv-1')), [11]);
    const [firstEpoch] = partFiles(store).filter((f) => f.endsWith('.epoch'));
    assert.ok(firstEpoch);

    await store.putGroupParts('conv-1', bytes(4, 5), bytes(12));
    assert.deepEqual(list(await store.getGroup('conv-1')), [4, 5]);
    assert.deepEqual(list(await store.getGroupRatchets('conv-1')), [12]);
    const epochs = partFiles(store).filter((f) => f.endsWith('.epoch'));
    assert.equal(epochs.length, 1, 'the older epoch part is gone');
    assert.notEqual(epochs[0], firstEpoch);
    for (const name of partFiles(store))
      assert.equal(statSync(join(store.dir, 'groups', name)).mode & 0o777, 0o600, `${name} is private`);

    // A crash after a new epoch part was written but before its ratchets: the state before stays whole.
    const stem = epochs[0]!.split('.')[0]!;
    writeFileSync(join(store.dir, 'groups', `${stem}.0123456789abcdef.epoch`), bytes(9, 9));
    assert.deepEqual(list(await store.getGroup('conv-1')), [4, 5]);
    assert.deepEqual(list(await store.getGroupRatchets('conv-1')), [12]);
    // The next commit's save clears the leftover.
    await store.putGroupParts('conv-1', bytes(6), bytes(13));
    assert.equal(partFiles(store).filter((f) => f.endsWith('.epoch')).length, 1);
  });

  it('keeps groups apart, takes whole states, forgets on delete and with the device', async () => {
    const store = new FileE2eeStore(join(dir, 'b'));
    store.claimFor('device-1');
    await assert.rejects(
      store.putGroupParts('conv-1', undefined, bytes(1)),
      /no epoch part is stored/,
      'ratchets alone cannot start a group',
    );
    await store.putGroupParts('conv-1', bytes(1), bytes(2));
    await store.putGroupParts('conv-2', bytes(3), bytes(4));
    await store.putGroupPosition('conv-1', { joinedEpoch: 1, lastCommitSeq: 2 });

    // A whole state replaces the parts (ratchets beside it would belong to another epoch part).
    await store.putGroup('conv-2', bytes(5, 5));
    assert.deepEqual(list(await store.getGroup('conv-2')), [5, 5]);
    assert.equal(await store.getGroupRatchets('conv-2'), undefined);
    assert.deepEqual(list(await store.getGroup('conv-1')), [1]);

    await store.deleteGroup('conv-1');
    assert.equal(await store.getGroup('conv-1'), undefined);
    assert.equal(await store.getGroupRatchets('conv-1'), undefined);
    assert.equal(await store.getGroupPosition('conv-1'), undefined);
    assert.deepEqual(partFiles(store), []);

    await store.putGroupParts('conv-3', bytes(7), bytes(8));
    assert.equal(store.claimFor('device-2'), true, 'another login takes the store');
    assert.equal(await store.getGroup('conv-3'), undefined);
    assert.equal(await store.getGroupRatchets('conv-3'), undefined);
  });
});
