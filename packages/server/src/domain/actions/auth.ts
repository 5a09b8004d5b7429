import { randomInt } from 'node:crypto';
import type { TimestampMs, UserId } from '@enlets/protocol';
import { HOUR_MS, MINUTE_MS } from '../../lib/clock.js';
import { hashToken, newToken, sha256Hex } from '../../lib/secrets.js';
import { matchTotp } from '../../lib/totp.js';
import { rememberDevice, hasSignedInBefore } from '../../storage/repositories/known-devices.js';
import {
  clearThrottle,
  findLockedUntil,
  recordFailure,
  type ThrottleRule,
} from '../../storage/repositories/login-throttle.js';
import {
  consumeOneTimeToken,
  insertOneTimeToken,
  peekOneTimeToken,
  voidOneTimeTokens,
} from '../../storage/repositories/one-time-tokens.js';
import {
  claimTotpStep,
  replaceRecoveryCodes,
  useRecoveryCode,
} from '../../storage/repositories/recovery-codes.js';
import type { SessionKind } from '../../storage/repositories/sessions.js';
import {
  findUserByEmail,
  findUserById,
  listRoles,
  normalizeEmail,
  updateUser,
  type UserRecord,
} from '../../storage/repositories/users.js';
import type { Actor, RequestOrigin } from '../actor.js';
import { appendAudit } from '../audit.js';
import { DomainError } from '../errors.js';
import { publicLink, queueMail } from '../mail.js';
import { checkPasswordPolicy } from '../password-policy.js';
import { inTransaction, type Services, type Trx } from '../services.js';
import { endAllSessions, endSession, openSession, type IssuedSession } from './sessions.js';

/*
 * Login throttling (table login_throttle). Three kinds of key, each with its own rule:
 *
 * - `ip:<address>`: failures from one client address. Blocks everything from that address while locked,
 *   including attempts with a right password and second factor. Looser than the account rule, because
 *   colleagues behind one agency NAT share an address.
 * - `acct:<sha256(normalized e-mail)>`: failures against one e-mail address, kept for addresses with no
 *   account too, so that a locked answer does not reveal whether an account exists. While locked, an attempt
 *   without a second factor is answered LOGIN_THROTTLED before the password is even checked. An attempt that
 *   carries a TOTP or recovery code is checked in full, and it succeeds when the password is right, the
 *   account has TOTP enabled and the code is valid: an attacker who only guesses passwords can therefore lock
 *   out password-only accounts for a while, but never a user who has a second factor. Every other outcome of a
 *   locked attempt is LOGIN_THROTTLED, so the lock reveals nothing either.
 * - `2fa:<user id>`: wrong second-factor codes after a right password. Only someone who knows the password can
 *   fill it, and it stops that person from guessing TOTP codes through the bypass above.
 *
 * A successful login clears the account and second-factor keys (never the address key: one valid account
 * must not let an attacker reset the counter of the address they attack others from). Re-entering the current
 * password in a signed-in session (password change, TOTP changes) counts against `ip:` and `reauth:<user id>`
 * instead of `acct:`, so an outsider cannot block a signed-in user from securing their account.
 */
export const ACCOUNT_RULE: ThrottleRule = {
  maxFailures: 10,
  windowMs: 15 * MINUTE_MS,
  lockMs: 15 * MINUTE_MS,
};
export const ADDRESS_RULE: ThrottleRule = {
  maxFailures: 30,
  windowMs: 15 * MINUTE_MS,
  lockMs: 15 * MINUTE_MS,
};
export const SECOND_FACTOR_RULE: ThrottleRule = {
  maxFailures: 10,
  windowMs: 15 * MINUTE_MS,
  lockMs: 15 * MINUTE_MS,
};

const PASSWORD_RESET_TTL_MS = HOUR_MS;
const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

type ThrottleKey = readonly [key: string, rule: ThrottleRule];

function addressKey(ip: string): ThrottleKey {
  return [`ip:${ip}`, ADDRESS_RULE];
}
function accountKey(email: string): ThrottleKey {
  return [`acct:${sha256Hex(normalizeEmail(email))}`, ACCOUNT_RULE];
}
function secondFactorKey(userId: UserId): ThrottleKey {
  return [`2fa:${userId}`, SECOND_FACTOR_RULE];
}
function reauthKey(userId: UserId): ThrottleKey {
  return [`reauth:${userId}`, ACCOUNT_RULE];
}

