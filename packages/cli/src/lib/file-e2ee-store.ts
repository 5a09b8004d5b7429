import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { E2eeStore, SecretName, StoredContent } from '@enlets/client';
import { accountDir } from './file-store.js';
import { readPrivateBytes, readPrivateFile, writePrivateFile } from './private-file.js';

type TrustRecord = Parameters<E2eeStore['save']>[0];
type GroupPosition = Parameters<E2eeStore['putGroupPosition']>[1];

/** `owner`: the device (session id) whose MLS keys these are; secrets base64. */
interface SecretsFile {
  owner?: string;
  identity?: string;
  device?: string;
  archive?: string;
}

interface GroupEntry {
  state?: string;
  position?: GroupPosition;
}

interface StoredContentJson {
  content: string | null;
  status: StoredContent['status'];
  reason?: string;
}

const SECRETS = 'secrets.json';
const GROUPS = 'groups.json';
const KEY_PACKAGES = 'key-packages.json';
const OWN_PENDING = 'own-pending.json';
const DECRYPTED_UP_TO = 'decrypted-up-to.json';
const TRUST = 'trust.json';
const CONTENT_DIR = 'content';
/** Group states saved in two parts (`putGroupParts`): per group, its ratchets file and its epoch part's file. */
const GROUP_PARTS_DIR = 'groups';

/** A group's ratchets file: the ratchets (base64) and the name of the epoch part's file they belong to. */
interface GroupRatchetsFile {
  epochFile: string;
  ratchets: string;
}

/** What belongs to one device and dies with it (ADR 0011: a device is a login session). */
const DEVICE_FILES = [GROUPS, KEY_PACKAGES, OWN_PENDING, DECRYPTED_UP_TO] as const;

/**
 * The CLI's `E2eeStore`: this profile's end-to-end encryption keys and what it decrypted, in files only their
 * owner can read (0600, in a 0700 directory) under the account's store directory, `<account>/e2ee/`. One JSON
 * file per kind (secrets, groups, KeyPackages, trust records, pending own messages, decryption positions), one
 * per conversation for the decrypted content, and per group its state in two parts (`groups/`: the epoch part,
 * rewritten after commits, and the ratchets, after every message); byte values are base64. Every call writes
 * its files atomically and durably (`writePrivateFile`; `putGroupParts` orders its two writes), so a crash
 * between two calls leaves a state the client can continue from. Two processes must not use one store at the same time (a group's key schedule would
 * fork): callers hold the profile's `DeviceLock`.
 *
 * The user's keys (identity, history archive), the trust records and the decrypted content outlive a login;
 * the device's MLS keys, groups and KeyPackages belong to the login that made them (`claimFor`).
 */
