import { sha512 } from '@noble/hashes/sha2.js';
import { fromBase64Url, toBase64Url } from './credential.js';
import { bytesEqual, concatBytes, utf8 } from './bytes.js';

/**
 * Safety numbers: what two users compare (read aloud, or by scanning a QR code) to be sure that the identity
 * keys their clients pinned are each other's, and so that no server sits in between. Built the way Signal's
 * numeric fingerprints are: per user, SHA-512 iterated over `version ‖ identity key ‖ user id` and then
 * `hash ‖ identity key`; 30 digits per user from the first 30 bytes (six 5-byte chunks, each mod 100000);
 * the two halves ordered so that both users see the same 60 digits.
 */
export interface SafetyNumberParty {
  readonly userId: string;
  /** The Ed25519 identity public key pinned for the user. */
  readonly identityKey: Uint8Array;
}

export interface SafetyNumber {
  /** 60 digits, the same on both sides. */
  readonly digits: string;
  /** The digits in twelve groups of five, for display. */
  readonly groups: readonly string[];
  /** The QR code's content as bytes: version ‖ both users' fingerprints in display order. */
  readonly qrPayload: Uint8Array;
  /** The same as text, for QR libraries that take strings. */
  readonly qrText: string;
}

/** Version of the fingerprint input; bump it (with a new QR prefix) if the construction ever changes. */
const SAFETY_NUMBER_VERSION = 1;
/** As in Signal: slows down a search for a key pair whose number collides with a victim's. */
const ITERATIONS = 5200;
const FINGERPRINT_BYTES = 32;
const QR_TEXT_PREFIX = 'enlets-sn1:';

export function safetyNumber(a: SafetyNumberParty, b: SafetyNumberParty): SafetyNumber {
  const first = fingerprint(a);
  const second = fingerprint(b);
  // Order-independent: the half with the smaller digits comes first on both phones.
  const [low, high] = first.digits <= second.digits ? [first, second] : [second, first];
  const digits = low.digits + high.digits;
  const qrPayload = concatBytes([
    Uint8Array.of(SAFETY_NUMBER_VERSION),
    low.hash.subarray(0, FINGERPRINT_BYTES),
    high.hash.subarray(0, FINGERPRINT_BYTES),
  ]);
  return {
    digits,
    groups: digits.match(/\d{5}/g) ?? [],
    qrPayload,
    qrText: QR_TEXT_PREFIX + toBase64Url(qrPayload),
  };
}

export type ScanResult = 'match' | 'mismatch' | 'unreadable';

/** Compares a scanned QR code (bytes or text) with the safety number this client computed. */
export function compareScannedSafetyNumber(scanned: Uint8Array | string, own: SafetyNumber): ScanResult {
  let payload: Uint8Array;
  if (typeof scanned === 'string') {
    if (!scanned.startsWith(QR_TEXT_PREFIX)) return 'unreadable';
    try {
      payload = fromBase64Url(scanned.slice(QR_TEXT_PREFIX.length));
    } catch {
      return 'unreadable';
    }
  } else {
    payload = scanned;
  }
  if (payload.length !== 1 + 2 * FINGERPRINT_BYTES || payload[0] !== SAFETY_NUMBER_VERSION)
    return 'unreadable';
  return bytesEqual(payload, own.qrPayload) ? 'match' : 'mismatch';
}

function fingerprint(party: SafetyNumberParty): { hash: Uint8Array; digits: string } {
  const version = Uint8Array.of(0, SAFETY_NUMBER_VERSION);
  let hash = sha512(concatBytes([version, party.identityKey, utf8(party.userId)]));
  for (let i = 0; i < ITERATIONS; i++) hash = sha512(concatBytes([hash, party.identityKey]));
  let digits = '';
  for (let offset = 0; offset < 30; offset += 5) {
    let chunk = 0;
    // 5 bytes = 40 bits: exact in a double.
    for (let i = 0; i < 5; i++) chunk = chunk * 256 + (hash[offset + i] ?? 0);
    digits += String(chunk % 100000).padStart(5, '0');
  }
  return { hash, digits };
}
