import {
  Accepted,
  AddMembersRequest,
  ConversationDetail,
  ConversationIdSchema,
  ConversationListQuery,
  ConversationListResponse,
  ConversationMemberParams,
  ConversationSummary,
  CreateConversationRequest,
  CreateConversationResponse,
  MarkReadRequest,
  ReadReceiptsSetting,
  ReceiptsQuery,
  ReceiptsResponse,
  SetConversationRoleRequest,
  StrictObject,
  UpdateConversationRequest,
  UpdateMyMembershipRequest,
} from '@enlets/protocol';
import {
  addConversationMembers,
  leaveConversation,
  markRead,
  openConversation,
  removeConversationMember,
  setConversationMemberRole,
  setReadReceipts,
  updateConversationSettings,
  updateMyMembership,
} from '../../domain/actions/conversations.js';
import {
  getConversationDetail,
  getConversationSummary,
  listConversations,
  listReceipts,
} from '../../domain/queries/conversations.js';
import type { Services } from '../../domain/services.js';
import { actorOf, type App } from '../types.js';

const ConversationParams = StrictObject({ id: ConversationIdSchema });
const tags = ['conversations'];

/** 1:1 and group conversations: the list, settings, membership, per-member flags, reads and read receipts. */
export function conversationRoutes(app: App, services: Services): void {
  app.post(
    '/conversations',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Open the 1:1 conversation with someone (found or created), or create a group',
        body: CreateConversationRequest,
        response: { 200: CreateConversationResponse },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { conversationId, created } = await openConversation(services, actor, request.body);
      return { created, conversation: await getConversationDetail(services, actor, conversationId) };
    },
  );

  app.get(
    '/conversations',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Your conversations with unread and mention counts, most recent activity first',
        querystring: ConversationListQuery,
        response: { 200: ConversationListResponse },
      },
    },
    async (request) => ({
      conversations: [...(await listConversations(services, actorOf(request), request.query))],
    }),
  );

  app.get(
    '/conversations/:id',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'A conversation with its settings and members',
        params: ConversationParams,
        response: { 200: ConversationDetail },
      },
    },
    (request) => getConversationDetail(services, actorOf(request), request.params.id),
  );

  app.patch(
    '/conversations/:id',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Change the name, description, marking (raise only) or message timer',
        params: ConversationParams,
        body: UpdateConversationRequest,
        response: { 200: ConversationDetail },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      await updateConversationSettings(services, actor, request.params.id, request.body);
      return getConversationDetail(services, actor, request.params.id);
    },
  );

  app.post(
    '/conversations/:id/members',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Add people to a group (they see only what follows)',
        params: ConversationParams,
        body: AddMembersRequest,
        response: { 200: ConversationDetail },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      await addConversationMembers(services, actor, request.params.id, request.body.userIds);
      return getConversationDetail(services, actor, request.params.id);
    },
  );

  app.post(
    '/conversations/:id/members/:userId/remove',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Remove a member (owner and managers)',
        params: ConversationMemberParams,
        response: { 200: ConversationDetail },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      await removeConversationMember(services, actor, request.params.id, request.params.userId);
      return getConversationDetail(services, actor, request.params.id);
    },
  );

  app.post(
    '/conversations/:id/members/:userId/role',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Make a member a manager, a moderator or a plain member (owner and managers)',
        params: ConversationMemberParams,
        body: SetConversationRoleRequest,
        response: { 200: ConversationDetail },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      await setConversationMemberRole(
        services,
        actor,
        request.params.id,
        request.params.userId,
        request.body.role,
      );
      return getConversationDetail(services, actor, request.params.id);
    },
  );

  app.post(
    '/conversations/:id/leave',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Leave a group (1:1 conversations are archived instead)',
        params: ConversationParams,
        response: { 200: Accepted },
      },
    },
    async (request) => {
      await leaveConversation(services, actorOf(request), request.params.id);
      return { accepted: true as const };
    },
  );

  app.patch(
    '/conversations/:id/me',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Mute, favourite, archive or mark unread, for you only',
        params: ConversationParams,
        body: UpdateMyMembershipRequest,
        response: { 200: ConversationSummary },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      await updateMyMembership(services, actor, request.params.id, request.body);
      return getConversationSummary(services, actor, request.params.id);
    },
  );

  app.post(
    '/conversations/:id/read',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Mark read up to a seq (forward only); every device sees the new counts',
        params: ConversationParams,
        body: MarkReadRequest,
        response: { 200: ConversationSummary },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      await markRead(services, actor, request.params.id, request.body.seq);
      return getConversationSummary(services, actor, request.params.id);
    },
  );

  app.get(
    '/conversations/:id/receipts',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: '"Seen by": members who share read receipts and read up to seq',
        params: ConversationParams,
        querystring: ReceiptsQuery,
        response: { 200: ReceiptsResponse },
      },
    },
    (request) => listReceipts(services, actorOf(request), request.params.id, request.query.seq),
  );

  app.put(
    '/me/read-receipts',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['me'],
        summary: 'Share read receipts (on by default); off, you neither show nor see them',
        body: ReadReceiptsSetting,
        response: { 200: ReadReceiptsSetting },
      },
    },
    async (request) => {
      await setReadReceipts(services, actorOf(request), request.body.enabled);
      return { enabled: request.body.enabled };
    },
  );
}
