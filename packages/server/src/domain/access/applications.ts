import type { Db } from '../../storage/repositories/users.js';
import { findApplication, type ApplicationRecord } from '../../storage/repositories/applications.js';
import type { Actor } from '../actor.js';
import { notFound } from '../errors.js';
import { isSecretariatAdmin, ncpCountries } from '../policy.js';

/** The countries whose applications the actor vets; undefined means every country (Secretariat admin). */
export function vettingCountries(actor: Actor): readonly string[] | undefined {
  return isSecretariatAdmin(actor) ? undefined : ncpCountries(actor);
}

/**
 * An application the actor may see and decide: every one for a Secretariat admin, those of their own
 * countries for an NCP. Anything else answers NOT_FOUND, exactly like an unknown id.
 */
export async function accessApplicationById(db: Db, actor: Actor, id: string): Promise<ApplicationRecord> {
  const application = await findApplication(db, id);
  if (application === undefined) throw notFound('application');
  const countries = vettingCountries(actor);
  if (countries !== undefined && !countries.includes(application.countryCode)) throw notFound('application');
  return application;
}
