import { Type, type Static } from 'typebox';
import { StrictObject } from './common.js';

/**
 * Web Push (docs/decisions/0018-web-push.md). A push carries no conversation content: it only wakes the
 * device, which then fetches and decrypts what is new itself.
 */

/** The server's VAPID public key: the `applicationServerKey` a browser subscribes with (RFC 8292). */
export type VapidPublicKeyResponse = Static<typeof VapidPublicKeyResponse>;
export const VapidPublicKeyResponse = StrictObject({
  /** Uncompressed P-256 point (65 bytes), base64url without padding. */
  publicKey: Type.String({ pattern: '^B[A-Za-z0-9_-]{86}$' }),
});

/** The longest push service URL accepted (real ones are a few hundred characters). */
export const MAX_PUSH_ENDPOINT_LENGTH = 2048;

/**
 * This device's push subscription, as the browser's `PushSubscription.toJSON()` gives it. One per device (login
 * session): a new one replaces the old.
 */
export type PushSubscriptionRequest = Static<typeof PushSubscriptionRequest>;
export const PushSubscriptionRequest = StrictObject({
  /** The push service URL; https on a public host name (the server refuses others: PUSH_ENDPOINT_NOT_ALLOWED). */
  endpoint: Type.String({ minLength: 8, maxLength: MAX_PUSH_ENDPOINT_LENGTH, pattern: '^https?://' }),
  /** Browsers report it; the server does not use it (a dead subscription answers 404 or 410). */
  expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  keys: StrictObject({
    /** The browser's P-256 public key (65 bytes, uncompressed), base64url without padding (RFC 8291). */
    p256dh: Type.String({ pattern: '^B[A-Za-z0-9_-]{86}$' }),
    /** The browser's 16-byte authentication secret, base64url without padding. */
    auth: Type.String({ pattern: '^[A-Za-z0-9_-]{22}$' }),
  }),
});
