import { Secret, TOTP } from 'otpauth';

/** RFC 6238 TOTP as every authenticator app does it: SHA-1, 6 digits, 30 s steps. */
const PERIOD_S = 30;
const DIGITS = 6;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function totpUri(secretBase32: string, account: string, issuer = 'ENLETS Messenger'): string {
  return new TOTP({
    issuer,
    label: account,
    secret: Secret.fromBase32(secretBase32),
    digits: DIGITS,
    period: PERIOD_S,
  }).toString();
}

/** The current code (tests and the CLI's own enrolment use it). */
export function totpCode(secretBase32: string, nowMs: number): string {
  return new TOTP({ secret: Secret.fromBase32(secretBase32), digits: DIGITS, period: PERIOD_S }).generate({
    timestamp: nowMs,
  });
}

/**
 * Checks a code with one step of clock drift either way. Returns the time step it matched, so the caller can
 * refuse a step it has accepted before (a replayed code), or undefined when it does not match.
 */
export function matchTotp(secretBase32: string, code: string, nowMs: number): number | undefined {
  const totp = new TOTP({ secret: Secret.fromBase32(secretBase32), digits: DIGITS, period: PERIOD_S });
  const delta = totp.validate({ token: code, timestamp: nowMs, window: 1 });
  if (delta === null) return undefined;
  return Math.floor(nowMs / 1000 / PERIOD_S) + delta;
}
