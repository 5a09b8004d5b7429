import type { EnletsHttpClient, MeResponse } from '@enlets/client';
import type {
  ActivationInfoResponse,
  ActivationRequest,
  ActivationResponse,
  Agency,
  AgencyListResponse,
  Application,
  ApplicationListResponse,
  ApplicationResponse,
  ApplyRequest,
  Country,
  CountryListResponse,
  SetupRequest,
  SetupStatusResponse,
} from '@enlets/protocol';

/**
 * The membership calls of the API (packages/server/src/http/routes/{setup,applications,activation}.ts), typed
 * with the protocol's schemas. The public ones need no session; vetting rides on the session cookie.
 */

export function listCountries(http: EnletsHttpClient): Promise<readonly Country[]> {
  return http.get<CountryListResponse>('/countries').then((r) => r.countries);
}

export function listAgencies(http: EnletsHttpClient, countryCode?: string): Promise<readonly Agency[]> {
  const query = countryCode === undefined ? '' : `?countryCode=${encodeURIComponent(countryCode)}`;
  return http.get<AgencyListResponse>(`/agencies${query}`).then((r) => r.agencies);
}

/** Always accepted (202) for a well-formed form: whether the address is known shows only in the mailbox. */
export async function applyForMembership(http: EnletsHttpClient, request: ApplyRequest): Promise<void> {
  await http.post('/applications', request);
}

export async function verifyApplicationEmail(http: EnletsHttpClient, token: string): Promise<void> {
  await http.post('/applications/verify', { token });
}

export function describeInvitation(http: EnletsHttpClient, token: string): Promise<ActivationInfoResponse> {
  return http.get<ActivationInfoResponse>(`/activation/${encodeURIComponent(token)}`);
}

export interface Activated {
  readonly user: MeResponse;
  /** Shown once, when a second factor was enrolled. */
  readonly recoveryCodes: readonly string[];
}

/** Redeems the invitation and signs in with a cookie session. */
export async function activate(
  http: EnletsHttpClient,
  request: Omit<ActivationRequest, 'session'>,
): Promise<Activated> {
  const response = await http.post<ActivationResponse>('/activation', { ...request, session: 'cookie' });
  return { user: response.user, recoveryCodes: response.recoveryCodes ?? [] };
}

export function setupStatus(http: EnletsHttpClient): Promise<SetupStatusResponse> {
  return http.get<SetupStatusResponse>('/setup');
}

export async function createFirstAdmin(http: EnletsHttpClient, request: SetupRequest): Promise<void> {
  await http.post('/setup', request);
}

export type ApplicationFilter = 'pending' | 'approved' | 'rejected' | 'all';

export function listApplications(
  http: EnletsHttpClient,
  filter: ApplicationFilter,
): Promise<readonly Application[]> {
  const query = filter === 'all' ? '' : `?status=${filter}`;
  return http.get<ApplicationListResponse>(`/applications${query}`).then((r) => r.applications);
}

export function getApplication(http: EnletsHttpClient, id: string): Promise<Application> {
  return http.get<ApplicationResponse>(`/applications/${encodeURIComponent(id)}`).then((r) => r.application);
}

export function approveApplication(http: EnletsHttpClient, id: string, note: string): Promise<Application> {
  const body = note.trim() === '' ? {} : { note: note.trim() };
  return http
    .post<ApplicationResponse>(`/applications/${encodeURIComponent(id)}/approve`, body)
    .then((r) => r.application);
}

export function rejectApplication(http: EnletsHttpClient, id: string, reason: string): Promise<Application> {
  return http
    .post<ApplicationResponse>(`/applications/${encodeURIComponent(id)}/reject`, { reason: reason.trim() })
    .then((r) => r.application);
}

/** Whether the account may open the vetting queue (the server's `applications.vet` policy). */
export function canVet(user: MeResponse): boolean {
  return user.roles.some((grant) => grant.role === 'ncp' || grant.role === 'secretariat_admin');
}
