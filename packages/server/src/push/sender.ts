import webpush, { type Urgency } from 'web-push';
import type { PushSubscriptionRecord } from '../storage/repositories/push-subscriptions.js';
import type { VapidKeyPair } from '../storage/repositories/push-vapid-keys.js';

/**
 * What every push says, whatever happened: "something is new, sync". Never a conversation, a sender, a count or
 * any content; always the same bytes, so its (encrypted) length tells the push service nothing either. The
 * device fetches and decrypts what is new itself (ADR 0018).
 */
export const WAKE_PAYLOAD = JSON.stringify({ v: 1, type: 'wake' });

/**
 * The push service keeps at most one undelivered message per topic and subscription (RFC 8030 §5.4): every
 * wake-up has the same topic, so a device that was offline gets one, not one per message. One value for all:
 * a topic per conversation would tell the push service which pushes belong together.
 */
export const WAKE_TOPIC = 'enlets-wake';

export interface WakeOptions {
  readonly keys: VapidKeyPair;
  /** The VAPID `sub` claim (mailto: or https:). */
  readonly subject: string;
  /** How long the push service may hold it for an offline device. */
  readonly ttlSeconds: number;
  readonly urgency: Urgency;
  /** The whole exchange with the push service, connection included. */
  readonly timeoutMs: number;
}

export type WakeOutcome =
  | { readonly kind: 'accepted' }
  /** 404 or 410: the subscription is gone for good (unsubscribed, expired, app data cleared). */
  | { readonly kind: 'gone'; readonly status: number }
  | { readonly kind: 'failed'; readonly status?: number; readonly reason: string };

/**
 * Sends one wake-up to one subscription. `web-push` (the reference implementation of RFC 8291 and 8292) builds
 * the request: the aes128gcm encryption to the browser's keys and the VAPID JWT (ES256, `aud` the push
 * service's origin, `exp` 12 h ahead). We send it ourselves with fetch: a bounded time, no redirects followed,
 * and plain http possible for a loopback test push service (web-push's own transport is https only).
 */
export async function sendWakeUp(
  subscription: PushSubscriptionRecord,
  options: WakeOptions,
): Promise<WakeOutcome> {
  const details = webpush.generateRequestDetails(
    { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
    WAKE_PAYLOAD,
    {
      vapidDetails: {
        subject: options.subject,
        publicKey: options.keys.publicKey,
        privateKey: options.keys.privateKey,
      },
      contentEncoding: 'aes128gcm',
      TTL: options.ttlSeconds,
      urgency: options.urgency,
      topic: WAKE_TOPIC,
    },
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(details.headers)) {
    // Typed as strings, but TTL and Content-Length come as numbers; fetch computes the length itself.
    const raw: unknown = value;
    if (name.toLowerCase() !== 'content-length') headers[name] = String(raw);
  }
  let response: Response;
  try {
    response = await fetch(subscription.endpoint, {
      method: 'POST',
      headers,
      body: details.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    return { kind: 'failed', reason: error instanceof Error ? error.name : 'network error' };
  }
  // The body is the push service's business; read it away so the connection can be reused.
  await response.arrayBuffer().catch(() => undefined);
  if (response.status === 404 || response.status === 410) return { kind: 'gone', status: response.status };
  if (response.status >= 200 && response.status < 300) return { kind: 'accepted' };
  return { kind: 'failed', status: response.status, reason: response.statusText || 'refused' };
}
