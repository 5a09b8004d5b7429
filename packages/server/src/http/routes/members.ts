import {
  Accepted,
  IdParams,
  LeaveRequest,
  MemberListQuery,
  MemberListResponse,
  MemberReasonRequest,
  MemberResponse,
  RoleChangeRequest,
} from '@enlets/protocol';
import type { MemberWithRoles } from '../../domain/access/members.js';
import type { Actor } from '../../domain/actor.js';
import { leaveService, reactivateMember, removeMember, suspendMember } from '../../domain/actions/members.js';
import { grantMemberRole, revokeMemberRole } from '../../domain/actions/roles.js';
import { getMember, listMembers, memberDetail } from '../../domain/queries/directory.js';
import type { Services } from '../../domain/services.js';
import { actorOf, type App } from '../types.js';

function respond(actor: Actor, changed: MemberWithRoles): MemberResponse {
  return { member: memberDetail(actor, changed.user, changed.roles) };
}

/** The member directory, member moderation (suspend, reactivate, remove), roles, and leaving the service. */
export function memberRoutes(app: App, services: Services): void {
  app.get(
    '/members',
    {
      config: { access: 'directory.read' },
      schema: {
        tags: ['members'],
        summary:
          'Members by display name, a page at a time (no e-mail addresses): active ones, or with `status` ' +
          'suspended or invited ones (members.suspend; an NCP: members of their countries only)',
        querystring: MemberListQuery,
        response: { 200: MemberListResponse },
      },
    },
    async (request) => listMembers(services, actorOf(request), request.query),
  );

  app.get(
    '/members/:id',
    {
      config: { access: 'directory.read' },
      schema: {
        tags: ['members'],
        summary: 'One member (NOT_FOUND when unknown, removed, or not visible to the caller)',
        params: IdParams,
        response: { 200: MemberResponse },
      },
    },
    async (request) => ({ member: await getMember(services, actorOf(request), request.params.id) }),
  );

  app.post(
    '/members/:id/suspend',
    {
      config: { access: 'members.suspend' },
      schema: {
        tags: ['members'],
        summary: 'Suspend a member: every session ends at once (an NCP: members of their country only)',
        params: IdParams,
        body: MemberReasonRequest,
        response: { 200: MemberResponse },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return respond(actor, await suspendMember(services, actor, request.params.id, request.body.reason));
    },
  );

  app.post(
    '/members/:id/reactivate',
    {
      config: { access: 'members.suspend' },
      schema: {
        tags: ['members'],
        summary: 'Lift a suspension',
        params: IdParams,
        response: { 200: MemberResponse },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return respond(actor, await reactivateMember(services, actor, request.params.id));
    },
  );

  app.post(
    '/members/:id/remove',
    {
      config: { access: 'members.remove' },
      schema: {
        tags: ['members'],
        summary: 'Remove a member from the service: sessions end, roles are revoked',
        params: IdParams,
        body: MemberReasonRequest,
        response: { 200: MemberResponse },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return respond(actor, await removeMember(services, actor, request.params.id, request.body.reason));
    },
  );

  app.post(
    '/members/:id/roles',
    {
      config: { access: 'roles.manage' },
      schema: {
        tags: ['members'],
        summary: 'Grant a role (ncp needs a country code as scope, tig_lead a TIG id, others no scope)',
        params: IdParams,
        body: RoleChangeRequest,
        response: { 200: MemberResponse },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return respond(actor, await grantMemberRole(services, actor, request.params.id, request.body));
    },
  );

  app.post(
    '/members/:id/roles/revoke',
    {
      config: { access: 'roles.manage' },
      schema: {
        tags: ['members'],
        summary: 'Revoke a role (an admin cannot revoke their own Secretariat admin role)',
        params: IdParams,
        body: RoleChangeRequest,
        response: { 200: MemberResponse },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return respond(actor, await revokeMemberRole(services, actor, request.params.id, request.body));
    },
  );

  app.post(
    '/me/leave',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['members'],
        summary: 'Leave the service: the account is closed and every session ends',
        body: LeaveRequest,
        response: { 200: Accepted },
      },
    },
    async (request) => {
      await leaveService(services, actorOf(request), request.body.password);
      return { accepted: true as const };
    },
  );
}
