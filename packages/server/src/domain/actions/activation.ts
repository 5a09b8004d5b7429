import { hashToken } from '../../lib/secrets.js';
import { matchTotp } from '../../lib/totp.js';
import { consumeOneTimeToken, peekOneTimeToken } from '../../storage/repositories/one-time-tokens.js';
import type { SessionKind } from '../../storage/repositories/sessions.js';
import { findUserById, updateUser, type UserRecord } from '../../storage/repositories/users.js';
import type { RequestOrigin } from '../actor.js';
import { DomainError } from '../errors.js';
import { checkPasswordPolicy } from '../password-policy.js';
import { inTransaction, type Services } from '../services.js';
import { completeSignIn, issueRecoveryCodes, tokenInvalid, type SignedIn } from './auth.js';

/** The invited account behind a live invitation link, or TOKEN_INVALID. */
async function invitedUser(services: Services, tokenHash: string): Promise<UserRecord> {
  const subject = await peekOneTimeToken(services.db, tokenHash, 'invitation', services.clock.now());
  const user = subject === undefined ? undefined : await findUserById(services.db, subject);
  if (user?.status !== 'invited') throw tokenInvalid();
  return user;
}

export interface ActivationInfo {
  readonly email: string;
  readonly displayName: string;
  readonly requireSecondFactor: boolean;
}

/** What the activation form shows, without using the link up. */
export async function describeActivation(services: Services, token: string): Promise<ActivationInfo> {
  const user = await invitedUser(services, hashToken(token));
  return {
    email: user.email,
    displayName: user.displayName,
    requireSecondFactor: services.config.requireSecondFactor,
  };
}

export interface ActivationInput {
  readonly token: string;
  readonly password: string;
  /** Base32 secret the client generated and showed to its authenticator app. */
  readonly totpSecret?: string | undefined;
  /** A current code from that secret, proving the app holds it. */
  readonly totpCode?: string | undefined;
  readonly deviceId?: string | undefined;
  readonly deviceLabel?: string | undefined;
  readonly kind: SessionKind;
}

export interface Activated extends SignedIn {
  /** Present when a second factor was enrolled: shown once. */
  readonly recoveryCodes?: string[];
}

/**
 * Redeems an invitation: sets the password, enrols TOTP (required when the deployment says so), makes the
 * account active and signs it in. The link works once; of two concurrent redemptions only one succeeds.
 */
export async function activateAccount(
  services: Services,
  input: ActivationInput,
  origin: RequestOrigin,
): Promise<Activated> {
  const tokenHash = hashToken(input.token);
  const user = await invitedUser(services, tokenHash);
  checkPasswordPolicy(input.password, user.email, user.displayName);

  const wantsTotp = input.totpSecret !== undefined || input.totpCode !== undefined;
  if (
    (services.config.requireSecondFactor || wantsTotp) &&
    (input.totpSecret === undefined || input.totpCode === undefined)
  ) {
    throw new DomainError(
      'SECOND_FACTOR_ENROLMENT_REQUIRED',
      'set up an authenticator app: send its secret and a current code',
    );
  }
  let totp: { secret: string; step: number } | undefined;
  if (input.totpSecret !== undefined && input.totpCode !== undefined) {
    const step = matchTotp(input.totpSecret, input.totpCode, services.clock.now());
    if (step === undefined) {
      throw new DomainError(
        'SECOND_FACTOR_INVALID',
        'the code does not match; check the clock of your device',
      );
    }
    totp = { secret: input.totpSecret, step };
  }
  const passwordHash = await services.passwords.hash(input.password);

  return inTransaction(services, async (trx, afterCommit) => {
    const now = services.clock.now();
    if ((await consumeOneTimeToken(trx, tokenHash, 'invitation', now)) !== user.id) throw tokenInvalid();
    const current = await findUserById(trx, user.id);
    if (current?.status !== 'invited') throw tokenInvalid();
    await updateUser(
      trx,
      user.id,
      {
        passwordHash,
        status: 'active',
        ...(totp === undefined
          ? {}
          : { totpSecret: totp.secret, totpEnabled: true, totpLastStep: totp.step }),
      },
      now,
    );
    const recoveryCodes = totp === undefined ? undefined : await issueRecoveryCodes(trx, user.id);
    const session = await completeSignIn(services, trx, afterCommit, current, input, origin);
    return {
      session,
      userId: user.id,
      ...(recoveryCodes === undefined ? {} : { recoveryCodes }),
    };
  });
}