function throttled(lockedUntil: TimestampMs, now: TimestampMs, scope: 'address' | 'account'): DomainError {
  const retryAfterSeconds = Math.max(1, Math.ceil((lockedUntil - now) / 1000));
  return new DomainError('LOGIN_THROTTLED', 'too many failed attempts; try again later', {
    retryAfterSeconds,
    scope,
  });
}

async function lockedUntil(services: Services, key: ThrottleKey): Promise<TimestampMs> {
  return findLockedUntil(services.db, [key[0]]);
}

async function recordFailures(services: Services, keys: readonly ThrottleKey[]): Promise<void> {
  const now = services.clock.now();
  await inTransaction(services, async (trx) => {
    for (const [key, rule] of keys) await recordFailure(trx, key, rule, now);
  });
}

const invalidCredentials = (): DomainError =>
  new DomainError('INVALID_CREDENTIALS', 'the e-mail address or password is wrong');
const secondFactorInvalid = (): DomainError =>
  new DomainError('SECOND_FACTOR_INVALID', 'the code is wrong, expired or already used');

export interface SecondFactorProof {
  readonly totpCode?: string | undefined;
  readonly recoveryCode?: string | undefined;
}

/** A recovery code as typed (with or without dashes) to its stored hash. */
function hashRecoveryCode(code: string): string {
  return hashToken(code.replace(/-/g, '').toLowerCase());
}

/**
 * Checks a TOTP or recovery code of an account with TOTP enabled and uses it up in the caller's transaction: a
 * TOTP time step is accepted once only, a recovery code once only.
 */
export async function useSecondFactor(
  services: Services,
  trx: Trx,
  user: UserRecord,
  proof: SecondFactorProof,
): Promise<boolean> {
  const now = services.clock.now();
  if (proof.totpCode !== undefined) {
    if (user.totpSecret === null) return false;
    const step = matchTotp(user.totpSecret, proof.totpCode, now);
    return step !== undefined && (await claimTotpStep(trx, user.id, step, now));
  }
  if (proof.recoveryCode !== undefined) {
    return useRecoveryCode(trx, user.id, hashRecoveryCode(proof.recoveryCode), now);
  }
  return false;
}

/** Second-factor checks outside login (TOTP changes) share the login's `2fa:` key: refused while locked. */
export async function checkSecondFactorThrottle(services: Services, userId: UserId): Promise<void> {
  const now = services.clock.now();
  const until = await lockedUntil(services, secondFactorKey(userId));
  if (until > now) throw throttled(until, now, 'account');
}

export async function recordSecondFactorFailure(services: Services, userId: UserId): Promise<void> {
  await recordFailures(services, [secondFactorKey(userId)]);
}

/** Sign-in without a password (passkeys) shares the login's `ip:` key: refused while the address is locked. */
export async function checkAddressThrottle(services: Services, origin: RequestOrigin): Promise<void> {
  const now = services.clock.now();
  const until = await lockedUntil(services, addressKey(origin.ip));
  if (until > now) throw throttled(until, now, 'address');
}

export async function recordAddressFailure(services: Services, origin: RequestOrigin): Promise<void> {
  await recordFailures(services, [addressKey(origin.ip)]);
}

/** A code that is six digits is a TOTP code; anything else is taken as a recovery code. */
export function proofFromCode(code: string): SecondFactorProof {
  return /^[0-9]{6}$/.test(code) ? { totpCode: code } : { recoveryCode: code };
}

/** Ten fresh recovery codes, replacing the account's old ones; the plain codes are returned once. */
export async function issueRecoveryCodes(trx: Trx, userId: UserId): Promise<string[]> {
  const codes: string[] = [];
  for (let i = 0; i < RECOVERY_CODE_COUNT; i += 1) {
    let raw = '';
    for (let j = 0; j < 12; j += 1) raw += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)] ?? '';
    codes.push(`${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`);
  }
  await replaceRecoveryCodes(trx, userId, codes.map(hashRecoveryCode));
  return codes;
}

/**
 * Re-checks the current password of a signed-in user before a sensitive change, throttled by address and by
 * account (see the rule at the top of this file). Wrong password: INVALID_CREDENTIALS.
 */
export async function verifyCurrentPassword(
  services: Services,
  user: UserRecord,
  password: string,
  origin: RequestOrigin,
): Promise<void> {
  const now = services.clock.now();
  const keys = [addressKey(origin.ip), reauthKey(user.id)] as const;
  for (const key of keys) {
    const until = await lockedUntil(services, key);
    if (until > now) throw throttled(until, now, key === keys[0] ? 'address' : 'account');
  }
  const ok =
    user.passwordHash === null
      ? await services.passwords.verifyDummy(password)
      : await services.passwords.verify(user.passwordHash, password);
  if (!ok) {
    await recordFailures(services, keys);
    throw new DomainError('INVALID_CREDENTIALS', 'the current password is wrong');
  }
}

