import type { AgencyId, Application, ApplicationId, ApplyRequest, UserId } from '@enlets/protocol';
import { DAY_MS } from '../../lib/clock.js';
import { hashToken, newId, newToken } from '../../lib/secrets.js';
import {
  countryExists,
  findAgency,
  findAgencyByName,
  insertAgencyIfAbsent,
} from '../../storage/repositories/agencies.js';
import {
  decideApplication,
  findApplication,
  insertApplication,
  markApplicationVerified,
  setApplicationUser,
  type ApplicationRecord,
} from '../../storage/repositories/applications.js';
import { consumeOneTimeToken, insertOneTimeToken } from '../../storage/repositories/one-time-tokens.js';
import {
  findUserByEmail,
  grantRole,
  insertUser,
  listUsersWithRole,
  normalizeEmail,
} from '../../storage/repositories/users.js';
import { accessApplicationById } from '../access/applications.js';
import type { Actor } from '../actor.js';
import { appendAudit } from '../audit.js';
import { DomainError } from '../errors.js';
import { publicLink, queueMail } from '../mail.js';
import { applicationView } from '../queries/applications.js';
import { inTransaction, type Services, type Trx } from '../services.js';

const VERIFICATION_TTL_MS = 2 * DAY_MS;
const INVITATION_TTL_MS = 7 * DAY_MS;

/** The agency an application names: a listed one by id, or a name that may match a listed one. */
async function resolveAgency(
  trx: Trx,
  input: ApplyRequest,
): Promise<{ agencyId: string | null; agencyName: string | null }> {
  if (input.agencyId !== undefined && input.agencyName !== undefined) {
    throw new DomainError('VALIDATION_FAILED', 'give agencyId or agencyName, not both', {
      issues: [{ path: '/agencyName', message: 'not allowed together with agencyId' }],
    });
  }
  if (input.agencyId !== undefined) {
    const agency = await findAgency(trx, input.agencyId);
    if (agency?.countryCode !== input.countryCode)
      throw new DomainError('UNKNOWN_AGENCY', 'no such agency in this country');
    return { agencyId: agency.id, agencyName: null };
  }
  if (input.agencyName !== undefined) {
    const name = input.agencyName.trim();
    const listed = await findAgencyByName(trx, input.countryCode, name);
    return { agencyId: listed?.id ?? null, agencyName: listed === undefined ? name : null };
  }
  return { agencyId: null, agencyName: null };
}

/**
 * A membership application from the public form. The caller always answers 202 {accepted: true}: whether the
 * address has an account shows only in the mailbox ("you already have an account"), never in the response.
 */
export async function applyForMembership(services: Services, input: ApplyRequest): Promise<void> {
  const email = normalizeEmail(input.email);
  await inTransaction(services, async (trx, afterCommit) => {
    if (!(await countryExists(trx, input.countryCode)))
      throw new DomainError('UNKNOWN_COUNTRY', 'no such network country');
    const agency = await resolveAgency(trx, input);
    const existing = await findUserByEmail(trx, email);
    if (existing !== undefined) {
      await queueMail(services, trx, afterCommit, {
        to: email,
        kind: 'application_account_exists',
        subject: 'Your ENLETS Messenger application',
        text: [
          'Hello,',
          '',
          'someone (probably you) applied for ENLETS membership with this e-mail address, but it already has an',
          'account on the ENLETS Messenger. Sign in instead, or reset your password if you have forgotten it.',
          '',
          'If you did not apply, you can ignore this mail.',
        ].join('\n'),
      });
      return;
    }
    const id = newId<ApplicationId>();
    const now = services.clock.now();
    await insertApplication(trx, {
      id,
      email,
      displayName: input.displayName.trim(),
      countryCode: input.countryCode,
      ...agency,
      position: input.position.trim(),
      justification: input.justification.trim(),
      now,
    });
    const token = newToken();
    await insertOneTimeToken(trx, {
      tokenHash: hashToken(token),
      purpose: 'email_verification',
      subjectId: id,
      now,
      expiresAt: now + VERIFICATION_TTL_MS,
    });
    await queueMail(services, trx, afterCommit, {
      to: email,
      kind: 'application_verification',
      subject: 'Confirm your e-mail address for your ENLETS application',
      text: [
        `Hello ${input.displayName},`,
        '',
        'thank you for applying for ENLETS membership. Please confirm your e-mail address within 48 hours:',
        '',
        publicLink(services, '/apply/verify', token),
        '',
        'Once confirmed, the National Contact Point of your country will review your application.',
        'If you did not apply, ignore this mail and nothing will happen.',
      ].join('\n'),
    });
  });
}

/** Who vets an application: the NCPs of its country, or the Secretariat admins when the country has none. */
async function vetters(trx: Trx, countryCode: string): Promise<readonly { email: string; name: string }[]> {
  let users = await listUsersWithRole(trx, 'ncp', countryCode);
  if (users.length === 0) users = await listUsersWithRole(trx, 'secretariat_admin', '');
  return users.map((u) => ({ email: u.email, name: u.displayName }));
}

