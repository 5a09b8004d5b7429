import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { decodeClientDataJSON, isoBase64URL } from '@simplewebauthn/server/helpers';
import type {
  PasskeyAssertionCredential,
  PasskeyCreationOptions,
  PasskeyInfo,
  PasskeyRegistrationCredential,
  PasskeyRequestOptions,
  UserId,
} from '@enlets/protocol';
import type { Config } from '../../config/config.js';
import { MINUTE_MS } from '../../lib/clock.js';
import { newId, sha256Hex } from '../../lib/secrets.js';
import {
  consumeChallenge,
  countPasskeysOfUser,
  deletePasskeyOfUser,
  findPasskeyByCredentialId,
  flagPasskeyCloneSuspected,
  insertChallenge,
  insertPasskey,
  listPasskeysOfUser,
  recordPasskeyUse,
  type ChallengePurpose,
  type PasskeyRecord,
} from '../../storage/repositories/passkeys.js';
import { findUserById, listRoles, type UserRecord } from '../../storage/repositories/users.js';
import type { Actor, RequestOrigin } from '../actor.js';
import { appendAudit } from '../audit.js';
import { DomainError, notFound } from '../errors.js';
import { queueMail } from '../mail.js';
import { inTransaction, type Services, type Trx } from '../services.js';
import {
  checkAddressThrottle,
  checkSecondFactorThrottle,
  completeSignIn,
  proofFromCode,
  recordAddressFailure,
  recordSecondFactorFailure,
  useSecondFactor,
  verifyCurrentPassword,
  type SignedIn,
  type SignInOptions,
} from './auth.js';

/*
 * Passkeys (docs/decisions/0019-passkeys.md). SimpleWebAuthn does the WebAuthn verification (client data,
 * authenticator data, attestation, COSE keys, signatures); this module decides what is asked for and what is
 * stored:
 *
 * - every ceremony needs a challenge the server issued, stored hashed, single-use, five minutes at most;
 * - user verification is required (PIN or biometrics on the authenticator), so a passkey is two factors:
 *   something you have (the key) and something you know or are (what unlocks it);
 * - credentials are discoverable (resident keys): signing in needs no e-mail address, the credential names
 *   the account;
 * - the signature counter is checked only after the signature (see `signInWithPasskey`), and a counter that
 *   goes backwards flags the credential as probably cloned: it never signs in again.
 */

/** How long a challenge can be used; the browser's own prompt gives up earlier (CEREMONY_TIMEOUT_MS). */
const CHALLENGE_TTL_MS = 5 * MINUTE_MS;
const CEREMONY_TIMEOUT_MS = 2 * MINUTE_MS;
/** Enough for every laptop, phone and security key a person has; keeps a stolen session from filling a table. */
export const MAX_PASSKEYS_PER_USER = 20;
const RP_NAME = 'ENLETS Messenger';

/**
 * The relying party, from the public URL users reach the service at: the RP ID is its host name (passkeys are
 * bound to it; an IP address cannot be one), and the only origin accepted in the signed client data is its
 * origin. A passkey made for one host name does not work at another.
 */
export function relyingParty(config: Pick<Config, 'publicUrl'>): {
  readonly id: string;
  readonly origin: string;
} {
  const url = new URL(config.publicUrl);
  return { id: url.hostname, origin: url.origin };
}

/** The WebAuthn user handle of an account: its id as UTF-8 (a random UUID, no personal data). */
function userHandleOf(userId: UserId): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(userId);
}

const challengeInvalid = (): DomainError =>
  new DomainError(
    'PASSKEY_CHALLENGE_INVALID',
    'the passkey request is unknown, expired or used; start again',
  );

function verificationFailed(reason: string): DomainError {
  return new DomainError('PASSKEY_VERIFICATION_FAILED', 'the passkey response did not verify', { reason });
}

/** A coarse, stable reason from SimpleWebAuthn's error text, for the client and the logs (never secret). */
function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : '';
  if (/origin/i.test(text)) return 'origin';
  if (/RP ID/i.test(text)) return 'rp_id';
  if (/user verification|could not be verified/i.test(text)) return 'user_verification';
  if (/not present/i.test(text)) return 'user_presence';
  if (/type/i.test(text)) return 'type';
  return 'invalid';
}

