import { fromBase64Url, toBase64Url, type ByteSource } from '@enlets/crypto';
import type { ConversationEvent, EventRangeResponse, HistoryShareRecorded } from '@enlets/protocol';
import type { EnletsHttpClient } from '../api/http.js';
import type { PendingSend } from '../outbox.js';
import { utf8Decode, utf8Encode } from '../runtime.js';
import { downloadAndDecryptAttachment, encryptAndUploadAttachment } from './attachments.js';
import { encodeContent, type HistoryShareContent } from './content.js';
import type { E2eeStore } from './e2ee-store.js';

/**
 * History for newcomers (docs/decisions/0016-history-for-newcomers.md), the part that runs on devices: a member's
 * device packs what it can read of a conversation into a bundle, encrypts and uploads it like an attachment, has
 * the server record the share, and sends the bundle's key in an MLS message; the newcomer's device checks the
 * record, the bundle and every entry against the log before it shows anything as "shared by".
 */

/** At most this many messages go into one bundle (the newest ones)… */
export const MAX_SHARED_MESSAGES = 500;
/** …and at most this many bytes of their contents. */
export const MAX_SHARED_CONTENT_BYTES = 4 * 1024 * 1024;
/** A bundle is JSON with base64 contents: a downloaded one larger than this is refused unread. */
const MAX_BUNDLE_BYTES = 8 * MAX_SHARED_CONTENT_BYTES;
const BUNDLE_VERSION = 1;
const PAGE = 500;

/** One message as the sharer's device read it: the plaintext, at the seq and from the sender of its event. */
export interface SharedEntry {
  readonly seq: number;
  readonly senderId: string;
  readonly senderDeviceId: string;
  readonly content: Uint8Array;
}

/** What the sharer's device gives a newcomer; the fields besides `entries` bind it to one share. */
export interface HistoryBundle {
  readonly conversationId: string;
  readonly sharedBy: { readonly userId: string; readonly deviceId: string };
  readonly recipientId: string;
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly entries: readonly SharedEntry[];
}

/** History for newcomers is off in the conversation: nothing is packed, uploaded or sent. */
export class HistorySharingOffError extends Error {
  override readonly name = 'HistorySharingOffError';
}

/** A downloaded bundle is not a well-formed bundle. */
export class HistoryBundleFormatError extends Error {
  override readonly name = 'HistoryBundleFormatError';
}

/** What a share sent: how many messages, which range, and the seq of the server's record. */
export interface HistoryShareResult {
  readonly shared: number;
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly recordSeq: number;
}

/** What the newcomer's device made of a share it received. */
export interface HistoryImport {
  readonly conversationId: string;
  /** The seq of the key message. */
  readonly seq: number;
  readonly sharedBy: string;
  /** Messages now shown as shared (those this device could read already, or deleted since, are left alone). */
  readonly imported: number;
}

export function encodeHistoryBundle(bundle: HistoryBundle): Uint8Array {
  return utf8Encode(
    JSON.stringify({
      v: BUNDLE_VERSION,
      ...bundle,
      entries: bundle.entries.map((e) => ({ ...e, content: toBase64Url(e.content) })),
    }),
  );
}

/** Parses a bundle strictly: it comes from another device, which may send anything. */
export function decodeHistoryBundle(bytes: Uint8Array): HistoryBundle {
  let value: unknown;
  try {
    value = JSON.parse(utf8Decode(bytes));
  } catch {
    throw new HistoryBundleFormatError('the bundle is not UTF-8 JSON');
  }
  const r = record(value);
  if (r['v'] !== BUNDLE_VERSION) throw new HistoryBundleFormatError('unsupported bundle version');
  const sharedBy = record(r['sharedBy']);
  const entries = r['entries'];
  if (!Array.isArray(entries) || entries.length > MAX_SHARED_MESSAGES)
    throw new HistoryBundleFormatError(`a bundle holds at most ${String(MAX_SHARED_MESSAGES)} entries`);
  return {
    conversationId: text(r['conversationId']),
    sharedBy: { userId: text(sharedBy['userId']), deviceId: text(sharedBy['deviceId']) },
    recipientId: text(r['recipientId']),
    fromSeq: seq(r['fromSeq']),
    toSeq: seq(r['toSeq']),
    entries: entries.map((item) => {
      const e = record(item);
      return {
        seq: seq(e['seq']),
        senderId: text(e['senderId']),
        senderDeviceId: text(e['senderDeviceId']),
        content: fromBase64Url(text(e['content'], MAX_SHARED_CONTENT_BYTES * 2)),
      };
    }),
  };
}