export interface SignInOptions {
  readonly kind: SessionKind;
  readonly deviceId?: string | undefined;
  readonly deviceLabel?: string | undefined;
}

/**
 * What every successful sign-in does, in the caller's transaction: remember the device, open the session,
 * and queue the new-device mail when the device is new and this is not the account's first sign-in.
 */
export async function completeSignIn(
  services: Services,
  trx: Trx,
  afterCommit: (hook: () => void) => void,
  user: UserRecord,
  options: SignInOptions,
  origin: RequestOrigin,
): Promise<IssuedSession> {
  const now = services.clock.now();
  const signedInBefore = await hasSignedInBefore(trx, user.id);
  const newDevice =
    options.deviceId === undefined || (await rememberDevice(trx, user.id, sha256Hex(options.deviceId), now));
  const session = await openSession(
    services,
    trx,
    user.id,
    options.kind,
    origin,
    options.deviceLabel ?? null,
  );
  if (signedInBefore && newDevice) {
    await queueMail(services, trx, afterCommit, {
      to: user.email,
      subject: 'New sign-in to your ENLETS Messenger account',
      kind: 'new_device',
      text: [
        `Hello ${user.displayName},`,
        '',
        'Your ENLETS Messenger account was just signed in to from a device it has not used before.',
        '',
        `Time: ${new Date(now).toISOString()}`,
        `Device: ${options.deviceLabel ?? 'not named'}`,
        `Browser or program: ${origin.userAgent ?? 'unknown'}`,
        `Address: ${origin.ip}`,
        '',
        'If this was you, there is nothing to do.',
        'If it was not, change your password at once and sign out the sessions you do not recognise:',
        `${services.config.publicUrl}/settings/security`,
      ].join('\n'),
    });
  }
  return session;
}

export interface LoginInput extends SecondFactorProof {
  readonly email: string;
  readonly password: string;
  readonly deviceId?: string | undefined;
  readonly deviceLabel?: string | undefined;
  readonly kind: SessionKind;
}

export interface SignedIn {
  readonly session: IssuedSession;
  readonly userId: UserId;
}

/**
 * Password login with an optional second factor. Unknown e-mail, wrong password and an account that is not
 * active all get the same INVALID_CREDENTIALS after the same Argon2id work, so answers and timing do not reveal
 * accounts. Throttling: see the rule at the top of this file.
 */
export async function login(services: Services, input: LoginInput, origin: RequestOrigin): Promise<SignedIn> {
  const now = services.clock.now();
  const address = addressKey(origin.ip);
  const account = accountKey(input.email);

  const addressLock = await lockedUntil(services, address);
  if (addressLock > now) throw throttled(addressLock, now, 'address');
  const accountLock = await lockedUntil(services, account);
  const accountLocked = accountLock > now;
  const presentsSecondFactor = input.totpCode !== undefined || input.recoveryCode !== undefined;
  if (accountLocked && !presentsSecondFactor) throw throttled(accountLock, now, 'account');

  const user = await findUserByEmail(services.db, input.email);
  const passwordOk =
    user?.passwordHash == null
      ? await services.passwords.verifyDummy(input.password)
      : await services.passwords.verify(user.passwordHash, input.password);
  if (user === undefined || !passwordOk || user.status !== 'active') {
    await recordFailures(services, [address, account]);
    throw accountLocked ? throttled(accountLock, now, 'account') : invalidCredentials();
  }
  // The password is right from here on, so the answers below may depend on the account.
  if (accountLocked && !user.totpEnabled) throw throttled(accountLock, now, 'account');
  const secondFactor = secondFactorKey(user.id);
  if (user.totpEnabled) {
    if (!presentsSecondFactor) {
      throw new DomainError('SECOND_FACTOR_REQUIRED', 'enter the code from your authenticator app');
    }
    const secondFactorLock = await lockedUntil(services, secondFactor);
    if (secondFactorLock > now) throw throttled(secondFactorLock, now, 'account');
  }

  const passwordHash =
    user.passwordHash !== null && services.passwords.needsRehash(user.passwordHash)
      ? await services.passwords.hash(input.password)
      : undefined;

  const outcome = await inTransaction(services, async (trx, afterCommit) => {
    if (user.totpEnabled && !(await useSecondFactor(services, trx, user, input))) return undefined;
    await clearThrottle(trx, account[0]);
    await clearThrottle(trx, secondFactor[0]);
    if (passwordHash !== undefined) await updateUser(trx, user.id, { passwordHash }, now);
    const session = await completeSignIn(services, trx, afterCommit, user, input, origin);
    const roles = await listRoles(trx, user.id);
    if (roles.some((grant) => grant.role === 'secretariat_admin')) {
      await appendAudit(services, trx, {
        actorId: user.id,
        action: 'admin.logged_in',
        targetType: 'session',
        targetId: session.sessionId,
        details: { ip: origin.ip },
      });
    }
    return session;
  });
  if (outcome === undefined) {
    await recordFailures(services, [address, secondFactor]);
    throw accountLocked ? throttled(accountLock, now, 'account') : secondFactorInvalid();
  }
  return { session: outcome, userId: user.id };
}