/** The challenge inside the client data the authenticator signed; undefined when it cannot be read. */
function challengeOf(clientDataJSON: string): string | undefined {
  try {
    const challenge: unknown = decodeClientDataJSON(clientDataJSON).challenge;
    return typeof challenge === 'string' && challenge !== '' ? challenge : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Uses up the challenge a response answers, before anything else is looked at: whatever the outcome, the same
 * challenge never serves twice (a replayed response, or a second try after a failure, must start again).
 */
async function useChallenge(
  services: Services,
  clientDataJSON: string,
  purpose: ChallengePurpose,
  userId: UserId | null,
): Promise<string> {
  const challenge = challengeOf(clientDataJSON);
  if (challenge === undefined) throw challengeInvalid();
  const used = await consumeChallenge(
    services.db,
    sha256Hex(challenge),
    purpose,
    userId,
    services.clock.now(),
  );
  if (!used) throw challengeInvalid();
  return challenge;
}

async function storeChallenge(
  services: Services,
  challenge: string,
  purpose: ChallengePurpose,
  userId: UserId | null,
): Promise<void> {
  const now = services.clock.now();
  await inTransaction(services, (trx) =>
    insertChallenge(trx, {
      challengeHash: sha256Hex(challenge),
      purpose,
      userId,
      now,
      expiresAt: now + CHALLENGE_TTL_MS,
    }),
  );
}

export function toPasskeyInfo(passkey: PasskeyRecord): PasskeyInfo {
  return {
    id: passkey.id,
    name: passkey.name,
    createdAt: passkey.createdAt,
    lastUsedAt: passkey.lastUsedAt,
    synced: passkey.deviceType === 'multiDevice',
    cloneSuspectedAt: passkey.cloneSuspectedAt,
  };
}

async function queuePasskeyMail(
  services: Services,
  trx: Trx,
  afterCommit: (hook: () => void) => void,
  user: UserRecord,
  what: string,
  advice: string,
): Promise<void> {
  await queueMail(services, trx, afterCommit, {
    to: user.email,
    subject: `${what} on your ENLETS Messenger account`,
    kind: 'security_notice',
    text: [
      `Hello ${user.displayName},`,
      '',
      `${what} on your ENLETS Messenger account at ${new Date(services.clock.now()).toISOString()}.`,
      '',
      advice,
      `${services.config.publicUrl}/account`,
    ].join('\n'),
  });
}

export interface PasskeyReauthInput {
  readonly currentPassword: string;
  readonly code?: string | undefined;
}

/**
 * A passkey is a way in on its own, so adding one asks for everything the account's own sign-in asks for: the
 * current password, and a TOTP or recovery code when two-factor authentication is on. A stolen session alone
 * therefore cannot plant a passkey for later.
 */
async function reauthenticate(
  services: Services,
  user: UserRecord,
  input: PasskeyReauthInput,
  origin: RequestOrigin,
): Promise<void> {
  await verifyCurrentPassword(services, user, input.currentPassword, origin);
  if (!user.totpEnabled) return;
  if (input.code === undefined) {
    throw new DomainError('SECOND_FACTOR_REQUIRED', 'enter the code from your authenticator app');
  }
  await checkSecondFactorThrottle(services, user.id);
  const code = input.code;
  const ok = await inTransaction(services, (trx) =>
    useSecondFactor(services, trx, user, proofFromCode(code)),
  );
  if (!ok) {
    await recordSecondFactorFailure(services, user.id);
    throw new DomainError('SECOND_FACTOR_INVALID', 'the code is wrong, expired or already used');
  }
}

/** Step one of adding a passkey: after re-authentication, the options for `navigator.credentials.create()`. */
export async function startPasskeyRegistration(
  services: Services,
  actor: Actor,
  input: PasskeyReauthInput,
  origin: RequestOrigin,
): Promise<PasskeyCreationOptions> {
  const user = actor.user;
  await reauthenticate(services, user, input, origin);
  const existing = await listPasskeysOfUser(services.db, user.id);
  if (existing.length >= MAX_PASSKEYS_PER_USER) {
    throw new DomainError(
      'CONFLICT',
      `an account can have at most ${String(MAX_PASSKEYS_PER_USER)} passkeys`,
      {
        reason: 'passkey_limit',
      },
    );
  }
  const rp = relyingParty(services.config);
  const options = await generateRegistrationOptions({
    rpName: RP_NAME,
    rpID: rp.id,
    userID: userHandleOf(user.id),
    userName: user.email,
    userDisplayName: user.displayName,
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: 'none',
    // The same authenticator twice would only be a confusing duplicate in the list.
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: [...p.transports] })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
  await storeChallenge(services, options.challenge, 'registration', user.id);
  return {
    challenge: options.challenge,
    rp: { name: options.rp.name, id: rp.id },
    user: options.user,
    pubKeyCredParams: options.pubKeyCredParams.map((p) => ({ alg: p.alg, type: 'public-key' as const })),
    timeout: CEREMONY_TIMEOUT_MS,
    attestation: 'none',
    excludeCredentials: (options.excludeCredentials ?? []).map((c) => ({
      id: c.id,
      type: 'public-key' as const,
      ...(c.transports === undefined ? {} : { transports: [...c.transports] }),
    })),
    authenticatorSelection: {
      residentKey: 'required',
      requireResidentKey: true,
      userVerification: 'required',
    },
    extensions: { credProps: true },
    hints: [],
  };
}

/** Step two: checks the new credential against the challenge, the origin and the RP ID, and stores it. */
export async function finishPasskeyRegistration(
  services: Services,
  actor: Actor,
  input: { readonly name: string; readonly credential: PasskeyRegistrationCredential },
): Promise<PasskeyInfo> {
  const user = actor.user;
  const name = input.name.trim();
  if (name === '') throw new DomainError('VALIDATION_FAILED', 'the passkey name is empty');
  const challenge = await useChallenge(
    services,
    input.credential.response.clientDataJSON,
    'registration',
    user.id,
  );
  const rp = relyingParty(services.config);
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verified = await verifyRegistrationResponse({
      response: input.credential,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
    });
  } catch (error) {
    services.log.info({ err: (error as Error).message }, 'passkey registration refused');
    throw verificationFailed(reasonOf(error));
  }
  if (!verified.verified) throw verificationFailed('invalid');
  const info = verified.registrationInfo;

  const now = services.clock.now();
  const passkey = {
    id: newId(),
    userId: user.id,
    credentialId: info.credential.id,
    publicKey: info.credential.publicKey,
    counter: info.credential.counter,
    transports: input.credential.response.transports ?? [],
    name,
    aaguid: info.aaguid,
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
    createdAt: now,
  } as const;
  await inTransaction(services, async (trx, afterCommit) => {
    // Checked again in the transaction: two registrations at once must not pass the limit together.
    if ((await countPasskeysOfUser(trx, user.id)) >= MAX_PASSKEYS_PER_USER) {
      throw new DomainError('CONFLICT', 'the account has the most passkeys it can have', {
        reason: 'passkey_limit',
      });
    }
    if (!(await insertPasskey(trx, passkey))) {
      throw new DomainError('CONFLICT', 'this passkey is registered already', { reason: 'passkey_exists' });
    }
    await appendAudit(services, trx, {
      actorId: user.id,
      action: 'passkey.registered',
      targetType: 'passkey',
      targetId: passkey.id,
      details: { aaguid: passkey.aaguid, synced: passkey.deviceType === 'multiDevice' },
    });
    await queuePasskeyMail(
      services,
      trx,
      afterCommit,
      user,
      `A passkey ("${name}") was added`,
      'If you did not do this, remove the passkey, change your password and contact your National Contact Point:',
    );
  });
  return toPasskeyInfo({ ...passkey, lastUsedAt: null, cloneSuspectedAt: null });
}

/** The caller's own passkeys, oldest first. */
export async function listMyPasskeys(services: Services, actor: Actor): Promise<PasskeyInfo[]> {
  return (await listPasskeysOfUser(services.db, actor.user.id)).map(toPasskeyInfo);
}

/** Removes one of the caller's passkeys; NOT_FOUND for an unknown id or someone else's passkey. */
export async function removeMyPasskey(services: Services, actor: Actor, id: string): Promise<void> {
  const user = actor.user;
  await inTransaction(services, async (trx, afterCommit) => {
    const removed = await deletePasskeyOfUser(trx, user.id, id);
    if (removed === undefined) throw notFound('passkey');
    await appendAudit(services, trx, {
      actorId: user.id,
      action: 'passkey.removed',
      targetType: 'passkey',
      targetId: removed.id,
    });
    await queuePasskeyMail(
      services,
      trx,
      afterCommit,
      user,
      `A passkey ("${removed.name}") was removed`,
      'If you did not do this, change your password and sign out the sessions you do not recognise:',
    );
  });
}

/** Step one of signing in with a passkey: a challenge for any credential of this site (no account named). */
export async function startPasskeySignIn(
  services: Services,
  origin: RequestOrigin,
): Promise<PasskeyRequestOptions> {
  await checkAddressThrottle(services, origin);
  const rp = relyingParty(services.config);
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: 'required',
  });
  await storeChallenge(services, options.challenge, 'sign_in', null);
  return {
    challenge: options.challenge,
    rpId: rp.id,
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: 'required',
  };
}

