import type { Agency, AgencyId, CreateAgencyRequest } from '@enlets/protocol';
import { newId } from '../../lib/secrets.js';
import { countryExists, insertAgencyIfAbsent } from '../../storage/repositories/agencies.js';
import type { Actor } from '../actor.js';
import { appendAudit } from '../audit.js';
import { DomainError, forbidden } from '../errors.js';
import { isSecretariatAdmin, ncpCountries } from '../policy.js';
import { inTransaction, type Services } from '../services.js';

/**
 * Adds an agency to a country. A Secretariat admin may add one anywhere, an NCP only in their own countries:
 * another country is FORBIDDEN (not NOT_FOUND), since the list of countries is public and there is nothing
 * to hide. A name that exists in the country already is a CONFLICT.
 */
export async function createAgency(
  services: Services,
  actor: Actor,
  input: CreateAgencyRequest,
): Promise<Agency> {
  const name = input.name.trim();
  return inTransaction(services, async (trx) => {
    if (!(await countryExists(trx, input.countryCode)))
      throw new DomainError('UNKNOWN_COUNTRY', 'no such network country');
    if (!isSecretariatAdmin(actor) && !ncpCountries(actor).includes(input.countryCode))
      throw forbidden('agencies.manage');
    const id = newId<AgencyId>();
    const inserted = await insertAgencyIfAbsent(trx, {
      id,
      countryCode: input.countryCode,
      name,
      now: services.clock.now(),
    });
    if (!inserted)
      throw new DomainError('CONFLICT', 'an agency of this name exists in the country', {
        reason: 'agency_exists',
      });
    await appendAudit(services, trx, {
      actorId: actor.user.id,
      action: 'agency.created',
      targetType: 'agency',
      targetId: id,
      details: { countryCode: input.countryCode, name },
    });
    return { id, countryCode: input.countryCode, name };
  });
}
