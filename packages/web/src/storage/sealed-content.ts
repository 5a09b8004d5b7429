import type { ContentStatus, StoredContent } from '@enlets/client';
import { open, seal, type SearchKeys } from '../e2ee/search/sealing.js';
import { ownBytes, type SealedRecord } from './open-database.js';

/**
 * What the device decrypted, sealed at rest (ADR 0015): the whole `StoredContent` — the message's bytes (text,
 * files with their names and keys, thumbnails, reactions, edits, polls, places), its status, the reason it is
 * unreadable, who shared it — is one AES-GCM record under the account's at-rest key (`at-rest-keys.ts`), with
 * `sealing.ts`'s primitives (random nonce, length padded to 64 bytes). The additional data names the record's
 * place, so a record copied to another message's key does not open. Only the key (conversation, seq; or the
 * clientMessageId of an own message waiting for its seq) stays in the clear: the server knows both.
 */

const CONTENT_CONTEXT = 'enlets-content-v1';
const OWN_PENDING_CONTEXT = 'enlets-own-pending-v1';
/** First byte of a sealed content's plaintext: its encoding, so a later one can be told apart. */
const ENCODING = 1;

/** What a sealed record that does not open is shown as: never its bytes, never a failure of the whole page. */
const UNOPENABLE: StoredContent = {
  content: null,
  status: 'unavailable',
  reason: 'stored on this browser, but it could not be opened',
};

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A sealed record, as opposed to a value an earlier version stored in the clear. */
export function isSealed(value: unknown): value is SealedRecord {
  return (
    typeof value === 'object' &&
    value !== null &&
    'iv' in value &&
    'data' in value &&
    value.iv instanceof Uint8Array &&
    value.data instanceof Uint8Array
  );
}

export async function sealContent(
  keys: SearchKeys,
  conversationId: string,
  seq: number,
  content: StoredContent,
): Promise<SealedRecord> {
  return record(await seal(keys, encodeContent(content), contentContext(conversationId, seq)));
}

/** The content, or `UNOPENABLE` when the record was changed, moved or sealed under another key. */
export async function openContent(
  keys: SearchKeys,
  conversationId: string,
  seq: number,
  sealed: SealedRecord,
): Promise<StoredContent> {
  try {
    return decodeContent(await open(keys, sealed, contentContext(conversationId, seq)));
  } catch {
    return UNOPENABLE;
  }
}

export async function sealOwnPending(
  keys: SearchKeys,
  clientMessageId: string,
  content: Uint8Array,
): Promise<SealedRecord> {
  return record(await seal(keys, content, `${OWN_PENDING_CONTEXT}/${clientMessageId}`));
}

/** The own content, or undefined when it does not open (it is then as lost as it would be unwritten). */
export async function openOwnPending(
  keys: SearchKeys,
  clientMessageId: string,
  sealed: SealedRecord,
): Promise<Uint8Array | undefined> {
  try {
    return ownBytes(await open(keys, sealed, `${OWN_PENDING_CONTEXT}/${clientMessageId}`));
  } catch {
    return undefined;
  }
}

function contentContext(conversationId: string, seq: number): string {
  return `${CONTENT_CONTEXT}/${conversationId}/${String(seq)}`;
}

function record(sealed: { readonly iv: Uint8Array; readonly data: Uint8Array }): SealedRecord {
  return { iv: ownBytes(sealed.iv), data: ownBytes(sealed.data) };
}

/** Header fields of the encoding: short names, they are sealed with every message. */
interface Header {
  readonly s: ContentStatus;
  readonly r?: string;
  readonly b?: string;
  /** 1 when `content` is null (as opposed to empty). */
  readonly n?: 1;
}

/** [ENCODING][header length, u32][header JSON][content bytes]. */
function encodeContent(content: StoredContent): Uint8Array {
  const header: Header = {
    s: content.status,
    ...(content.reason === undefined ? {} : { r: content.reason }),
    ...(content.sharedBy === undefined ? {} : { b: content.sharedBy }),
    ...(content.content === null ? { n: 1 as const } : {}),
  };
  const headerBytes = utf8.encode(JSON.stringify(header));
  const body = content.content ?? new Uint8Array(0);
  const bytes = new Uint8Array(5 + headerBytes.length + body.length);
  bytes[0] = ENCODING;
  new DataView(bytes.buffer).setUint32(1, headerBytes.length);
  bytes.set(headerBytes, 5);
  bytes.set(body, 5 + headerBytes.length);
  return bytes;
}

function decodeContent(bytes: Uint8Array): StoredContent {
  if (bytes[0] !== ENCODING || bytes.length < 5) throw new Error('unknown sealed content encoding');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1);
  if (5 + headerLength > bytes.length) throw new Error('a sealed content is malformed');
  const header = JSON.parse(fromUtf8.decode(bytes.subarray(5, 5 + headerLength))) as Header;
  return {
    content: header.n === 1 ? null : ownBytes(bytes.subarray(5 + headerLength)),
    status: header.s,
    ...(header.r === undefined ? {} : { reason: header.r }),
    ...(header.b === undefined ? {} : { sharedBy: header.b }),
  };
}
