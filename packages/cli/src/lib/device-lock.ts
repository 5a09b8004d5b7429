import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from './errors.js';

/** EX_TEMPFAIL: another `enlets` process of this profile holds the device's keys; try again later. */
const EXIT_DEVICE_BUSY = 75;

const LOCK_FILE = 'lock';
const POLL_MS = 100;
/** A lock file without a pid this old was left by a process that died between creating and writing it. */
const EMPTY_LOCK_STALE_MS = 5_000;

/**
 * One process at a time uses a profile's end-to-end encryption keys. Two processes encrypting with one MLS
 * group state would each advance its key schedule from the same point and one would overwrite the other's
 * saved state, so a later message could be encrypted again with a key (and nonce) already used. The lock is a
 * file created exclusively, holding the owner's pid; a lock whose process is gone (killed) is taken over.
 * It is released when the process exits, not before: a pipeline still finishing in the background (after the
 * command printed its result) must not share the keys with the next command.
 */
export async function lockDevice(dir: string, waitMs: number): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, LOCK_FILE);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      writeFileSync(path, `${String(process.pid)}\n`, { flag: 'wx', mode: 0o600 });
      process.once('exit', () => release(path));
      return;
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
    }
    const holder = lockHolder(path);
    if (holder === process.pid) return; // this process holds it already (login ending an earlier session)
    if (holder === undefined ? isOlderThan(path, EMPTY_LOCK_STALE_MS) : !isAlive(holder)) {
      takeOverStale(path, holder);
      continue;
    }
    if (Date.now() >= deadline)
      throw new CliError(
        `this profile's encryption keys are in use by another enlets process (pid ${String(holder)}, ` +
          'e.g. `enlets tail`): stop it, or use another profile (ENLETS_CONFIG_DIR)',
        EXIT_DEVICE_BUSY,
      );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Removes a lock left behind by a process that no longer exists. The file is first renamed away (atomic, so
 * of two processes doing this only one gets it); if what it got is a live process's fresh lock after all (it
 * lost a race), it puts it back.
 */
function takeOverStale(path: string, staleHolder: number | undefined): void {
  const aside = `${path}.${randomBytes(4).toString('hex')}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else moved it first
  }
  const holder = lockHolder(aside);
  if (holder !== undefined && holder !== staleHolder && isAlive(holder)) {
    try {
      linkSync(aside, path);
    } catch {
      // a third process holds the lock now
    }
  }
  rmSync(aside, { force: true });
}

function isOlderThan(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > ms;
  } catch {
    return false;
  }
}

function lockHolder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined; // removed in the meantime
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

function release(path: string): void {
  if (lockHolder(path) === process.pid) rmSync(path, { force: true });
}
