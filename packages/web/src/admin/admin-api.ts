import { EnletsApiError, type EnletsHttpClient } from '@enlets/client';
import type {
  Application,
  ApplicationListResponse,
  AuditListResponse,
  AuditVerifyResponse,
  MailListResponse,
  MailStatus,
  MemberDetail,
  MemberListResponse,
  MemberListStatus,
  MemberResponse,
  MemberSummary,
  Role,
} from '@enlets/protocol';

/**
 * The console's calls (packages/server/src/http/routes/{members,admin,applications}.ts), typed with the
 * protocol's schemas, on the session cookie. The SDK has no methods for them, so these go through its generic
 * request methods.
 */

export interface MemberQuery {
  /** Part of the display name. */
  readonly q: string;
  /** A country code, or '' for every country. */
  readonly countryCode: string;
  /** Active members (the directory), or suspended or invited ones (moderators only: the server scopes them). */
  readonly status: MemberListStatus;
}

export interface MemberPage {
  readonly members: readonly MemberSummary[];
  readonly nextCursor: string | null;
}

export interface RoleChange {
  readonly role: Role;
  readonly scope?: string;
}

const member = (id: string): string => `/members/${encodeURIComponent(id)}`;

/** Members of a status whose display name contains `q`, a page at a time. */
export function listMembers(
  http: EnletsHttpClient,
  query: MemberQuery,
  cursor?: string,
): Promise<MemberPage> {
  const params = new URLSearchParams();
  if (query.q.trim() !== '') params.set('q', query.q.trim());
  if (query.countryCode !== '') params.set('countryCode', query.countryCode);
  if (query.status !== 'active') params.set('status', query.status);
  if (cursor !== undefined) params.set('cursor', cursor);
  const search = params.toString();
  return http.get<MemberListResponse>(search === '' ? '/members' : `/members?${search}`);
}

export function getMember(http: EnletsHttpClient, id: string): Promise<MemberDetail> {
  return http.get<MemberResponse>(member(id)).then((r) => r.member);
}

export function grantRole(http: EnletsHttpClient, id: string, change: RoleChange): Promise<MemberDetail> {
  return http.post<MemberResponse>(`${member(id)}/roles`, change).then((r) => r.member);
}

export function revokeRole(http: EnletsHttpClient, id: string, change: RoleChange): Promise<MemberDetail> {
  return http.post<MemberResponse>(`${member(id)}/roles/revoke`, change).then((r) => r.member);
}

export function suspendMember(http: EnletsHttpClient, id: string, reason: string): Promise<MemberDetail> {
  return http.post<MemberResponse>(`${member(id)}/suspend`, { reason: reason.trim() }).then((r) => r.member);
}

export function reactivateMember(http: EnletsHttpClient, id: string): Promise<MemberDetail> {
  return http.post<MemberResponse>(`${member(id)}/reactivate`).then((r) => r.member);
}

export function removeMember(http: EnletsHttpClient, id: string, reason: string): Promise<MemberDetail> {
  return http.post<MemberResponse>(`${member(id)}/remove`, { reason: reason.trim() }).then((r) => r.member);
}

/** A page of the audit log, newest first: entries older than `beforeSeq` (the newest when undefined). */
export function listAudit(
  http: EnletsHttpClient,
  beforeSeq: number | undefined,
  limit: number,
): Promise<AuditListResponse> {
  const params = new URLSearchParams({ limit: String(limit) });
  if (beforeSeq !== undefined) params.set('beforeSeq', String(beforeSeq));
  return http.get<AuditListResponse>(`/admin/audit?${params.toString()}`);
}

export function verifyAudit(http: EnletsHttpClient): Promise<AuditVerifyResponse> {
  return http.get<AuditVerifyResponse>('/admin/audit/verify');
}

export function listMail(http: EnletsHttpClient, status: MailStatus | undefined): Promise<MailListResponse> {
  return http.get<MailListResponse>(status === undefined ? '/admin/mail' : `/admin/mail?status=${status}`);
}

export async function retryMail(http: EnletsHttpClient, id: string): Promise<void> {
  await http.post(`/admin/mail/${encodeURIComponent(id)}/retry`);
}

export function listApplicationsWithStatus(
  http: EnletsHttpClient,
  status: 'pending' | 'approved' | 'rejected',
): Promise<readonly Application[]> {
  return http.get<ApplicationListResponse>(`/applications?status=${status}`).then((r) => r.applications);
}

/** A member, or undefined when the server answers NOT_FOUND (removed, or unknown). */
export async function findMember(http: EnletsHttpClient, id: string): Promise<MemberDetail | undefined> {
  try {
    return await getMember(http, id);
  } catch (error) {
    if (error instanceof EnletsApiError && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
}