export interface PasskeySignInInput extends SignInOptions {
  readonly credential: PasskeyAssertionCredential;
}

/**
 * Step two: verifies the signature with the stored public key and opens a session exactly as a password and
 * TOTP login does (`completeSignIn`: the same session record, cookie or token, new-device mail, and the same
 * audit entry for administrators). The order matters:
 *
 * 1. the challenge is used up first, so a response can never be replayed, whatever happens next;
 * 2. the signature is verified before anything about the account is told (a suspended account, a flagged
 *    credential): only the holder of the key learns those;
 * 3. the counter is compared only after the signature checked out. SimpleWebAuthn compares it before the
 *    signature, so anyone who knows a credential id could then forge an unsigned "counter went back" and get
 *    the credential flagged; we hand it counter 0 (which skips its comparison) and compare ourselves.
 */
export async function signInWithPasskey(
  services: Services,
  input: PasskeySignInInput,
  origin: RequestOrigin,
): Promise<SignedIn> {
  await checkAddressThrottle(services, origin);
  const { credential } = input;
  let challenge: string;
  try {
    challenge = await useChallenge(services, credential.response.clientDataJSON, 'sign_in', null);
  } catch (error) {
    await recordAddressFailure(services, origin);
    throw error;
  }
  const passkey =
    credential.id === credential.rawId
      ? await findPasskeyByCredentialId(services.db, credential.id)
      : undefined;
  if (passkey === undefined) {
    await recordAddressFailure(services, origin);
    throw new DomainError('PASSKEY_UNKNOWN', 'no account has this passkey');
  }
  // The user handle, when the authenticator returns one, must name the account the credential belongs to.
  const handle = credential.response.userHandle;
  if (handle !== undefined && handle !== isoBase64URL.fromBuffer(userHandleOf(passkey.userId))) {
    await recordAddressFailure(services, origin);
    throw verificationFailed('user_handle');
  }

  const rp = relyingParty(services.config);
  let newCounter: number;
  try {
    const verified = await verifyAuthenticationResponse({
      response: credential,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: passkey.credentialId,
        publicKey: passkey.publicKey,
        counter: 0, // compared below, after the signature (see above)
        transports: [...passkey.transports],
      },
      requireUserVerification: true,
    });
    if (!verified.verified) throw new Error('signature');
    newCounter = verified.authenticationInfo.newCounter;
  } catch (error) {
    services.log.info({ err: (error as Error).message }, 'passkey sign-in refused');
    await recordAddressFailure(services, origin);
    throw verificationFailed(reasonOf(error));
  }

  const user = await findUserById(services.db, passkey.userId);
  if (user?.status !== 'active') {
    throw new DomainError('ACCOUNT_NOT_ACTIVE', 'the account is suspended, removed or not yet activated');
  }
  if (passkey.cloneSuspectedAt !== null) throw cloneSuspected();

  const counterWentBack = (newCounter > 0 || passkey.counter > 0) && newCounter <= passkey.counter;
  const outcome = await inTransaction(services, async (trx, afterCommit) => {
    const now = services.clock.now();
    if (counterWentBack || !(await recordPasskeyUse(trx, passkey.id, passkey.counter, newCounter, now))) {
      await flagCloneSuspected(services, trx, afterCommit, user, passkey, newCounter);
      return undefined;
    }
    const session = await completeSignIn(services, trx, afterCommit, user, input, origin);
    const roles = await listRoles(trx, user.id);
    if (roles.some((grant) => grant.role === 'secretariat_admin')) {
      await appendAudit(services, trx, {
        actorId: user.id,
        action: 'admin.logged_in',
        targetType: 'session',
        targetId: session.sessionId,
        details: { ip: origin.ip, method: 'passkey', passkeyId: passkey.id },
      });
    }
    return session;
  });
  if (outcome === undefined) throw cloneSuspected();
  return { session: outcome, userId: user.id };
}

const cloneSuspected = (): DomainError =>
  new DomainError('PASSKEY_CLONE_SUSPECTED', 'this passkey may have been copied; it no longer signs in');

/** Flags a credential whose counter went back (committed, unlike the refused sign-in), audits and tells the owner. */
async function flagCloneSuspected(
  services: Services,
  trx: Trx,
  afterCommit: (hook: () => void) => void,
  user: UserRecord,
  passkey: PasskeyRecord,
  newCounter: number,
): Promise<void> {
  await flagPasskeyCloneSuspected(trx, passkey.id, services.clock.now());
  await appendAudit(services, trx, {
    actorId: user.id,
    action: 'passkey.clone_suspected',
    targetType: 'passkey',
    targetId: passkey.id,
    details: { storedCounter: passkey.counter, receivedCounter: newCounter },
  });
  await queuePasskeyMail(
    services,
    trx,
    afterCommit,
    user,
    `A possible copy of your passkey "${passkey.name}" was used`,
    [
      'Its signature counter went backwards, which happens when a copy of the key is used. The passkey no',
      'longer signs in. Sign in another way, remove it, and contact your National Contact Point:',
    ].join('\n'),
  );
}