/** What a device needs from the messenger to share and import history. */
export interface HistorySharingHost {
  readonly http: EnletsHttpClient;
  readonly store: E2eeStore;
  readonly userId: string;
  readonly deviceId: string;
  /** Encrypts and sends a message to the conversation's group (`SecureMessenger.send`). */
  send(conversationId: string, content: Uint8Array, attachments: readonly string[]): Promise<PendingSend>;
  /** Keeps an imported message for the user's future devices (the history archive, ADR 0012). */
  archive(event: ConversationEvent, content: Uint8Array): void;
}

/**
 * Shares what this device can read of the conversation before `recipientId` joined: packs it (newest first, up
 * to the bounds), uploads the encrypted bundle, has the server record the share (refused while the setting is
 * off) and sends the key. The caller has made sure the recipient's devices are in the group. Returns undefined
 * when there is nothing this device could share.
 */
export async function shareHistory(
  host: HistorySharingHost,
  conversationId: string,
  recipientId: string,
): Promise<HistoryShareResult | undefined> {
  const joinedAt = await findJoinSeq(host.http, conversationId, recipientId);
  if (joinedAt === undefined) throw new Error('the recipient was not added to this conversation');
  const entries = await collectReadableHistory(host, conversationId, joinedAt - 1);
  const first = entries[0];
  const last = entries.at(-1);
  if (first === undefined || last === undefined) return undefined;
  const bundle: HistoryBundle = {
    conversationId,
    sharedBy: { userId: host.userId, deviceId: host.deviceId },
    recipientId,
    fromSeq: first.seq,
    toSeq: last.seq,
    entries,
  };
  const reference = await uploadHistoryBundle(host.http, conversationId, bundle);
  const recorded = await host.http.post<HistoryShareRecorded>(
    `/conversations/${encodeURIComponent(conversationId)}/history-shares`,
    { recipientId, fromSeq: bundle.fromSeq, toSeq: bundle.toSeq },
  );
  const key: HistoryShareContent = {
    type: 'history-share',
    recipientId,
    recordSeq: recorded.seq,
    fromSeq: bundle.fromSeq,
    toSeq: bundle.toSeq,
    bundle: reference,
  };
  const sent = await host.send(conversationId, encodeContent(key), [reference.blobId]);
  await sent.acknowledged;
  return { shared: entries.length, fromSeq: bundle.fromSeq, toSeq: bundle.toSeq, recordSeq: recorded.seq };
}

/** Encrypts a bundle under a fresh key and uploads it as an attachment blob of the conversation (ADR 0013). */
export async function uploadHistoryBundle(
  http: EnletsHttpClient,
  conversationId: string,
  bundle: HistoryBundle,
): Promise<HistoryShareContent['bundle']> {
  const bytes = encodeHistoryBundle(bundle);
  const {
    name: _name,
    mimeType: _type,
    ...reference
  } = await encryptAndUploadAttachment(http, {
    conversationId,
    name: 'history-bundle.json',
    mimeType: 'application/json',
    size: bytes.length,
    data: byteSource(bytes),
  });
  return reference;
}

/**
 * The recipient's side: checks a share addressed to this device's user and imports its entries with status
 * `shared`. `event` is the key message, already decrypted by the pipeline (so its MLS sender is an
 * authenticated member device and the one the server names). All or nothing: it throws, with a reason for
 * people, when there is no matching server record, when the bundle is bound to another conversation, sharer,
 * recipient or range, or when any entry does not match the server's event at its seq.
 */
