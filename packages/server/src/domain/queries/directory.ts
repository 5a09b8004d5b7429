import type {
  Agency,
  CountryDetail,
  Country,
  MemberDetail,
  MemberListQuery,
  MemberListResponse,
  MemberSummary,
} from '@enlets/protocol';
import { listAgencies, type AgencyRecord } from '../../storage/repositories/agencies.js';
import { findCountry, listCountries } from '../../storage/repositories/countries.js';
import { listMembersPage } from '../../storage/repositories/members.js';
import {
  listRolesOfUsers,
  listUsersWithRole,
  type RoleGrantRecord,
  type UserRecord,
} from '../../storage/repositories/users.js';
import { accessMemberById, memberListScope, type MemberListScope } from '../access/members.js';
import type { Actor } from '../actor.js';
import { DomainError, notFound } from '../errors.js';
import { isSecretariatAdmin } from '../policy.js';
import type { Services } from '../services.js';

const DEFAULT_PAGE = 50;

export function agencyView(a: AgencyRecord): Agency {
  return { id: a.id, countryCode: a.countryCode, name: a.name };
}

/** A member as every directory reader may see them: never the e-mail address. */
export function userSummary(user: UserRecord, roles: readonly RoleGrantRecord[]): MemberSummary {
  return {
    id: user.id,
    displayName: user.displayName,
    countryCode: user.countryCode,
    agencyId: user.agencyId,
    status: user.status,
    roles: roles.map((g) => (g.scope === '' ? { role: g.role } : { role: g.role, scope: g.scope })),
  };
}

/** One member; the e-mail address and status reason only for a Secretariat admin. */
export function memberDetail(
  actor: Actor,
  user: UserRecord,
  roles: readonly RoleGrantRecord[],
): MemberDetail {
  const base = { ...userSummary(user, roles), position: user.position, createdAt: user.createdAt };
  return isSecretariatAdmin(actor) ? { ...base, email: user.email, statusReason: user.statusReason } : base;
}

export async function listCountriesView(services: Services): Promise<readonly Country[]> {
  return listCountries(services.db);
}

export async function getCountryDetail(services: Services, code: string): Promise<CountryDetail> {
  const country = await findCountry(services.db, code);
  if (country === undefined) throw notFound('country');
  const [ncps, agencies] = await Promise.all([
    listUsersWithRole(services.db, 'ncp', code),
    listAgencies(services.db, code),
  ]);
  return {
    ...country,
    ncps: ncps.map((u) => ({ id: u.id, displayName: u.displayName })),
    agencies: agencies.map(agencyView),
  };
}

export async function listAgenciesView(services: Services, countryCode?: string): Promise<readonly Agency[]> {
  return (await listAgencies(services.db, countryCode)).map(agencyView);
}

async function summaries(services: Services, users: readonly UserRecord[]): Promise<MemberSummary[]> {
  const roles = await listRolesOfUsers(
    services.db,
    users.map((u) => u.id),
  );
  return users.map((u) => userSummary(u, roles.get(u.id) ?? []));
}

/** The Core Group: active holders of the core_group role. */
export async function listCoreGroup(services: Services): Promise<readonly MemberSummary[]> {
  return summaries(services, await listUsersWithRole(services.db, 'core_group', ''));
}

function encodeCursor(user: UserRecord): string {
  return Buffer.from(JSON.stringify([user.displayName, user.id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { displayName: string; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string')
      return { displayName: value[0], id: value[1] };
  } catch {
    // falls through to the validation error
  }
  throw new DomainError('VALIDATION_FAILED', 'the cursor is not one this server gave out', {
    issues: [{ path: '/cursor', message: 'unknown cursor' }],
  });
}

/**
 * The countries to list: the scope narrowed by the `countryCode` filter. An empty list means nobody (a filter
 * outside an NCP's countries finds no one rather than failing, like a filter that matches no one).
 */
function countriesToList(
  scope: MemberListScope,
  countryCode: string | undefined,
): readonly string[] | undefined {
  if (scope.every) return countryCode === undefined ? undefined : [countryCode];
  if (countryCode === undefined) return scope.countries;
  return scope.countries.includes(countryCode) ? [countryCode] : [];
}

/**
 * The member directory by display name, a page at a time: active members for every reader; invited or
 * suspended ones for moderators, within their scope (see `memberListScope`).
 */
export async function listMembers(
  services: Services,
  actor: Actor,
  query: MemberListQuery,
): Promise<MemberListResponse> {
  const status = query.status ?? 'active';
  const countries = countriesToList(memberListScope(actor, status), query.countryCode);
  const limit = query.limit ?? DEFAULT_PAGE;
  const users = await listMembersPage(services.db, {
    status,
    limit: limit + 1,
    ...(countries === undefined ? {} : { countryCodes: countries }),
    ...(query.q === undefined ? {} : { q: query.q }),
    ...(query.cursor === undefined ? {} : { after: decodeCursor(query.cursor) }),
  });
  const page = users.slice(0, limit);
  const last = page.at(-1);
  return {
    members: await summaries(services, page),
    nextCursor: users.length > limit && last !== undefined ? encodeCursor(last) : null,
  };
}

export async function getMember(services: Services, actor: Actor, id: string): Promise<MemberDetail> {
  const { user, roles } = await accessMemberById(services.db, actor, id);
  return memberDetail(actor, user, roles);
}