/** Ends the caller's own session. */
export async function logout(services: Services, actor: Actor): Promise<void> {
  await inTransaction(services, (trx) =>
    endSession(trx, actor.user.id, actor.session.id, services.clock.now()),
  );
  services.bus.publish({ type: 'sessions.revoked', userId: actor.user.id, sessionIds: [actor.session.id] });
}

/**
 * Mails a reset link when an active account has this address, voiding older links. The caller answers the
 * same whether or not an account exists.
 */
export async function requestPasswordReset(services: Services, email: string): Promise<void> {
  const user = await findUserByEmail(services.db, email);
  if (user?.status !== 'active') return;
  await inTransaction(services, async (trx, afterCommit) => {
    const now = services.clock.now();
    await voidOneTimeTokens(trx, 'password_reset', user.id, now);
    const token = newToken();
    await insertOneTimeToken(trx, {
      tokenHash: hashToken(token),
      purpose: 'password_reset',
      subjectId: user.id,
      now,
      expiresAt: now + PASSWORD_RESET_TTL_MS,
    });
    await queueMail(services, trx, afterCommit, {
      to: user.email,
      subject: 'Reset your ENLETS Messenger password',
      kind: 'password_reset',
      text: [
        `Hello ${user.displayName},`,
        '',
        'Someone (hopefully you) asked to reset the password of your ENLETS Messenger account.',
        'Open this link within one hour to choose a new password:',
        '',
        publicLink(services, '/reset-password', token),
        '',
        'If you did not ask for this, ignore this mail: your password stays as it is.',
      ].join('\n'),
    });
  });
}

/** Sets a new password from a reset link and ends every session of the account. TOTP stays as it was. */
export async function confirmPasswordReset(
  services: Services,
  token: string,
  newPassword: string,
): Promise<void> {
  const tokenHash = hashToken(token);
  const subject = await peekOneTimeToken(services.db, tokenHash, 'password_reset', services.clock.now());
  const user = subject === undefined ? undefined : await findUserById(services.db, subject);
  if (user?.status !== 'active') throw tokenInvalid();
  checkPasswordPolicy(newPassword, user.email, user.displayName);
  const passwordHash = await services.passwords.hash(newPassword);
  await inTransaction(services, async (trx, afterCommit) => {
    const now = services.clock.now();
    if ((await consumeOneTimeToken(trx, tokenHash, 'password_reset', now)) !== user.id) throw tokenInvalid();
    await updateUser(trx, user.id, { passwordHash }, now);
    await endAllSessions(trx, user.id, now);
    afterCommit(() => services.bus.publish({ type: 'sessions.revoked', userId: user.id, sessionIds: 'all' }));
    await clearThrottle(trx, accountKey(user.email)[0]);
    await queuePasswordChangedMail(services, trx, afterCommit, user);
  });
}

export async function queuePasswordChangedMail(
  services: Services,
  trx: Trx,
  afterCommit: (hook: () => void) => void,
  user: UserRecord,
): Promise<void> {
  await queueMail(services, trx, afterCommit, {
    to: user.email,
    subject: 'Your ENLETS Messenger password was changed',
    kind: 'password_changed',
    text: [
      `Hello ${user.displayName},`,
      '',
      `The password of your ENLETS Messenger account was changed at ${new Date(services.clock.now()).toISOString()}.`,
      'Other sessions of the account have been signed out.',
      '',
      'If you did not do this, reset your password at once and contact your National Contact Point:',
      `${services.config.publicUrl}/reset-password`,
    ].join('\n'),
  });
}

export function tokenInvalid(): DomainError {
  return new DomainError('TOKEN_INVALID', 'the link is unknown, expired or already used');
}
