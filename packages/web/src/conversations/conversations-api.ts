import type { EnletsHttpClient } from '@enlets/client';
import type {
  AssignableMemberRole,
  ChannelDetails,
  ChannelDirectoryResponse,
  ChannelJoinRequestsResponse,
  ChannelScopeKind,
  ConversationDetail,
  ConversationKind,
  CreateChannelRequest,
  CreateConversationResponse,
  HistoryForNewcomers,
  JoinChannelResponse,
  MemberListResponse,
  TlpLevel,
  UpdateMyMembershipRequest,
} from '@enlets/protocol';

/**
 * The REST calls of the conversation screens. None carries message content, so they go from the page with the
 * session cookie (ADR 0014); what needs keys (sharing history) goes through the secure worker instead.
 */

/** A member as the directory lists them (no e-mail addresses). */
export type DirectoryMember = MemberListResponse['members'][number];

const path = (...parts: readonly string[]): string => parts.map(encodeURIComponent).join('/');

/** Members of the directory whose display name contains `query` (any case), the caller left out. */
export async function searchMembers(
  http: EnletsHttpClient,
  query: string,
  ownUserId: string,
): Promise<readonly DirectoryMember[]> {
  const params = new URLSearchParams({ q: query, limit: '20' });
  const { members } = await http.get<MemberListResponse>(`/members?${params.toString()}`);
  return members.filter((m) => m.id !== ownUserId);
}

/** The 1:1 conversation with `userId`: the existing one, or a new one. */
export async function openDirect(http: EnletsHttpClient, userId: string): Promise<string> {
  const created = await http.post<CreateConversationResponse>('/conversations', { kind: 'direct', userId });
  return created.conversation.id;
}

export async function createGroup(
  http: EnletsHttpClient,
  group: { readonly name: string; readonly tlp: TlpLevel; readonly memberIds: readonly string[] },
): Promise<string> {
  const created = await http.post<CreateConversationResponse>('/conversations', {
    kind: 'group',
    name: group.name,
    tlp: group.tlp,
    memberIds: group.memberIds,
  });
  return created.conversation.id;
}

export interface DirectoryPage {
  readonly channels: ChannelDirectoryResponse['channels'];
  readonly nextCursor: string | null;
}

/** A page of the channel directory: listed channels, and those the caller is in. */
export function listChannels(
  http: EnletsHttpClient,
  filter: { readonly q?: string; readonly scopeKind?: ChannelScopeKind; readonly cursor?: string },
): Promise<DirectoryPage> {
  const params = new URLSearchParams({ limit: '50' });
  if (filter.q !== undefined && filter.q !== '') params.set('q', filter.q);
  if (filter.scopeKind !== undefined) params.set('scopeKind', filter.scopeKind);
  if (filter.cursor !== undefined) params.set('cursor', filter.cursor);
  return http.get<ChannelDirectoryResponse>(`/channels?${params.toString()}`);
}

/** Joins an open or password channel (`joined`), or asks to join a closed one (`requested`). */
export function joinChannel(
  http: EnletsHttpClient,
  channelId: string,
  password?: string,
): Promise<JoinChannelResponse> {
  return http.post<JoinChannelResponse>(
    `/${path('channels', channelId, 'join')}`,
    password === undefined ? {} : { password },
  );
}

export function createChannel(
  http: EnletsHttpClient,
  request: CreateChannelRequest,
): Promise<ChannelDetails> {
  return http.post<ChannelDetails>('/channels', request);
}

export function conversationDetail(
  http: EnletsHttpClient,
  conversationId: string,
): Promise<ConversationDetail> {
  return http.get<ConversationDetail>(`/${path('conversations', conversationId)}`);
}

export function channelDetails(http: EnletsHttpClient, channelId: string): Promise<ChannelDetails> {
  return http.get<ChannelDetails>(`/${path('channels', channelId)}`);
}

/**
 * Membership changes go to the channel routes for channels (their own rules: invitations, ranks) and to the
 * conversation routes for groups.
 */
const base = (kind: ConversationKind, id: string): string =>
  kind === 'channel' ? `/${path('channels', id)}` : `/${path('conversations', id)}`;

export async function addMembers(
  http: EnletsHttpClient,
  kind: ConversationKind,
  conversationId: string,
  userIds: readonly string[],
): Promise<void> {
  await http.post(`${base(kind, conversationId)}/members`, { userIds });
}

export async function removeMember(
  http: EnletsHttpClient,
  kind: ConversationKind,
  conversationId: string,
  userId: string,
): Promise<void> {
  await http.post(`${base(kind, conversationId)}/${path('members', userId, 'remove')}`);
}

export async function setMemberRole(
  http: EnletsHttpClient,
  kind: ConversationKind,
  conversationId: string,
  userId: string,
  role: AssignableMemberRole,
): Promise<void> {
  await http.post(`${base(kind, conversationId)}/${path('members', userId, 'role')}`, { role });
}

export async function leave(
  http: EnletsHttpClient,
  kind: ConversationKind,
  conversationId: string,
): Promise<void> {
  await http.post(`${base(kind, conversationId)}/leave`);
}

export async function joinRequests(
  http: EnletsHttpClient,
  channelId: string,
): Promise<ChannelJoinRequestsResponse['requests']> {
  return (await http.get<ChannelJoinRequestsResponse>(`/${path('channels', channelId, 'requests')}`))
    .requests;
}

export async function decideJoinRequest(
  http: EnletsHttpClient,
  channelId: string,
  userId: string,
  approve: boolean,
): Promise<void> {
  await http.post(`/${path('channels', channelId, 'requests', userId, approve ? 'approve' : 'reject')}`);
}

export async function setHistoryForNewcomers(
  http: EnletsHttpClient,
  conversationId: string,
  value: HistoryForNewcomers,
): Promise<void> {
  await http.put(`/${path('conversations', conversationId, 'history-for-newcomers')}`, {
    historyForNewcomers: value,
  });
}

/** The caller's own flags (mute, favourite, archive): for them only. */
export async function updateMyFlags(
  http: EnletsHttpClient,
  conversationId: string,
  flags: UpdateMyMembershipRequest,
): Promise<void> {
  await http.patch(`/${path('conversations', conversationId, 'me')}`, flags);
}
