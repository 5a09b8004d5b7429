import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { Encrypter, generateHybridIdentity, identityToRecipient } from 'age-encryption';
import {
  AttachmentDecryptionError,
  AttachmentKey,
  AttachmentKeyFormatError,
  ATTACHMENT_CHUNK_BYTES,
  decryptAttachment,
  encryptAttachment,
  REDACTED,
  type AttachmentExpectations,
  type ByteSource,
} from '@enlets/crypto';

/** A ciphertext chunk on the wire: 64 KiB of payload and its 16-byte Poly1305 tag. */
const SEALED_CHUNK = ATTACHMENT_CHUNK_BYTES + 16;

/** `bytes` as a stream of `piece`-sized chunks: sources rarely line up with the 64 KiB chunks. */
function streamOf(bytes: Uint8Array, piece = 10_000): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + piece));
      offset += piece;
    },
  });
}

/** Everything a stream yields, and the error it ended with, if any. */
async function drain(stream: ByteSource): Promise<{ bytes: Uint8Array; error: unknown }> {
  const parts: Uint8Array[] = [];
  const reader = stream.getReader();
  let error: unknown;
  try {
    for (;;) {
      const result = await reader.read();
      if (result.done) break;
      parts.push(result.value);
    }
  } catch (cause) {
    error = cause ?? new Error('stream errored without a reason');
  }
  return { bytes: new Uint8Array(Buffer.concat(parts)), error };
}

async function encrypt(plaintext: Uint8Array): Promise<{
  key: AttachmentKey;
  ciphertext: Uint8Array;
  sha256: string;
  announcedSize: number;
}> {
  const encrypted = await encryptAttachment(streamOf(plaintext), plaintext.length);
  assert.throws(() => encrypted.ciphertextSha256(), /not been read/);
  const { bytes, error } = await drain(encrypted.ciphertext);
  assert.equal(error, undefined);
  return {
    key: encrypted.key,
    ciphertext: bytes,
    sha256: encrypted.ciphertextSha256(),
    announcedSize: encrypted.ciphertextSize,
  };
}

async function decrypt(
  ciphertext: Uint8Array,
  key: AttachmentKey,
  expected?: AttachmentExpectations,
): Promise<{ bytes: Uint8Array; error: unknown }> {
  // A small file can be refused before the stream is handed out (its end is read with the header).
  let plaintext;
  try {
    plaintext = await decryptAttachment(streamOf(ciphertext, 7_777), key, expected);
  } catch (error) {
    return { bytes: new Uint8Array(0), error };
  }
  return drain(plaintext);
}

