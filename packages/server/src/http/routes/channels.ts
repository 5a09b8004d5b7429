import { Type } from 'typebox';
import {
  ChannelDetails,
  ChannelDirectoryQuery,
  ChannelDirectoryResponse,
  ChannelJoinRequestsResponse,
  ChannelMembersResponse,
  ConversationIdSchema,
  CreateChannelRequest,
  Empty,
  InviteChannelMembersRequest,
  JoinChannelRequest,
  JoinChannelResponse,
  MembersAddedResponse,
  SetMemberRoleRequest,
  StrictObject,
  UpdateChannelRequest,
  UserId,
} from '@enlets/protocol';
import {
  createChannel,
  decideJoinRequest,
  inviteChannelMembers,
  joinChannel,
  leaveChannel,
  removeChannelMember,
  setChannelMemberRole,
  updateChannel,
} from '../../domain/actions/channels.js';
import {
  getChannel,
  listChannelDirectory,
  listJoinRequests,
  listMembersOfChannel,
} from '../../domain/queries/channels.js';
import type { Services } from '../../domain/services.js';
import { actorOf, type App } from '../types.js';

const ChannelParams = StrictObject({ id: ConversationIdSchema });
const ChannelUserParams = StrictObject({ id: ConversationIdSchema, userId: UserId.Schema });
const tags = ['channels'];

/**
 * Channels: create, the directory, joining by mode (open, password, request + approval), member management by
 * managers, leave, settings. Messages in channels go through the events routes.
 */
export function channelRoutes(app: App, services: Services): void {
  app.post(
    '/channels',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Open a channel (who may depends on its scope); the creator is its owner',
        body: CreateChannelRequest,
        response: { 201: ChannelDetails },
      },
    },
    async (request, reply) => {
      const channel = await createChannel(services, actorOf(request), request.body);
      return reply.status(201).send(channel);
    },
  );

  app.get(
    '/channels',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'The directory of listed channels (partner guests: only those they are in)',
        querystring: ChannelDirectoryQuery,
        response: { 200: ChannelDirectoryResponse },
      },
    },
    (request) => listChannelDirectory(services, actorOf(request), request.query),
  );

  app.get(
    '/channels/:id',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'A channel the caller is a member of, with its settings',
        params: ChannelParams,
        response: { 200: ChannelDetails },
      },
    },
    (request) => getChannel(services, actorOf(request), request.params.id),
  );

  app.patch(
    '/channels/:id',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Change a channel’s settings (managers); members see a system event',
        params: ChannelParams,
        body: UpdateChannelRequest,
        response: { 200: ChannelDetails },
      },
    },
    (request) => updateChannel(services, actorOf(request), request.params.id, request.body),
  );

  app.post(
    '/channels/:id/join',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Join an open or password channel (200), or ask to join a closed one (202)',
        params: ChannelParams,
        body: JoinChannelRequest,
        response: { 200: JoinChannelResponse, 202: JoinChannelResponse },
      },
    },
    async (request, reply) => {
      const result = await joinChannel(services, actorOf(request), request.params.id, request.body.password);
      return reply.status(result.requested ? 202 : 200).send(result);
    },
  );

  app.post(
    '/channels/:id/leave',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Leave a channel (unless it forbids leaving; managers always may)',
        params: ChannelParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await leaveChannel(services, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/channels/:id/members',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'The members of a channel and their roles (members only)',
        params: ChannelParams,
        response: { 200: ChannelMembersResponse },
      },
    },
    (request) => listMembersOfChannel(services, actorOf(request), request.params.id),
  );

  app.post(
    '/channels/:id/members',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Invite people into a channel (managers); the marking must allow each of them',
        params: ChannelParams,
        body: InviteChannelMembersRequest,
        response: { 200: MembersAddedResponse },
      },
    },
    async (request) => ({
      added: [
        ...(await inviteChannelMembers(services, actorOf(request), request.params.id, request.body.userIds)),
      ],
    }),
  );

  app.post(
    '/channels/:id/members/:userId/remove',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Remove a member (the owner anyone, managers moderators and members)',
        params: ChannelUserParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await removeChannelMember(services, actorOf(request), request.params.id, request.params.userId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/channels/:id/members/:userId/role',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Make a member a manager, moderator or plain member (owner and managers)',
        params: ChannelUserParams,
        body: SetMemberRoleRequest,
        response: { 200: Empty },
      },
    },
    async (request) => {
      await setChannelMemberRole(
        services,
        actorOf(request),
        request.params.id,
        request.params.userId,
        request.body.role,
      );
      return {};
    },
  );

  app.get(
    '/channels/:id/requests',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Requests to join a closed channel (managers)',
        params: ChannelParams,
        response: { 200: ChannelJoinRequestsResponse },
      },
    },
    (request) => listJoinRequests(services, actorOf(request), request.params.id),
  );

  for (const decision of ['approve', 'reject'] as const) {
    app.post(
      `/channels/:id/requests/:userId/${decision}`,
      {
        config: { access: 'messenger.use' },
        schema: {
          tags,
          summary:
            decision === 'approve'
              ? 'Let a requester into a closed channel (managers)'
              : 'Turn down a request to join (managers)',
          params: ChannelUserParams,
          response: { 204: Type.Null() },
        },
      },
      async (request, reply) => {
        await decideJoinRequest(
          services,
          actorOf(request),
          request.params.id,
          request.params.userId,
          decision === 'approve',
        );
        return reply.status(204).send(null);
      },
    );
  }
}
