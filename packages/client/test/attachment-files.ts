import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ByteSource } from '@enlets/crypto';

/**
 * Files for the attachment suite and bench that are generated as they are read (never held in memory), with
 * a canary string planted in them, and the tools to check what comes back and what the server stored.
 */

const PIECE = 64 * 1024;

/** A generated file: its stream, and its SHA-256 once the stream has been read to the end. */
export interface GeneratedFile {
  readonly stream: ReadableStream<Uint8Array>;
  sha256(): string;
}

/**
 * `size` bytes of fast pseudo-random data (xorshift, seeded) with `canary` written at the start of every
 * MiB, produced in 64 KiB pieces on demand.
 */
export function generatedFile(size: number, canary: string, seed = 0x9e3779b9): GeneratedFile {
  const mark = Buffer.from(canary, 'utf8');
  const hash = createHash('sha256');
  let digest: string | undefined;
  let offset = 0;
  let state = seed >>> 0 || 1;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= size) {
        digest = hash.digest('hex');
        controller.close();
        return;
      }
      const piece = Buffer.allocUnsafe(Math.min(PIECE, size - offset));
      for (let i = 0; i + 4 <= piece.length; i += 4) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        piece.writeUInt32LE(state >>> 0, i);
      }
      piece.fill(0x2a, piece.length - (piece.length % 4));
      if (offset % (1024 * 1024) === 0) mark.copy(piece, 0, 0, Math.min(mark.length, piece.length));
      hash.update(piece);
      offset += piece.length;
      controller.enqueue(new Uint8Array(piece.buffer, piece.byteOffset, piece.length));
    },
  });
  return {
    stream,
    sha256() {
      if (digest === undefined) throw new Error('the file has not been read to its end');
      return digest;
    },
  };
}

/** Reads a stream to its end, keeping only its length, SHA-256 and the error it ended with. */
export async function digestOf(
  stream: ByteSource,
): Promise<{ length: number; sha256: string; error: unknown; prefix: Buffer }> {
  const hash: Hash = createHash('sha256');
  const reader = stream.getReader();
  let length = 0;
  let prefix = Buffer.alloc(0);
  try {
    for (;;) {
      const result = await reader.read();
      if (result.done) break;
      hash.update(result.value);
      if (prefix.length < 256) prefix = Buffer.concat([prefix, result.value]).subarray(0, 256);
      length += result.value.length;
    }
  } catch (error) {
    return { length, sha256: '', error: error ?? new Error('errored without a reason'), prefix };
  }
  return { length, sha256: hash.digest('hex'), error: undefined, prefix };
}

/** The ways a string may sit in stored bytes: raw UTF-8, UTF-16, hex, and base64 at each of its alignments. */
export function encodingsOf(canary: string): Buffer[] {
  const raw = Buffer.from(canary, 'utf8');
  const forms = [raw, Buffer.from(canary, 'utf16le'), Buffer.from(raw.toString('hex'), 'ascii')];
  for (let shift = 0; shift < 3; shift++) {
    // The middle of the encoding does not depend on the bytes around it.
    const encoded = Buffer.concat([Buffer.alloc(shift), raw]).toString('base64');
    forms.push(Buffer.from(encoded.slice(4, -4), 'ascii'));
  }
  return forms;
}

/** Every file under `dir` whose bytes contain one of `needles` (read in pieces, with overlap). */
export async function filesContaining(dir: string, needles: readonly Buffer[]): Promise<string[]> {
  const overlap = Math.max(...needles.map((n) => n.length));
  const hits: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    let tail = Buffer.alloc(0);
    for await (const piece of createReadStream(path, {
      highWaterMark: 1024 * 1024,
    }) as AsyncIterable<Buffer>) {
      const window = Buffer.concat([tail, piece]);
      if (needles.some((needle) => window.includes(needle))) {
        hits.push(path);
        break;
      }
      tail = window.subarray(Math.max(0, window.length - overlap));
    }
  }
  return hits;
}
