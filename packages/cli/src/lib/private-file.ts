import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a file only its owner can read, atomically and durably: the bytes go to a temporary file (created
 * 0600, so never briefly world-readable), are flushed to disk, renamed over the old file, and the directory
 * entry is flushed too. A crash (or Ctrl-C) leaves the old or the new content, never half of one, and a
 * state the program went on to act on (a group's key schedule after encrypting) is on disk before it does.
 */
export function writePrivateFile(dir: string, name: string, content: string | Uint8Array): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, name);
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  syncDirectory(dir);
}

/** The file's text, or undefined when it does not exist. */
export function readPrivateFile(dir: string, name: string): string | undefined {
  const bytes = readPrivateBytes(dir, name);
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');
}

/** The file's bytes, or undefined when it does not exist. */
export function readPrivateBytes(dir: string, name: string): Uint8Array | undefined {
  try {
    return new Uint8Array(readFileSync(join(dir, name)));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