export class FileE2eeStore implements E2eeStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  static forAccount(server: string, email: string): FileE2eeStore {
    return new FileE2eeStore(join(accountDir(server, email), 'e2ee'));
  }

  /** The device (session id) whose MLS keys this store holds, if any. */
  owner(): string | undefined {
    return this.#secrets().owner;
  }

  /**
   * Makes the store the given device's. If it held another device's keys (an earlier login on this profile),
   * those are dropped with their groups, KeyPackages and positions; the user's identity and archive keys, the
   * trust records and the decrypted content stay. Returns whether another device's state was dropped.
   */
  claimFor(deviceId: string): boolean {
    const secrets = this.#secrets();
    if (secrets.owner === deviceId) return false;
    const hadDevice = secrets.owner !== undefined || secrets.device !== undefined;
    this.#dropDeviceFiles();
    const { device: _device, ...kept } = secrets;
    this.#write(SECRETS, { ...kept, owner: deviceId });
    return hadDevice;
  }

  /** Deletes this device's MLS keys and group state (after logout the device no longer exists). */
  forgetDevice(): void {
    this.#dropDeviceFiles();
    const { device: _device, owner: _owner, ...kept } = this.#secrets();
    this.#write(SECRETS, kept);
  }

  getSecret(name: SecretName): Promise<Uint8Array | undefined> {
    return Promise.resolve(fromBase64(this.#secrets()[name]));
  }

  putSecret(name: SecretName, bytes: Uint8Array): Promise<void> {
    this.#write(SECRETS, { ...this.#secrets(), [name]: toBase64(bytes) });
    return Promise.resolve();
  }

  getGroup(conversationId: string): Promise<Uint8Array | undefined> {
    const parts = this.#groupRatchets(conversationId);
    if (parts !== undefined)
      return Promise.resolve(readPrivateBytes(join(this.dir, GROUP_PARTS_DIR), parts.epochFile));
    return Promise.resolve(fromBase64(this.#groups()[conversationId]?.state));
  }

  putGroup(conversationId: string, bytes: Uint8Array): Promise<void> {
    const groups = this.#groups();
    groups[conversationId] = { ...groups[conversationId], state: toBase64(bytes) };
    this.#write(GROUPS, groups);
    this.#dropGroupParts(conversationId, undefined);
    return Promise.resolve();
  }

  /**
   * A message rewrites only the group's small ratchets file. A new epoch part goes to a file of its own first,
   * then the ratchets file (atomically) names it, then the older epoch files go: a crash at any point leaves a
   * ratchets file and the epoch part it belongs to.
   */
  putGroupParts(conversationId: string, epoch: Uint8Array | undefined, ratchets: Uint8Array): Promise<void> {
    let epochFile = this.#groupRatchets(conversationId)?.epochFile;
    if (epoch !== undefined || epochFile === undefined) {
      if (epoch === undefined)
        return Promise.reject(new Error(`no epoch part is stored for group ${conversationId}`));
      epochFile = `${conversationFileStem(conversationId)}.${randomBytes(8).toString('hex')}.epoch`;
      writePrivateFile(join(this.dir, GROUP_PARTS_DIR), epochFile, epoch);
    }
    const file: GroupRatchetsFile = { epochFile, ratchets: toBase64(ratchets) };
    this.#write(`${GROUP_PARTS_DIR}/${conversationFileName(conversationId)}`, file);
    if (epoch !== undefined) this.#dropGroupParts(conversationId, epochFile);
    return Promise.resolve();
  }

  getGroupRatchets(conversationId: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(fromBase64(this.#groupRatchets(conversationId)?.ratchets));
  }

  getGroupPosition(conversationId: string): Promise<GroupPosition | undefined> {
    return Promise.resolve(this.#groups()[conversationId]?.position);
  }

  putGroupPosition(conversationId: string, position: GroupPosition): Promise<void> {
    const groups = this.#groups();
    groups[conversationId] = { ...groups[conversationId], position };
    this.#write(GROUPS, groups);
    return Promise.resolve();
  }

  deleteGroup(conversationId: string): Promise<void> {
    const groups = this.#groups();
    if (conversationId in groups) {
      const { [conversationId]: _gone, ...rest } = groups;
      this.#write(GROUPS, rest);
    }
    this.#dropGroupParts(conversationId, undefined);
    return Promise.resolve();
  }

  listKeyPackages(): Promise<ReadonlyArray<{ readonly refHex: string; readonly bytes: Uint8Array }>> {
    const stored = this.#map(KEY_PACKAGES);
    return Promise.resolve(
      Object.entries(stored).flatMap(([refHex, bytes]) =>
        bytes === undefined ? [] : [{ refHex, bytes: toBytes(bytes) }],
      ),
    );
  }

  putKeyPackage(refHex: string, bytes: Uint8Array): Promise<void> {
    this.#write(KEY_PACKAGES, { ...this.#map(KEY_PACKAGES), [refHex]: toBase64(bytes) });
    return Promise.resolve();
  }

  deleteKeyPackage(refHex: string): Promise<void> {
    const { [refHex]: _gone, ...rest } = this.#map(KEY_PACKAGES);
    this.#write(KEY_PACKAGES, rest);
    return Promise.resolve();
  }

  getContent(conversationId: string, seq: number): Promise<StoredContent | undefined> {
    const stored = this.#contents(conversationId)[String(seq)];
    if (stored === undefined) return Promise.resolve(undefined);
    return Promise.resolve({
      content: stored.content === null ? null : toBytes(stored.content),
      status: stored.status,
      ...(stored.reason === undefined ? {} : { reason: stored.reason }),
    });
  }

  putContent(conversationId: string, seq: number, content: StoredContent): Promise<void> {
    const contents = this.#contents(conversationId);
    contents[String(seq)] = {
      content: content.content === null ? null : toBase64(content.content),
      status: content.status,
      ...(content.reason === undefined ? {} : { reason: content.reason }),
    };
    this.#write(join(CONTENT_DIR, conversationFileName(conversationId)), contents);
    return Promise.resolve();
  }

  putOwnPending(clientMessageId: string, content: Uint8Array): Promise<void> {
    this.#write(OWN_PENDING, { ...this.#map(OWN_PENDING), [clientMessageId]: toBase64(content) });
    return Promise.resolve();
  }

  takeOwnPending(clientMessageId: string): Promise<Uint8Array | undefined> {
    const { [clientMessageId]: taken, ...rest } = this.#map(OWN_PENDING);
    if (taken === undefined) return Promise.resolve(undefined);
    this.#write(OWN_PENDING, rest);
    return Promise.resolve(toBytes(taken));
  }

  getDecryptedUpTo(conversationId: string): Promise<number> {
    return Promise.resolve(this.#numbers(DECRYPTED_UP_TO)[conversationId] ?? 0);
  }

  setDecryptedUpTo(conversationId: string, seq: number): Promise<void> {
    this.#write(DECRYPTED_UP_TO, { ...this.#numbers(DECRYPTED_UP_TO), [conversationId]: seq });
    return Promise.resolve();
  }

  load(userId: string): Promise<TrustRecord | undefined> {
    const text = this.#records()[userId];
    return Promise.resolve(text === undefined ? undefined : (JSON.parse(text, reviveBytes) as TrustRecord));
  }

  save(record: TrustRecord): Promise<void> {
    this.#write(TRUST, { ...this.#records(), [record.userId]: JSON.stringify(record, replaceBytes) });
    return Promise.resolve();
  }

  // ---- files ----------------------------------------------------------------------------------------------

  #read<T>(name: string, empty: T): T {
    const text = readPrivateFile(this.dir, name);
    return text === undefined ? empty : (JSON.parse(text) as T);
  }

  #write(name: string, value: object): void {
    const slash = name.lastIndexOf('/');
    const dir = slash < 0 ? this.dir : join(this.dir, name.slice(0, slash));
    writePrivateFile(dir, name.slice(slash + 1), `${JSON.stringify(value)}\n`);
  }

  #groupRatchets(conversationId: string): GroupRatchetsFile | undefined {
    const name = `${GROUP_PARTS_DIR}/${conversationFileName(conversationId)}`;
    return this.#read<GroupRatchetsFile | undefined>(name, undefined);
  }

  /** Removes the group's part files: all of them, or all epoch files but `keep`. */
  #dropGroupParts(conversationId: string, keep: string | undefined): void {
    const stem = conversationFileStem(conversationId);
    const dir = join(this.dir, GROUP_PARTS_DIR);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return; // no part was ever written
    }
    for (const name of names) {
      if (!name.startsWith(`${stem}.`) || name === keep) continue;
      if (keep !== undefined && !name.endsWith('.epoch')) continue;
      rmSync(join(dir, name), { force: true });
    }
  }

  #secrets(): SecretsFile {
    return this.#read<SecretsFile>(SECRETS, {});
  }

  #groups(): Record<string, GroupEntry | undefined> {
    return this.#read<Record<string, GroupEntry | undefined>>(GROUPS, {});
  }

  #map(name: string): Record<string, string | undefined> {
    return this.#read<Record<string, string | undefined>>(name, {});
  }

  #numbers(name: string): Record<string, number | undefined> {
    return this.#read<Record<string, number | undefined>>(name, {});
  }

  /** Trust records by user id, each as its own tagged-JSON string (they hold bytes). */
  #records(): Record<string, string | undefined> {
    return this.#read<Record<string, string | undefined>>(TRUST, {});
  }

  #contents(conversationId: string): Record<string, StoredContentJson | undefined> {
    return this.#read<Record<string, StoredContentJson | undefined>>(
      join(CONTENT_DIR, conversationFileName(conversationId)),
      {},
    );
  }

  #dropDeviceFiles(): void {
    for (const name of DEVICE_FILES) rmSync(join(this.dir, name), { force: true });
    rmSync(join(this.dir, GROUP_PARTS_DIR), { recursive: true, force: true });
    // Temporary files of a write cut short by a crash.
    try {
      for (const name of readdirSync(this.dir)) if (name.endsWith('.tmp')) rmSync(join(this.dir, name));
    } catch {
      // no directory yet
    }
  }
}

/** A conversation's files begin with its id in base64url, so no id can name a path outside their directory. */
function conversationFileStem(conversationId: string): string {
  return Buffer.from(conversationId, 'utf8').toString('base64url');
}

/** A conversation's JSON file (its content in `content/`, its group's ratchets in `groups/`). */
function conversationFileName(conversationId: string): string {
  return `${conversationFileStem(conversationId)}.json`;
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function toBytes(base64: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

function fromBase64(base64: string | undefined): Uint8Array | undefined {
  return base64 === undefined ? undefined : toBytes(base64);
}

/** JSON.stringify replacer: a byte array becomes `{"$bytes": base64}`. */
function replaceBytes(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? { $bytes: toBase64(value) } : value;
}

/** JSON.parse reviver: the inverse of `replaceBytes`. */
function reviveBytes(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && '$bytes' in value) {
    const encoded = value.$bytes;
    if (typeof encoded === 'string') return toBytes(encoded);
  }
  return value;
}
