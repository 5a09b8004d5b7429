import type { Application, ApplicationListQuery, ApplicationStatus } from '@enlets/protocol';
import { listApplications, type ApplicationRecord } from '../../storage/repositories/applications.js';
import { accessApplicationById, vettingCountries } from '../access/applications.js';
import type { Actor } from '../actor.js';
import type { Services } from '../services.js';

/** Without a status filter the list shows verified applications only: unverified ones may be typos or spam. */
const DEFAULT_STATUSES: readonly ApplicationStatus[] = ['pending', 'approved', 'rejected'];

export function applicationView(a: ApplicationRecord): Application {
  return {
    id: a.id,
    email: a.email,
    displayName: a.displayName,
    countryCode: a.countryCode,
    agencyId: a.agencyId,
    agencyName: a.agencyName,
    position: a.position,
    justification: a.justification,
    status: a.status,
    createdAt: a.createdAt,
    verifiedAt: a.verifiedAt,
    decidedAt: a.decidedAt,
    decidedBy: a.decidedBy,
    decisionReason: a.decisionReason,
    userId: a.userId,
  };
}

/** The applications the actor vets (their countries for an NCP, all for a Secretariat admin), newest first. */
export async function listApplicationsFor(
  services: Services,
  actor: Actor,
  query: ApplicationListQuery,
): Promise<readonly Application[]> {
  const scope = vettingCountries(actor);
  let countryCodes: readonly string[] | undefined = scope;
  if (query.countryCode !== undefined) {
    countryCodes =
      scope === undefined || scope.includes(query.countryCode) ? [query.countryCode] : ([] as const);
  }
  const records = await listApplications(services.db, {
    statuses: query.status === undefined ? DEFAULT_STATUSES : [query.status],
    ...(countryCodes === undefined ? {} : { countryCodes }),
  });
  return records.map(applicationView);
}

export async function getApplicationFor(services: Services, actor: Actor, id: string): Promise<Application> {
  return applicationView(await accessApplicationById(services.db, actor, id));
}
