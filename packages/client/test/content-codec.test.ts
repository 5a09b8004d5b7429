import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ContentFormatError,
  decodeContent,
  encodeContent,
  MAX_THUMBNAIL_BYTES,
  MAX_THUMBNAIL_SIDE,
  type FileReference,
} from '@enlets/client';

/** What another device may put in a `files` message's thumbnail, and what this one accepts. */
const file: FileReference = {
  blobId: '0b8f1b5e-7f51-4b53-9a57-1b2c3d4e5f60',
  fileKey: 'AGE-SECRET-KEY-1EXAMPLE',
  name: 'scene.png',
  mimeType: 'image/png',
  size: 12_345,
  ciphertextSize: 12_600,
  sha256: 'a'.repeat(64),
};
const thumbnail = {
  mimeType: 'image/webp',
  data: Buffer.from('RIFF....WEBPVP8 thumbnail bytes').toString('base64'),
  width: 320,
  height: 180,
} as const;

/** The bytes a sender would produce for one file whose reference is extended with `extra`. */
function withFile(extra: Record<string, unknown>): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ v: 1, type: 'files', files: [{ ...file, ...extra }] }));
}

describe('content codec: file thumbnails', () => {
  it('carries a thumbnail through encode and decode unchanged', () => {
    const decoded = decodeContent(encodeContent({ type: 'files', files: [{ ...file, thumbnail }] }));
    assert.deepEqual(decoded, { type: 'files', files: [{ ...file, thumbnail }] });
  });

  it('still reads references without one (older senders, files that are not images)', () => {
    const decoded = decodeContent(encodeContent({ type: 'files', text: 'report', files: [file] }));
    assert.deepEqual(decoded, { type: 'files', text: 'report', files: [file] });
    assert.equal('thumbnail' in (decoded.type === 'files' ? (decoded.files[0] ?? {}) : {}), false);
  });

  it('accepts a thumbnail of exactly the largest size and side', () => {
    const data = Buffer.alloc(MAX_THUMBNAIL_BYTES, 7).toString('base64');
    const decoded = decodeContent(
      withFile({ thumbnail: { ...thumbnail, data, width: MAX_THUMBNAIL_SIDE, height: 1 } }),
    );
    assert.equal(decoded.type === 'files' ? decoded.files[0]?.thumbnail?.data.length : 0, data.length);
  });

  it('refuses oversized, malformed or dangerous thumbnails', () => {
    const refused: Record<string, unknown>[] = [
      { ...thumbnail, data: Buffer.alloc(MAX_THUMBNAIL_BYTES + 1).toString('base64') },
      { ...thumbnail, data: 'A'.repeat(10_000_000) },
      { ...thumbnail, data: '' },
      { ...thumbnail, data: 'not base64!' },
      { ...thumbnail, data: 'QUJD=' },
      { ...thumbnail, mimeType: 'image/svg+xml' },
      { ...thumbnail, mimeType: 'text/html' },
      { ...thumbnail, width: 0 },
      { ...thumbnail, height: MAX_THUMBNAIL_SIDE + 1 },
      { ...thumbnail, width: 12.5 },
      { ...thumbnail, width: '320' },
      { mimeType: 'image/webp', data: thumbnail.data },
    ];
    for (const bad of refused) {
      assert.throws(
        () => decodeContent(withFile({ thumbnail: bad })),
        ContentFormatError,
        JSON.stringify(bad).slice(0, 80),
      );
    }
    for (const notAnObject of [null, 'x', [thumbnail], 3]) {
      assert.throws(() => decodeContent(withFile({ thumbnail: notAnObject })), ContentFormatError);
    }
  });
});