/** The link in the verification mail: the application becomes pending and its vetters are told. */
export async function verifyApplication(services: Services, token: string): Promise<void> {
  await inTransaction(services, async (trx, afterCommit) => {
    const now = services.clock.now();
    const id = await consumeOneTimeToken(trx, hashToken(token), 'email_verification', now);
    const application = id === undefined ? undefined : await findApplication(trx, id);
    if (application === undefined || !(await markApplicationVerified(trx, application.id, now)))
      throw new DomainError('TOKEN_INVALID', 'the link is unknown, expired or used');
    for (const vetter of await vetters(trx, application.countryCode)) {
      await queueMail(services, trx, afterCommit, {
        to: vetter.email,
        kind: 'application_new',
        subject: `New ENLETS membership application to vet (${application.countryCode})`,
        text: [
          `Hello ${vetter.name},`,
          '',
          `${application.displayName} (${application.position}) has applied for ENLETS membership in ${application.countryCode}.`,
          'Please review the application and approve or reject it:',
          '',
          `${services.config.publicUrl}/vetting/applications/${application.id}`,
        ].join('\n'),
      });
    }
  });
}

/** The application as the vetter may decide it: in scope (else NOT_FOUND), not their own. */
async function decidable(trx: Trx, actor: Actor, id: string): Promise<ApplicationRecord> {
  const application = await accessApplicationById(trx, actor, id);
  if (normalizeEmail(application.email) === normalizeEmail(actor.user.email))
    throw new DomainError('CONFLICT_SELF_VETTING', 'nobody may decide their own application');
  return application;
}

function notPending(): DomainError {
  return new DomainError('APPLICATION_NOT_PENDING', 'the application is not pending');
}

async function reread(trx: Trx, id: string): Promise<Application> {
  const application = await findApplication(trx, id);
  if (application === undefined) throw new Error(`application ${id} vanished inside its own transaction`);
  return applicationView(application);
}

/**
 * Approves a pending application (an NCP of its country or a Secretariat admin): creates the invited account
 * with the lea_member role, and e-mails the invitation link that activates it. Of two vetters deciding at
 * once exactly one wins; the other gets APPLICATION_NOT_PENDING.
 */
export async function approveApplication(
  services: Services,
  actor: Actor,
  id: string,
  note: string | undefined,
): Promise<Application> {
  return inTransaction(services, async (trx, afterCommit) => {
    const application = await decidable(trx, actor, id);
    const now = services.clock.now();
    const decided = await decideApplication(trx, application.id, {
      status: 'approved',
      decidedBy: actor.user.id,
      reason: note ?? null,
      now,
    });
    if (!decided) throw notPending();
    if (await findUserByEmail(trx, application.email))
      throw new DomainError('CONFLICT', 'an account with this e-mail address exists already', {
        reason: 'email_taken',
      });
    let agencyId: string | null = application.agencyId;
    if (agencyId === null && application.agencyName !== null) {
      await insertAgencyIfAbsent(trx, {
        id: newId<AgencyId>(),
        countryCode: application.countryCode,
        name: application.agencyName,
        now,
      });
      agencyId = (await findAgencyByName(trx, application.countryCode, application.agencyName))?.id ?? null;
    }
    const userId = newId<UserId>();
    await insertUser(trx, {
      id: userId,
      email: application.email,
      displayName: application.displayName,
      countryCode: application.countryCode,
      agencyId,
      position: application.position,
      status: 'invited',
      passwordHash: null,
      now,
    });
    await grantRole(trx, userId, { role: 'lea_member', scope: '' }, actor.user.id, now);
    await setApplicationUser(trx, application.id, userId, agencyId);
    const token = newToken();
    await insertOneTimeToken(trx, {
      tokenHash: hashToken(token),
      purpose: 'invitation',
      subjectId: userId,
      now,
      expiresAt: now + INVITATION_TTL_MS,
    });
    await appendAudit(services, trx, {
      actorId: actor.user.id,
      action: 'application.approved',
      targetType: 'application',
      targetId: application.id,
      details: { countryCode: application.countryCode, userId },
    });
    await queueMail(services, trx, afterCommit, {
      to: application.email,
      kind: 'invitation',
      subject: 'Welcome to ENLETS: your invitation to the ENLETS Messenger',
      text: [
        `Hello ${application.displayName},`,
        '',
        'your ENLETS membership application has been approved, and you are automatically invited to the',
        'ENLETS Messenger. Activate your account and choose your password within 7 days:',
        '',
        publicLink(services, '/activate', token),
      ].join('\n'),
    });
    return reread(trx, application.id);
  });
}

/** Rejects a pending application with a reason, which is e-mailed to the applicant. */
export async function rejectApplication(
  services: Services,
  actor: Actor,
  id: string,
  reason: string,
): Promise<Application> {
  return inTransaction(services, async (trx, afterCommit) => {
    const application = await decidable(trx, actor, id);
    const decided = await decideApplication(trx, application.id, {
      status: 'rejected',
      decidedBy: actor.user.id,
      reason,
      now: services.clock.now(),
    });
    if (!decided) throw notPending();
    await appendAudit(services, trx, {
      actorId: actor.user.id,
      action: 'application.rejected',
      targetType: 'application',
      targetId: application.id,
      details: { countryCode: application.countryCode, reason },
    });
    await queueMail(services, trx, afterCommit, {
      to: application.email,
      kind: 'application_rejected',
      subject: 'Your ENLETS membership application',
      text: [
        `Hello ${application.displayName},`,
        '',
        'we are sorry: your application for ENLETS membership has not been approved.',
        '',
        `Reason: ${reason}`,
        '',
        'If you have questions, contact the National Contact Point of your country.',
      ].join('\n'),
    });
    return reread(trx, application.id);
  });
}
