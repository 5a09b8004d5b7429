import { utf8Decode, utf8Encode } from '../runtime.js';

/**
 * What people write, as it travels inside the end-to-end encrypted payload: the server never sees any of it
 * (docs/security-model.md). One versioned JSON shape per event kind; `decodeContent` validates strictly, because
 * content comes from other devices and a malicious one may send anything.
 */
export type MessageContent =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'reaction'; readonly emoji: string }
  | { readonly type: 'edit'; readonly text: string }
  | { readonly type: 'poll'; readonly question: string; readonly options: readonly string[] }
  | {
      readonly type: 'location';
      readonly latitude: number;
      readonly longitude: number;
      readonly label?: string;
    }
  | { readonly type: 'files'; readonly text?: string; readonly files: readonly FileReference[] }
  | HistoryShareContent;

/**
 * The key of a history bundle for a newcomer (docs/decisions/0016-history-for-newcomers.md): every member's
 * device can decrypt it, only the recipient's imports it, and only after checking the server's `history.shared`
 * record at `recordSeq` and every entry against the log (`history-sharing.ts`).
 */
export interface HistoryShareContent {
  readonly type: 'history-share';
  readonly recipientId: string;
  /** The seq of the server's `history.shared` system event for this share. */
  readonly recordSeq: number;
  readonly fromSeq: number;
  readonly toSeq: number;
  /** The encrypted bundle, stored as an attachment blob of the conversation. */
  readonly bundle: Omit<FileReference, 'name' | 'mimeType'>;
}

/** An attachment: where its ciphertext is (a blob id) and the secret and facts needed to read it. */
export interface FileReference {
  readonly blobId: string;
  /** The file's own key (an age identity); whoever reads the message can read the file. */
  readonly fileKey: string;
  readonly name: string;
  readonly mimeType: string;
  /** Plaintext size. */
  readonly size: number;
  /** Size and SHA-256 (hex) of the stored ciphertext: the reader accepts exactly the blob the sender uploaded. */
  readonly ciphertextSize: number;
  readonly sha256: string;
  /** A small preview of an image, made on the sender's device; absent for other files and older senders. */
  readonly thumbnail?: FileThumbnail;
}

/**
 * A thumbnail inside the encrypted message (never uploaded on its own): a re-encoded, metadata-free picture of
 * at most `MAX_THUMBNAIL_SIDE` pixels a side, so a reader shows it without downloading the file.
 */
export interface FileThumbnail {
  readonly mimeType: ThumbnailMimeType;
  /** Base64 of the image bytes (at most `MAX_THUMBNAIL_BYTES` decoded). */
  readonly data: string;
  /** The thumbnail's own size in pixels: the reader reserves this box before the image decodes. */
  readonly width: number;
  readonly height: number;
}

/** Formats a thumbnail may have: ones every browser decodes in an `<img>`, none that carries script (SVG). */
export const THUMBNAIL_MIME_TYPES = ['image/webp', 'image/jpeg', 'image/png'] as const;
export type ThumbnailMimeType = (typeof THUMBNAIL_MIME_TYPES)[number];
/** The longest side a thumbnail may have. */
export const MAX_THUMBNAIL_SIDE = 512;
/** A thumbnail's decoded size limit: a few KB is typical, this bounds what a malicious sender can make us hold. */
export const MAX_THUMBNAIL_BYTES = 64 * 1024;

export const CONTENT_VERSION = 1;
const MAX_TEXT = 16_384;
const MAX_SHORT = 512;
const MAX_POLL_OPTIONS = 20;
const MAX_FILES = 20;

export class ContentFormatError extends Error {
  override readonly name = 'ContentFormatError';
}

export function encodeContent(content: MessageContent): Uint8Array {
  return utf8Encode(JSON.stringify({ v: CONTENT_VERSION, ...content }));
}