export async function importSharedHistory(
  host: HistorySharingHost,
  event: ConversationEvent,
  share: HistoryShareContent,
): Promise<HistoryImport> {
  const { conversationId } = event;
  const sharer = { userId: event.senderId, deviceId: event.senderDeviceId };
  if (sharer.userId === null || sharer.deviceId === null) throw new Error('The history share has no sender.');
  const records = await eventsInRange(host.http, conversationId, share.recordSeq, share.recordSeq);
  const recordEvent = records.get(share.recordSeq);
  const recorded = recordEvent?.system as Record<string, unknown> | null | undefined;
  const matchesRecord =
    recordEvent?.kind === 'system' &&
    share.recordSeq < event.seq &&
    recorded?.['type'] === 'history.shared' &&
    recorded['by'] === sharer.userId &&
    recorded['deviceId'] === sharer.deviceId &&
    recorded['recipientId'] === host.userId &&
    recorded['fromSeq'] === share.fromSeq &&
    recorded['toSeq'] === share.toSeq;
  if (!matchesRecord) throw new Error('The shared history has no matching record on the server.');

  const bundle = decodeHistoryBundle(await downloadBundle(host.http, share.bundle));
  if (bundle.conversationId !== conversationId)
    throw new Error('The shared history belongs to another conversation.');
  if (bundle.sharedBy.userId !== sharer.userId || bundle.sharedBy.deviceId !== sharer.deviceId)
    throw new Error('The shared history names another sharer than the device that sent it.');
  if (bundle.recipientId !== host.userId || bundle.fromSeq !== share.fromSeq || bundle.toSeq !== share.toSeq)
    throw new Error('The shared history was made for another recipient or range.');

  // Each entry must be a message the server has at that seq from the same sender. One that is not means the
  // sharer's device (or the server) lies about authorship, and then none of its copies is worth showing.
  const events = await eventsInRange(host.http, conversationId, bundle.fromSeq, bundle.toSeq);
  const bound = bundle.entries.map((entry) => {
    const original = events.get(entry.seq);
    const matches =
      entry.seq >= bundle.fromSeq &&
      entry.seq <= bundle.toSeq &&
      original !== undefined &&
      original.kind !== 'system' &&
      original.kind !== 'mls.commit' &&
      original.senderId === entry.senderId &&
      original.senderDeviceId === entry.senderDeviceId;
    if (!matches) throw new Error('The shared history attributes messages to someone else.');
    return { entry, original };
  });
  let imported = 0;
  for (const { entry, original } of bound) {
    if (original.payload === null) continue; // deleted or expired since: stays gone
    const existing = await host.store.getContent(conversationId, entry.seq);
    if (existing !== undefined && existing.status !== 'unavailable') continue;
    await host.store.putContent(conversationId, entry.seq, {
      content: entry.content,
      status: 'shared',
      sharedBy: sharer.userId,
    });
    host.archive(original, entry.content);
    imported++;
  }
  return { conversationId, seq: event.seq, sharedBy: sharer.userId, imported };
}

/** The seq of the newest `member.added` event that names `userId`, scanning the log backwards. */
async function findJoinSeq(
  http: EnletsHttpClient,
  conversationId: string,
  userId: string,
): Promise<number | undefined> {
  let beforeSeq = Number.MAX_SAFE_INTEGER;
  for (;;) {
    const page = await http.get<EventRangeResponse>(
      `/conversations/${encodeURIComponent(conversationId)}/events?beforeSeq=${String(beforeSeq)}&limit=${String(PAGE)}`,
    );
    const newestFirst = [...page.events].sort((a, b) => b.seq - a.seq);
    const added = newestFirst.find((e) => {
      const system = e.system as { type?: unknown; userIds?: unknown } | null;
      return (
        e.kind === 'system' &&
        system?.type === 'member.added' &&
        Array.isArray(system.userIds) &&
        system.userIds.includes(userId)
      );
    });
    if (added !== undefined) return added.seq;
    const oldest = newestFirst.at(-1);
    if (oldest === undefined || oldest.seq <= 1) return undefined;
    beforeSeq = oldest.seq;
  }
}

/**
 * The messages up to `toSeq` that this device can read (decrypted, written or shared with it), oldest first:
 * the newest ones within the bounds. Disappearing messages are left out: a copy must not outlive their timer.
 */
