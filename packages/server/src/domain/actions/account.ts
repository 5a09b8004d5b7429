import type { SessionId } from '@enlets/protocol';
import { matchTotp, newTotpSecret, totpUri } from '../../lib/totp.js';
import { deleteRecoveryCodes } from '../../storage/repositories/recovery-codes.js';
import { updateUser, type UserRecord } from '../../storage/repositories/users.js';
import type { Actor, RequestOrigin } from '../actor.js';
import { DomainError, notFound } from '../errors.js';
import { queueMail } from '../mail.js';
import { checkPasswordPolicy } from '../password-policy.js';
import { inTransaction, type Services, type Trx } from '../services.js';
import {
  checkSecondFactorThrottle,
  issueRecoveryCodes,
  proofFromCode,
  queuePasswordChangedMail,
  recordSecondFactorFailure,
  useSecondFactor,
  verifyCurrentPassword,
} from './auth.js';
import { endAllSessions, endSession } from './sessions.js';

/** Changes one's own display name. */
export async function updateMe(
  services: Services,
  actor: Actor,
  input: { displayName: string },
): Promise<void> {
  const displayName = input.displayName.trim();
  if (displayName === '') throw new DomainError('VALIDATION_FAILED', 'the display name is empty');
  await inTransaction(services, async (trx) => {
    await updateUser(trx, actor.user.id, { displayName }, services.clock.now());
  });
}

/**
 * Changes the password after re-checking the current one; every other session ends at once (whoever may have
 * known the old password is signed out), and the owner gets an informational mail.
 */
export async function changePassword(
  services: Services,
  actor: Actor,
  input: { currentPassword: string; newPassword: string },
  origin: RequestOrigin,
): Promise<void> {
  await verifyCurrentPassword(services, actor.user, input.currentPassword, origin);
  checkPasswordPolicy(input.newPassword, actor.user.email, actor.user.displayName);
  const passwordHash = await services.passwords.hash(input.newPassword);
  await inTransaction(services, async (trx, afterCommit) => {
    const now = services.clock.now();
    await updateUser(trx, actor.user.id, { passwordHash }, now);
    await endAllSessions(trx, actor.user.id, now, actor.session.id);
    afterCommit(() => publishOthersRevoked(services, actor));
    await queuePasswordChangedMail(services, trx, afterCommit, actor.user);
  });
}

/** Ends one of one's own sessions; NOT_FOUND for an unknown id or someone else's session. */
export async function revokeMySession(services: Services, actor: Actor, sessionId: SessionId): Promise<void> {
  const revoked = await inTransaction(services, (trx) =>
    endSession(trx, actor.user.id, sessionId, services.clock.now()),
  );
  if (!revoked) throw notFound('session');
  services.bus.publish({ type: 'sessions.revoked', userId: actor.user.id, sessionIds: [sessionId] });
}

/** Ends every session of the caller except the one this request came with. */
export async function revokeOtherSessions(services: Services, actor: Actor): Promise<number> {
  const count = await inTransaction(services, (trx) =>
    endAllSessions(trx, actor.user.id, services.clock.now(), actor.session.id),
  );
  publishOthersRevoked(services, actor);
  return count;
}

/** Live connections of the actor's other sessions close at once (the realtime gateways listen). */
function publishOthersRevoked(services: Services, actor: Actor): void {
  services.bus.publish({
    type: 'sessions.revoked',
    userId: actor.user.id,
    sessionIds: 'all',
    except: actor.session.id,
  });
}

function requireTotpEnabled(user: UserRecord): void {
  if (!user.totpEnabled)
    throw new DomainError('TOTP_NOT_ENABLED', 'two-factor authentication is not enabled');
}