/** Parses decrypted bytes; throws ContentFormatError for anything that is not a well-formed content. */
export function decodeContent(bytes: Uint8Array): MessageContent {
  let value: unknown;
  try {
    value = JSON.parse(utf8Decode(bytes));
  } catch {
    throw new ContentFormatError('content is not UTF-8 JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ContentFormatError('content is not an object');
  const record = value as Record<string, unknown>;
  if (record['v'] !== CONTENT_VERSION) throw new ContentFormatError('unsupported content version');
  switch (record['type']) {
    case 'text':
      return { type: 'text', text: str(record['text'], MAX_TEXT) };
    case 'edit':
      return { type: 'edit', text: str(record['text'], MAX_TEXT) };
    case 'reaction':
      return { type: 'reaction', emoji: str(record['emoji'], 64) };
    case 'poll': {
      const options = record['options'];
      if (!Array.isArray(options) || options.length < 2 || options.length > MAX_POLL_OPTIONS)
        throw new ContentFormatError('a poll has 2 to 20 options');
      return {
        type: 'poll',
        question: str(record['question'], MAX_SHORT),
        options: options.map((o) => str(o, MAX_SHORT)),
      };
    }
    case 'location': {
      const latitude = num(record['latitude'], -90, 90);
      const longitude = num(record['longitude'], -180, 180);
      const label = record['label'];
      return label === undefined
        ? { type: 'location', latitude, longitude }
        : { type: 'location', latitude, longitude, label: str(label, MAX_SHORT) };
    }
    case 'files': {
      const files = record['files'];
      if (!Array.isArray(files) || files.length === 0 || files.length > MAX_FILES)
        throw new ContentFormatError('1 to 20 files');
      const text = record['text'];
      const refs = files.map(fileReference);
      return text === undefined
        ? { type: 'files', files: refs }
        : { type: 'files', text: str(text, MAX_TEXT), files: refs };
    }
    case 'history-share': {
      const bundle = record['bundle'];
      if (typeof bundle !== 'object' || bundle === null)
        throw new ContentFormatError('a bundle is an object');
      const {
        name: _name,
        mimeType: _mimeType,
        ...reference
      } = fileReference({
        ...bundle,
        name: '',
        mimeType: '',
      });
      return {
        type: 'history-share',
        recipientId: str(record['recipientId'], 64),
        recordSeq: seq(record['recordSeq']),
        fromSeq: seq(record['fromSeq']),
        toSeq: seq(record['toSeq']),
        bundle: reference,
      };
    }
    default:
      throw new ContentFormatError('unknown content type');
  }
}

function fileReference(value: unknown): FileReference {
  if (typeof value !== 'object' || value === null) throw new ContentFormatError('a file is an object');
  const r = value as Record<string, unknown>;
  const reference: FileReference = {
    blobId: str(r['blobId'], 64),
    fileKey: str(r['fileKey'], 256),
    name: str(r['name'], 255),
    mimeType: str(r['mimeType'], 255),
    size: num(r['size'], 0, Number.MAX_SAFE_INTEGER),
    ciphertextSize: num(r['ciphertextSize'], 0, Number.MAX_SAFE_INTEGER),
    sha256: hex64(r['sha256']),
  };
  // Optional: references from senders without thumbnails (and every non-image) decode as before.
  return r['thumbnail'] === undefined ? reference : { ...reference, thumbnail: thumbnail(r['thumbnail']) };
}

/** Base64 as `btoa` writes it: the alphabet, then at most two `=` of padding, in whole quads. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function thumbnail(value: unknown): FileThumbnail {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ContentFormatError('a thumbnail is an object');
  const t = value as Record<string, unknown>;
  const mimeType = t['mimeType'];
  if (!THUMBNAIL_MIME_TYPES.some((allowed) => allowed === mimeType))
    throw new ContentFormatError('a thumbnail is WebP, JPEG or PNG');
  // Checked before anything is decoded: an oversized thumbnail is refused by its length alone.
  const data = str(t['data'], Math.ceil(MAX_THUMBNAIL_BYTES / 3) * 4);
  if (data.length === 0 || data.length % 4 !== 0 || !BASE64.test(data))
    throw new ContentFormatError('a thumbnail is base64');
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  if ((data.length / 4) * 3 - padding > MAX_THUMBNAIL_BYTES)
    throw new ContentFormatError('a thumbnail is too large');
  return {
    mimeType: mimeType as ThumbnailMimeType,
    data,
    width: side(t['width']),
    height: side(t['height']),
  };
}

function side(value: unknown): number {
  const n = num(value, 1, MAX_THUMBNAIL_SIDE);
  if (!Number.isInteger(n)) throw new ContentFormatError('a thumbnail side is whole pixels');
  return n;
}

function str(value: unknown, max: number): string {
  if (typeof value !== 'string' || value.length > max)
    throw new ContentFormatError(`expected a string ≤ ${String(max)}`);
  return value;
}

function hex64(value: unknown): string {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value))
    throw new ContentFormatError('expected a SHA-256 hex');
  return value;
}

function seq(value: unknown): number {
  const n = num(value, 1, Number.MAX_SAFE_INTEGER);
  if (!Number.isInteger(n)) throw new ContentFormatError('expected a seq');
  return n;
}

function num(value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    throw new ContentFormatError(`expected a number in [${String(min)}, ${String(max)}]`);
  return value;
}
