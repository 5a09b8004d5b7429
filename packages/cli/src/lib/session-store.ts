import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writePrivateFile } from './private-file.js';

/** What `enlets login` remembers: the bearer token is as good as the password until it expires. */
export interface StoredSession {
  readonly server: string;
  readonly email: string;
  readonly token: string;
  readonly expiresAt: number;
  /** The account's user id. */
  readonly userId?: string;
  /** This login's session id: it is also the id of this end-to-end encryption device (ADR 0011). */
  readonly sessionId?: string;
}

/** ENLETS_CONFIG_DIR, else $XDG_CONFIG_HOME/enlets, else ~/.config/enlets. */
export function configDir(): string {
  const explicit = process.env['ENLETS_CONFIG_DIR'];
  if (explicit !== undefined && explicit !== '') return explicit;
  const xdg = process.env['XDG_CONFIG_HOME'];
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.config'), 'enlets');
}

function sessionPath(): string {
  return join(configDir(), 'session.json');
}

export function saveSession(session: StoredSession): string {
  writePrivateFile(configDir(), 'session.json', `${JSON.stringify(session, null, 2)}\n`);
  return sessionPath();
}

export function loadSession(): StoredSession | undefined {
  let text: string;
  try {
    text = readFileSync(sessionPath(), 'utf8');
  } catch {
    return undefined;
  }
  const parsed = JSON.parse(text) as Partial<StoredSession>;
  if (typeof parsed.server !== 'string' || typeof parsed.token !== 'string') return undefined;
  return {
    server: parsed.server,
    email: parsed.email ?? '',
    token: parsed.token,
    expiresAt: parsed.expiresAt ?? 0,
    ...(typeof parsed.userId === 'string' ? { userId: parsed.userId } : {}),
    ...(typeof parsed.sessionId === 'string' ? { sessionId: parsed.sessionId } : {}),
  };
}

export function deleteSession(): void {
  rmSync(sessionPath(), { force: true });
}

/**
 * A random per-install identifier sent at login, so the server recognises this CLI as a known device rather
 * than mailing a new-device alert every time. Kept across logouts.
 */
export function deviceId(): string {
  const path = join(configDir(), 'device-id');
  try {
    const existing = readFileSync(path, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{16,128}$/.test(existing)) return existing;
  } catch {
    // first login from this install
  }
  const id = randomBytes(24).toString('base64url');
  writePrivateFile(configDir(), 'device-id', `${id}\n`);
  return id;
}
