import { createHash } from 'node:crypto';
import { DomainError } from './errors.js';

/**
 * The opaque sync token: a device's read position in every conversation it has seen, plus when it was issued.
 * Binary layout (then base64url): version (1 byte) | issuedAt ms (8 bytes, big-endian) | repeated
 * [conversation UUID (16 bytes) | seq (unsigned LEB128)] | checksum (first 8 bytes of SHA-256 of all before).
 * The checksum tells a damaged or invented token (VALIDATION_FAILED) from a real one of another version
 * (RESYNC_REQUIRED). Per-conversation positions are exact on both engines (a global counter would be committed
 * out of order on PostgreSQL and could skip an event).
 */
const VERSION = 1;
const CHECKSUM_BYTES = 8;

function checksum(body: Uint8Array): Buffer {
  return createHash('sha256').update(body).digest().subarray(0, CHECKSUM_BYTES);
}

export interface SyncPosition {
  readonly issuedAt: number;
  readonly seqs: ReadonlyMap<string, number>;
}

function uuidToBytes(id: string, out: number[]): void {
  const hex = id.replace(/-/g, '');
  for (let i = 0; i < 32; i += 2) out.push(parseInt(hex.slice(i, i + 2), 16));
}

function bytesToUuid(bytes: Uint8Array, offset: number): string {
  const hex = Buffer.from(bytes.subarray(offset, offset + 16)).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function encodeSyncToken(position: SyncPosition): string {
  const out: number[] = [VERSION];
  const issued = Buffer.alloc(8);
  issued.writeBigUInt64BE(BigInt(position.issuedAt));
  out.push(...issued);
  for (const [conversationId, seq] of position.seqs) {
    uuidToBytes(conversationId, out);
    let value = seq;
    do {
      let byte = value % 128;
      value = Math.floor(value / 128);
      if (value > 0) byte |= 0x80;
      out.push(byte);
    } while (value > 0);
  }
  const body = Buffer.from(out);
  return Buffer.concat([body, checksum(body)]).toString('base64url');
}

/** Decodes a token; a malformed one is the client's error, a token of another version needs a resync. */
export function decodeSyncToken(token: string): SyncPosition {
  const raw = Buffer.from(token, 'base64url');
  if (raw.length < 9 + CHECKSUM_BYTES) throw malformed();
  const bytes = new Uint8Array(raw.subarray(0, raw.length - CHECKSUM_BYTES));
  if (!checksum(bytes).equals(raw.subarray(raw.length - CHECKSUM_BYTES))) throw malformed();
  if (bytes[0] !== VERSION) {
    throw new DomainError('RESYNC_REQUIRED', 'the sync token is from another version; start afresh');
  }
  const issuedAt = Number(Buffer.from(bytes.subarray(1, 9)).readBigUInt64BE());
  const seqs = new Map<string, number>();
  let offset = 9;
  while (offset < bytes.length) {
    if (offset + 17 > bytes.length) throw malformed();
    const id = bytesToUuid(bytes, offset);
    offset += 16;
    let seq = 0;
    let factor = 1;
    for (;;) {
      const byte = bytes[offset];
      if (byte === undefined || factor > 2 ** 49) throw malformed();
      offset += 1;
      seq += (byte & 0x7f) * factor;
      factor *= 128;
      if ((byte & 0x80) === 0) break;
    }
    seqs.set(id, seq);
  }
  return { issuedAt, seqs };
}

function malformed(): DomainError {
  return new DomainError('VALIDATION_FAILED', 'the sync token is malformed', { field: 'token' });
}