/** Starts TOTP enrolment: a pending secret that becomes active only once a code from it is confirmed. */
export async function setupTotp(
  services: Services,
  actor: Actor,
  currentPassword: string,
  origin: RequestOrigin,
): Promise<{ secret: string; otpauthUri: string }> {
  await verifyCurrentPassword(services, actor.user, currentPassword, origin);
  if (actor.user.totpEnabled) {
    throw new DomainError('TOTP_ALREADY_ENABLED', 'two-factor authentication is enabled already');
  }
  const secret = newTotpSecret();
  await inTransaction(services, async (trx) => {
    await updateUser(trx, actor.user.id, { totpSecret: secret, totpEnabled: false }, services.clock.now());
  });
  return { secret, otpauthUri: totpUri(secret, actor.user.email) };
}

/** Enables the pending TOTP secret with a code from it; returns ten recovery codes, shown once. */
export async function confirmTotp(services: Services, actor: Actor, code: string): Promise<string[]> {
  const user = actor.user;
  if (user.totpEnabled) {
    throw new DomainError('TOTP_ALREADY_ENABLED', 'two-factor authentication is enabled already');
  }
  if (user.totpSecret === null) {
    throw new DomainError('TOTP_NOT_ENABLED', 'start two-factor setup first');
  }
  const now = services.clock.now();
  const step = matchTotp(user.totpSecret, code, now);
  if (step === undefined) {
    throw new DomainError('SECOND_FACTOR_INVALID', 'the code does not match; check the clock of your device');
  }
  return inTransaction(services, async (trx, afterCommit) => {
    await updateUser(trx, user.id, { totpEnabled: true, totpLastStep: step }, now);
    await queueSecurityMail(services, trx, afterCommit, user, 'Two-factor authentication was turned on');
    return issueRecoveryCodes(trx, user.id);
  });
}

/**
 * Checks and uses up a second-factor code before a change to the second factor itself, in its own step so a
 * wrong code is counted (the `2fa:` throttle key of auth.ts) even though the change does not happen.
 */
async function requireSecondFactor(services: Services, user: UserRecord, code: string): Promise<void> {
  await checkSecondFactorThrottle(services, user.id);
  const ok = await inTransaction(services, (trx) =>
    useSecondFactor(services, trx, user, proofFromCode(code)),
  );
  if (!ok) {
    await recordSecondFactorFailure(services, user.id);
    throw new DomainError('SECOND_FACTOR_INVALID', 'the code is wrong, expired or already used');
  }
}

/**
 * Turns TOTP off and deletes the recovery codes. Refused (CONFLICT) where the deployment requires a second
 * factor, since that requirement would otherwise last only until the first sign-in.
 */
export async function disableTotp(
  services: Services,
  actor: Actor,
  input: { currentPassword: string; code: string },
  origin: RequestOrigin,
): Promise<void> {
  await verifyCurrentPassword(services, actor.user, input.currentPassword, origin);
  requireTotpEnabled(actor.user);
  if (services.config.requireSecondFactor) {
    throw new DomainError('CONFLICT', 'this service requires two-factor authentication', {
      reason: 'second_factor_required',
    });
  }
  await requireSecondFactor(services, actor.user, input.code);
  await inTransaction(services, async (trx, afterCommit) => {
    await updateUser(trx, actor.user.id, { totpEnabled: false, totpSecret: null }, services.clock.now());
    await deleteRecoveryCodes(trx, actor.user.id);
    await queueSecurityMail(
      services,
      trx,
      afterCommit,
      actor.user,
      'Two-factor authentication was turned off',
    );
  });
}

/** Replaces all recovery codes with ten new ones. */
export async function regenerateRecoveryCodes(
  services: Services,
  actor: Actor,
  input: { currentPassword: string; code: string },
  origin: RequestOrigin,
): Promise<string[]> {
  await verifyCurrentPassword(services, actor.user, input.currentPassword, origin);
  requireTotpEnabled(actor.user);
  await requireSecondFactor(services, actor.user, input.code);
  return inTransaction(services, (trx) => issueRecoveryCodes(trx, actor.user.id));
}

async function queueSecurityMail(
  services: Services,
  trx: Trx,
  afterCommit: (hook: () => void) => void,
  user: UserRecord,
  what: string,
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
      'If you did not do this, reset your password at once and contact your National Contact Point:',
      `${services.config.publicUrl}/reset-password`,
    ].join('\n'),
  });
}