/** Where the payload starts: after the age header (ends with a MAC line) and the 16-byte nonce. */
function payloadOffset(ciphertext: Uint8Array): number {
  const text = Buffer.from(ciphertext).toString('latin1');
  const macLine = text.indexOf('\n---');
  return text.indexOf('\n', macLine + 1) + 1 + 16;
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('crypto/attachments: one fresh key per file, age STREAM chunks', () => {
  const sizes: Array<[string, number]> = [
    ['empty', 0],
    ['small', 1_234],
    ['exactly one 64 KiB chunk', ATTACHMENT_CHUNK_BYTES],
    ['one byte over a chunk', ATTACHMENT_CHUNK_BYTES + 1],
    ['several chunks and a remainder', 3 * ATTACHMENT_CHUNK_BYTES + 4_321],
  ];
  for (const [label, size] of sizes) {
    it(`round-trips a file: ${label} (${String(size)} bytes)`, async () => {
      const plaintext = new Uint8Array(randomBytes(size));
      const { key, ciphertext, sha256, announcedSize } = await encrypt(plaintext);
      assert.equal(ciphertext.length, announcedSize, 'the announced size is exact');
      assert.equal(sha256, sha256Hex(ciphertext));
      const chunks = Math.max(1, Math.ceil(size / ATTACHMENT_CHUNK_BYTES));
      assert.equal(ciphertext.length - payloadOffset(ciphertext), size + 16 * chunks);
      const out = await decrypt(ciphertext, key, {
        ciphertextSha256: sha256,
        ciphertextSize: ciphertext.length,
        plaintextSize: size,
      });
      assert.equal(out.error, undefined);
      assert.deepEqual(out.bytes, plaintext);
    });
  }

  it('uses a new key and a new ciphertext for every file, even the same bytes', async () => {
    const plaintext = new TextEncoder().encode('the same file twice');
    const a = await encrypt(plaintext);
    const b = await encrypt(plaintext);
    assert.notEqual(a.key.exposeText(), b.key.exposeText());
    assert.notEqual(a.sha256, b.sha256);
    assert.match(a.key.exposeText(), /^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
    // The key's text form survives the message round trip.
    const again = AttachmentKey.fromText(a.key.exposeText());
    assert.deepEqual((await decrypt(a.ciphertext, again)).bytes, plaintext);
  });

  it('never prints a key', async () => {
    const key = await AttachmentKey.generate();
    for (const text of [
      String(key),
      JSON.stringify({ key }),
      inspect(key),
      inspect({ key }, { showHidden: true }),
    ]) {
      assert.ok(text.includes(REDACTED), text);
      assert.ok(!text.includes(key.exposeText()), text);
    }
  });

  it('accepts only well-formed X25519 identities as file keys', async () => {
    const good = (await AttachmentKey.generate()).exposeText();
    const lastChar = good.at(-1) === 'Q' ? 'P' : 'Q';
    for (const bad of [
      '',
      'not a key',
      good.toLowerCase(),
      good.slice(0, -1) + lastChar, // checksum broken
      good + 'Q',
      await generateHybridIdentity(), // another kind of age identity
    ]) {
      assert.throws(() => AttachmentKey.fromText(bad), AttachmentKeyFormatError, bad.slice(0, 20));
    }
  });

  it('refuses the whole file under the wrong key', async () => {
    const { ciphertext } = await encrypt(new Uint8Array(randomBytes(5_000)));
    await assert.rejects(
      decryptAttachment(streamOf(ciphertext), await AttachmentKey.generate()),
      AttachmentDecryptionError,
    );
  });

  describe('tampered ciphertext is refused, and nothing after the damage comes out', () => {
    const plaintext = new Uint8Array(randomBytes(3 * ATTACHMENT_CHUNK_BYTES + 999)); // 4 chunks
    let sample: Awaited<ReturnType<typeof encrypt>> | undefined;
    const original = async (): Promise<Awaited<ReturnType<typeof encrypt>>> =>
      (sample ??= await encrypt(plaintext));

    /** The stream errors with AttachmentDecryptionError after yielding at most a true prefix of `limit` bytes. */
    const assertRefused = async (tampered: Uint8Array, limit: number): Promise<void> => {
      const { key } = await original();
      const out = await decrypt(tampered, key);
      assert.ok(out.error instanceof AttachmentDecryptionError, String(out.error));
      assert.ok(out.bytes.length <= limit, `${String(out.bytes.length)} bytes came out`);
      assert.deepEqual(out.bytes, plaintext.subarray(0, out.bytes.length), 'only authentic bytes came out');
    };

    it('a flipped bit in the middle chunk', async () => {
      const { ciphertext } = await original();
      const tampered = Uint8Array.from(ciphertext);
      const at = payloadOffset(ciphertext) + 2 * SEALED_CHUNK + 1_000; // inside the third chunk
      tampered[at] = (tampered[at] ?? 0) ^ 0x01;
      await assertRefused(tampered, 2 * ATTACHMENT_CHUNK_BYTES);
    });

    it('the last chunk cut short', async () => {
      const { ciphertext } = await original();
      await assertRefused(ciphertext.subarray(0, ciphertext.length - 10), 3 * ATTACHMENT_CHUNK_BYTES);
    });

    it('the last chunk dropped whole (the cut falls on a chunk boundary)', async () => {
      const { ciphertext } = await original();
      const lastChunkBytes = 999 + 16;
      await assertRefused(
        ciphertext.subarray(0, ciphertext.length - lastChunkBytes),
        2 * ATTACHMENT_CHUNK_BYTES,
      );
    });

    it('bytes appended after the end', async () => {
      const { ciphertext } = await original();
      const longer = new Uint8Array(Buffer.concat([ciphertext, new Uint8Array([0])]));
      await assertRefused(longer, 3 * ATTACHMENT_CHUNK_BYTES);
      const oneMoreChunk = new Uint8Array(
        Buffer.concat([
          ciphertext,
          ciphertext.subarray(payloadOffset(ciphertext), payloadOffset(ciphertext) + SEALED_CHUNK),
        ]),
      );
      await assertRefused(oneMoreChunk, 3 * ATTACHMENT_CHUNK_BYTES);
    });

    it('two chunks swapped', async () => {
      const { ciphertext } = await original();
      const start = payloadOffset(ciphertext);
      const swapped = Uint8Array.from(ciphertext);
      swapped.set(ciphertext.subarray(start + SEALED_CHUNK, start + 2 * SEALED_CHUNK), start);
      swapped.set(ciphertext.subarray(start, start + SEALED_CHUNK), start + SEALED_CHUNK);
      await assertRefused(swapped, 0);
    });

    it('a changed header (before any byte comes out)', async () => {
      const { ciphertext, key } = await original();
      const tampered = Uint8Array.from(ciphertext);
      tampered[30] = (tampered[30] ?? 0) ^ 0x01;
      await assert.rejects(decryptAttachment(streamOf(tampered), key), AttachmentDecryptionError);
    });

    it('a different file under the same key (an insider with the key, and the server, swap the blob)', async () => {
      const { key, sha256 } = await original();
      const other = new Encrypter();
      other.addRecipient(await identityToRecipient(key.exposeText()));
      const forged = await other.encrypt(new TextEncoder().encode('a forged file'));
      // age alone cannot tell: the forgery decrypts under the key…
      assert.equal(new TextDecoder().decode((await decrypt(forged, key)).bytes), 'a forged file');
      // …the digest from the message can.
      const out = await decrypt(forged, key, { ciphertextSha256: sha256 });
      assert.ok(out.error instanceof AttachmentDecryptionError);
      assert.equal(out.bytes.length, 0, 'the only chunk is held back until the digest is checked');
    });

    it('sizes other than the message announced', async () => {
      const { ciphertext, key } = await original();
      for (const expected of [
        { plaintextSize: plaintext.length - 1 },
        { plaintextSize: plaintext.length + 1 },
        { ciphertextSize: ciphertext.length - 1 },
        { ciphertextSize: ciphertext.length + 1 },
      ]) {
        const out = await decrypt(ciphertext, key, expected);
        assert.ok(out.error instanceof AttachmentDecryptionError, JSON.stringify(expected));
      }
    });
  });

  it('refuses a source that does not yield the announced number of bytes', async () => {
    const plaintext = new Uint8Array(randomBytes(2_000));
    for (const announced of [1_999, 2_001]) {
      const encrypted = await encryptAttachment(streamOf(plaintext), announced);
      const { error } = await drain(encrypted.ciphertext);
      assert.ok(error instanceof RangeError, String(error));
    }
    await assert.rejects(encryptAttachment(streamOf(plaintext), -1), RangeError);
  });

  it('reads the source only as fast as the ciphertext is read', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += ATTACHMENT_CHUNK_BYTES;
        controller.enqueue(new Uint8Array(ATTACHMENT_CHUNK_BYTES));
      },
    });
    const encrypted = await encryptAttachment(endless, 1024 * ATTACHMENT_CHUNK_BYTES);
    const reader = encrypted.ciphertext.getReader();
    for (let i = 0; i < 4; i++) await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(
      pulled <= 8 * ATTACHMENT_CHUNK_BYTES,
      `${String(pulled / ATTACHMENT_CHUNK_BYTES)} chunks read ahead`,
    );
    await reader.cancel();
  });
});
