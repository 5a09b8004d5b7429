import type { UserId } from '@enlets/protocol';
import { DAY_MS } from '../../lib/clock.js';
import { hashToken, newId, newToken } from '../../lib/secrets.js';
import { consumeOneTimeToken, insertOneTimeToken } from '../../storage/repositories/one-time-tokens.js';
import { countUsers, findUserByEmail, grantRole, insertUser } from '../../storage/repositories/users.js';
import { appendAudit } from '../audit.js';
import { DomainError } from '../errors.js';
import { checkPasswordPolicy } from '../password-policy.js';
import { inTransaction, type Services } from '../services.js';

const SETUP_TOKEN_TTL_MS = 7 * DAY_MS;

export async function needsSetup(services: Services): Promise<boolean> {
  return (await countUsers(services.db)) === 0;
}

/**
 * On the first start of an empty database: a one-time link for creating the first Secretariat admin. Returns
 * the token (the caller prints the link once, never logs it) or undefined when an admin exists already.
 */
export async function issueSetupToken(services: Services): Promise<string | undefined> {
  return inTransaction(services, async (trx) => {
    if ((await countUsers(trx)) > 0) return undefined;
    const token = newToken();
    const now = services.clock.now();
    await insertOneTimeToken(trx, {
      tokenHash: hashToken(token),
      purpose: 'setup',
      subjectId: 'first-admin',
      now,
      expiresAt: now + SETUP_TOKEN_TTL_MS,
    });
    return token;
  });
}

export interface NewAdmin {
  readonly email: string;
  readonly displayName: string;
  readonly password: string;
}

/** Creates an active Secretariat admin. Shared by the setup link and `enlets admin create`. */
export async function createSecretariatAdmin(
  services: Services,
  admin: NewAdmin,
  via: 'setup' | 'cli',
  actorId: UserId | null = null,
): Promise<UserId> {
  checkPasswordPolicy(admin.password, admin.email, admin.displayName);
  const passwordHash = await services.passwords.hash(admin.password);
  return inTransaction(services, async (trx) => {
    if (await findUserByEmail(trx, admin.email)) {
      throw new DomainError('CONFLICT', 'an account with this e-mail address exists', {
        reason: 'email_taken',
      });
    }
    const id = newId<UserId>();
    const now = services.clock.now();
    await insertUser(trx, {
      id,
      email: admin.email,
      displayName: admin.displayName,
      countryCode: null,
      agencyId: null,
      position: 'Secretariat',
      status: 'active',
      passwordHash,
      now,
    });
    await grantRole(trx, id, { role: 'secretariat_admin', scope: '' }, actorId, now);
    await appendAudit(services, trx, {
      actorId: actorId ?? id,
      action: via === 'setup' ? 'setup.completed' : 'admin.created',
      targetType: 'user',
      targetId: id,
      details: { via },
    });
    return id;
  });
}

/** Redeems the setup link: only while no account exists, and only once. */
export async function completeSetup(services: Services, token: string, admin: NewAdmin): Promise<UserId> {
  checkPasswordPolicy(admin.password, admin.email, admin.displayName);
  const ok = await inTransaction(services, async (trx) => {
    if ((await countUsers(trx)) > 0)
      throw new DomainError('SETUP_ALREADY_DONE', 'the first administrator exists already');
    return (await consumeOneTimeToken(trx, hashToken(token), 'setup', services.clock.now())) !== undefined;
  });
  if (!ok) throw new DomainError('TOKEN_INVALID', 'the setup link is unknown, expired or used');
  return createSecretariatAdmin(services, admin, 'setup');
}
