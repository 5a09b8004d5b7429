import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ConversationEvent } from '@enlets/protocol';
import {
  emptySnapshot,
  snapshotOps,
  type ClientStore,
  type OutboxEntry,
  type StoreSnapshot,
  type StoredEventQuery,
} from '@enlets/client';
import { readPrivateFile, writePrivateFile } from './private-file.js';
import { configDir } from './session-store.js';

/** The directory of one account on one server: `<config>/store/<sha256(server, email) prefix>/`. */
export function accountDir(server: string, email: string): string {
  const key = createHash('sha256').update(`${server}\n${email.toLowerCase()}`).digest('hex').slice(0, 24);
  return join(configDir(), 'store', key);
}

/** Recent events kept per conversation (the cursor is kept always; older history comes from the server). */
const KEEP_PER_CONVERSATION = 200;

type OutboxFile = Pick<StoreSnapshot, 'outbox'>;
type SyncFile = Omit<StoreSnapshot, 'outbox'>;

/**
 * The CLI's `ClientStore`: JSON files only their owner can read, in a directory per server and account under
 * the config directory. Every change is read-modify-write of one file, written to a temporary file and renamed
 * over the old one, so a crash (or Ctrl-C) leaves the old or the new state, never half of one. The outbox and
 * the sync state are separate files: `enlets send` touches only the first and `enlets tail` only the second,
 * so the two can run at the same time without overwriting each other's changes.
 */
export class FileStore implements ClientStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** The store of one account on one server: `<config>/store/<sha256(server, email) prefix>/`. */
  static forAccount(server: string, email: string): FileStore {
    return new FileStore(accountDir(server, email));
  }

  /**
   * Forgets the outbox and the sync state when the device they belong to ends (logout, or a new login on the
   * profile: a new device, ADR 0011). What it queued was encrypted for its own keys and sent in its name, so
   * no other device may send it. Returns how many queued messages were dropped.
   */
  clear(): number {
    const dropped = this.#outbox().outbox.length;
    for (const name of ['outbox.json', 'sync.json']) rmSync(join(this.dir, name), { force: true });
    return dropped;
  }

  #read<T extends object>(name: string, empty: T): T {
    const text = readPrivateFile(this.dir, name);
    return text === undefined ? empty : { ...empty, ...(JSON.parse(text) as Partial<T>) };
  }

  #write(name: string, value: object): void {
    writePrivateFile(this.dir, name, `${JSON.stringify(value)}\n`);
  }

  #outbox(): OutboxFile {
    return this.#read<OutboxFile>('outbox.json', { outbox: [] });
  }

  #sync(): StoreSnapshot {
    const { cursors, events, syncToken } = this.#read<SyncFile>('sync.json', emptySnapshot());
    return { outbox: [], cursors, events, ...(syncToken === undefined ? {} : { syncToken }) };
  }

  #writeSync(state: StoreSnapshot): void {
    const { outbox: _outbox, ...rest } = state;
    this.#write('sync.json', rest);
  }

  listOutbox(): Promise<ReadonlyArray<OutboxEntry>> {
    return Promise.resolve(this.#outbox().outbox);
  }

  putOutbox(entry: OutboxEntry): Promise<void> {
    const state = { ...emptySnapshot(), ...this.#outbox() };
    snapshotOps.putOutbox(state, entry);
    this.#write('outbox.json', { outbox: state.outbox });
    return Promise.resolve();
  }

  deleteOutbox(clientMessageId: string): Promise<void> {
    const state = { ...emptySnapshot(), ...this.#outbox() };
    snapshotOps.deleteOutbox(state, clientMessageId);
    this.#write('outbox.json', { outbox: state.outbox });
    return Promise.resolve();
  }

  getCursor(conversationId: string): Promise<number | undefined> {
    return Promise.resolve(this.#sync().cursors[conversationId]);
  }

  saveEvents(events: ReadonlyArray<ConversationEvent>): Promise<void> {
    const state = this.#sync();
    snapshotOps.saveEvents(state, events, KEEP_PER_CONVERSATION);
    this.#writeSync(state);
    return Promise.resolve();
  }

  listEvents(
    conversationId: string,
    query: StoredEventQuery = {},
  ): Promise<ReadonlyArray<ConversationEvent>> {
    return Promise.resolve(snapshotOps.listEvents(this.#sync(), conversationId, query));
  }

  dropConversation(conversationId: string): Promise<void> {
    const state = this.#sync();
    snapshotOps.dropConversation(state, conversationId);
    this.#writeSync(state);
    return Promise.resolve();
  }

  getSyncToken(): Promise<string | undefined> {
    return Promise.resolve(this.#sync().syncToken);
  }

  setSyncToken(token: string | undefined): Promise<void> {
    const state = this.#sync();
    if (token === undefined) delete state.syncToken;
    else state.syncToken = token;
    this.#writeSync(state);
    return Promise.resolve();
  }
}
