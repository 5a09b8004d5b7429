import webpush from 'web-push';
import type { Config } from '../config/config.js';
import type { Services } from '../domain/services.js';
import {
  findVapidKeys,
  insertVapidKeysOnce,
  type VapidKeyPair,
} from '../storage/repositories/push-vapid-keys.js';

const loaded = new WeakMap<Services, Promise<VapidKeyPair>>();

/**
 * The deployment's VAPID key pair (RFC 8292), made on first use and kept in the database, as the server keeps
 * its other generated secrets (TOTP secrets, token hashes): every process of a cluster shares the database, not
 * a data directory, and must sign with the same key the browsers subscribed with. Loaded once per app. The
 * private key is never logged and never leaves the server; a leak of it lets someone wake subscribed browsers
 * (with an empty push) only if they also hold the endpoints, which are in the same database.
 */
export function vapidKeysFor(services: Services): Promise<VapidKeyPair> {
  let keys = loaded.get(services);
  if (keys === undefined) {
    keys = loadOrCreate(services);
    // A failed load (database away) is retried on the next call rather than remembered.
    keys.catch(() => loaded.delete(services));
    loaded.set(services, keys);
  }
  return keys;
}

async function loadOrCreate(services: Services): Promise<VapidKeyPair> {
  const stored = await findVapidKeys(services.db);
  if (stored !== undefined) return stored;
  const fresh = webpush.generateVAPIDKeys();
  return insertVapidKeysOnce(services.db, fresh, services.clock.now());
}

/**
 * The `sub` claim of our VAPID tokens: how a push service operator reaches us. The public https URL when there
 * is one, else the sender address of our mail (push services refuse a plain-http or localhost subject).
 */
export function vapidSubject(config: Config): string {
  if (config.publicUrl.startsWith('https://')) return config.publicUrl;
  const address = /<([^<>\s]+@[^<>\s]+)>/.exec(config.mailFrom)?.[1] ?? config.mailFrom.trim();
  return `mailto:${address}`;
}
