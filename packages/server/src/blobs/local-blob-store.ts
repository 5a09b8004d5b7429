import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { checkStoreId, type BlobStore, type ByteRange } from './blob-store.js';

/** A temporary file untouched this long belongs to a write that will never finish. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/**
 * A BlobStore in a local directory:
 *
 *   <root>/<blobId>                  committed blobs
 *   <root>/uploads/<uploadId>/<n>    chunks of open uploads
 *   <root>/tmp/                      files being written
 *
 * Every file is written under tmp/, fsynced, renamed into place and its directory fsynced, so a crash never
 * leaves a half-written chunk or blob under its real name. Temporary files a crash left behind are removed when
 * the store opens (only old ones: another process may share the directory and be writing right now).
 */
export class LocalBlobStore implements BlobStore {
  readonly #root: string;
  readonly #tmp: string;
  readonly #uploads: string;
  #ready: Promise<void> | undefined;

  constructor(root: string) {
    this.#root = root;
    this.#tmp = join(root, 'tmp');
    this.#uploads = join(root, 'uploads');
  }

  /** Creates the directories and clears leftovers of writes a crash interrupted (once, on first use). */
  #init(): Promise<void> {
    this.#ready ??= (async () => {
      await mkdir(this.#tmp, { recursive: true });
      await mkdir(this.#uploads, { recursive: true });
      const cutoff = Date.now() - STALE_TEMP_MS;
      for (const name of await readdir(this.#tmp)) {
        const path = join(this.#tmp, name);
        const info = await stat(path).catch(() => undefined);
        if (info !== undefined && info.mtimeMs < cutoff) await rm(path, { force: true });
      }
    })();
    return this.#ready;
  }

  #blobPath(blobId: string): string {
    return join(this.#root, checkStoreId(blobId));
  }

  #uploadDir(uploadId: string): string {
    return join(this.#uploads, checkStoreId(uploadId));
  }

  async putChunk(uploadId: string, index: number, bytes: Uint8Array): Promise<void> {
    if (!Number.isSafeInteger(index) || index < 0) throw new Error(`bad chunk index ${String(index)}`);
    await this.#init();
    const dir = this.#uploadDir(uploadId);
    await mkdir(dir, { recursive: true });
    await this.#writeAtomically(dir, String(index), async (handle) => {
      await handle.writeFile(bytes);
    });
  }

  async assemble(uploadId: string, chunkCount: number, blobId: string): Promise<number> {
    await this.#init();
    const dir = this.#uploadDir(uploadId);
    let size = 0;
    await this.#writeAtomically(this.#root, checkStoreId(blobId), async (handle) => {
      // One chunk in memory at a time: memory stays bounded by the chunk size, whatever the file size.
      for (let index = 0; index < chunkCount; index += 1) {
        const bytes = await readFile(join(dir, String(index)));
        await handle.write(bytes);
        size += bytes.byteLength;
      }
    });
    return size;
  }

  async read(blobId: string, range?: ByteRange): Promise<Readable> {
    // Opening first makes a missing blob fail here, before any response header is sent.
    const handle = await open(this.#blobPath(blobId), 'r');
    return handle.createReadStream({
      autoClose: true,
      ...(range === undefined ? {} : { start: range.start, end: range.end }),
    });
  }

  async size(blobId: string): Promise<number | undefined> {
    try {
      return (await stat(this.#blobPath(blobId))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async deleteBlob(blobId: string): Promise<void> {
    await rm(this.#blobPath(blobId), { force: true });
  }

  async deleteUpload(uploadId: string): Promise<void> {
    await rm(this.#uploadDir(uploadId), { recursive: true, force: true });
  }

  async listUploads(): Promise<readonly string[]> {
    await this.#init();
    return (await readdir(this.#uploads)).filter((name) => {
      try {
        checkStoreId(name);
        return true;
      } catch {
        return false;
      }
    });
  }

  /** Writes `name` in `dir` through a temporary file: fsync, rename, fsync of the directory. */
  async #writeAtomically(
    dir: string,
    name: string,
    write: (handle: Awaited<ReturnType<typeof open>>) => Promise<void>,
  ): Promise<void> {
    const temp = join(this.#tmp, randomUUID());
    const handle = await open(temp, 'w', 0o600);
    try {
      await write(handle);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temp, { force: true });
      throw error;
    }
    await handle.close();
    try {
      await rename(temp, join(dir, name));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await syncDirectory(dir);
  }
}

/** Makes a rename durable (POSIX: the directory entry is only on disk once the directory is fsynced). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