async function collectReadableHistory(
  host: HistorySharingHost,
  conversationId: string,
  toSeq: number,
): Promise<SharedEntry[]> {
  const entries: SharedEntry[] = [];
  let bytes = 0;
  let beforeSeq = toSeq + 1;
  while (beforeSeq > 1) {
    const page = await host.http.get<EventRangeResponse>(
      `/conversations/${encodeURIComponent(conversationId)}/events?beforeSeq=${String(beforeSeq)}&limit=${String(PAGE)}`,
    );
    const newestFirst = [...page.events].sort((a, b) => b.seq - a.seq);
    for (const event of newestFirst) {
      const { senderId, senderDeviceId } = event;
      if (event.kind === 'system' || event.kind === 'mls.commit' || event.payload === null) continue;
      if (event.expiresAt !== null || senderId === null || senderDeviceId === null) continue;
      const stored = await host.store.getContent(conversationId, event.seq);
      if (stored?.content == null || !['decrypted', 'own', 'shared'].includes(stored.status)) continue;
      if (bytes + stored.content.length > MAX_SHARED_CONTENT_BYTES) return entries.reverse();
      bytes += stored.content.length;
      entries.push({ seq: event.seq, senderId, senderDeviceId, content: stored.content });
      if (entries.length === MAX_SHARED_MESSAGES) return entries.reverse();
    }
    const oldest = newestFirst.at(-1);
    if (oldest === undefined) break;
    beforeSeq = oldest.seq;
  }
  return entries.reverse();
}

/** The conversation's events with from ≤ seq ≤ to that the caller may see, by seq. */
async function eventsInRange(
  http: EnletsHttpClient,
  conversationId: string,
  from: number,
  to: number,
): Promise<Map<number, ConversationEvent>> {
  const bySeq = new Map<number, ConversationEvent>();
  let afterSeq = from - 1;
  while (afterSeq < to) {
    const { events } = await http.get<EventRangeResponse>(
      `/conversations/${encodeURIComponent(conversationId)}/events?afterSeq=${String(afterSeq)}&limit=${String(Math.min(PAGE, to - afterSeq))}`,
    );
    for (const event of events) if (event.seq <= to) bySeq.set(event.seq, event);
    const next = Math.max(afterSeq, ...events.map((e) => e.seq));
    if (events.length === 0 || next === afterSeq) break;
    afterSeq = next;
  }
  return bySeq;
}

/** Downloads and decrypts a bundle; the digest and size in the key message pin the exact upload. */
async function downloadBundle(
  http: EnletsHttpClient,
  reference: HistoryShareContent['bundle'],
): Promise<Uint8Array> {
  if (reference.size > MAX_BUNDLE_BYTES) throw new Error('The shared history is larger than any bundle.');
  const stream = await downloadAndDecryptAttachment(http, reference);
  const reader = stream.getReader();
  const out = new Uint8Array(reference.size);
  let filled = 0;
  for (;;) {
    const result = await reader.read();
    if (result.done) break;
    if (filled + result.value.length > out.length) {
      await reader.cancel();
      throw new Error('The shared history is longer than announced.');
    }
    out.set(result.value, filled);
    filled += result.value.length;
  }
  if (filled !== out.length) throw new Error('The shared history is shorter than announced.');
  return out;
}

/** Bytes already in memory as the byte source the attachment encrypter reads. */
function byteSource(bytes: Uint8Array): ByteSource {
  return {
    getReader: () => {
      let done = false;
      return {
        read: () => {
          if (done) return Promise.resolve({ done: true as const });
          done = true;
          return Promise.resolve({ done: false as const, value: bytes });
        },
        cancel: () => Promise.resolve(),
        releaseLock: () => undefined,
      };
    },
  };
}

function record(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HistoryBundleFormatError('expected an object');
  return value as Record<string, unknown>;
}

function text(value: unknown, max = 256): string {
  if (typeof value !== 'string' || value.length > max)
    throw new HistoryBundleFormatError(`expected a string ≤ ${String(max)}`);
  return value;
}

function seq(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw new HistoryBundleFormatError('expected a seq');
  return value;
}
