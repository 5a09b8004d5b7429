import {
  ConversationIdSchema,
  MAX_MLS_GROUP_BODY_BYTES,
  CreateMlsGroupRequest,
  MlsBatchResponse,
  MlsGroupInfoResponse,
  MlsGroupState,
  MlsLiveDevicesResponse,
  StrictObject,
  SubmitCommitRequest,
  SubmitCommitResponse,
} from '@enlets/protocol';
import { claimBatch } from '../../domain/actions/mls-batches.js';
import { createMlsGroup, submitCommit } from '../../domain/actions/mls-groups.js';
import { getMlsGroupInfo, getMlsLiveDevices } from '../../domain/queries/e2ee.js';
import type { Services } from '../../domain/services.js';
import { actorOf, type App } from '../types.js';

const tags = ['e2ee'];
const ConversationParams = StrictObject({ id: ConversationIdSchema });

/**
 * Each conversation's MLS group: creation, commits (one per epoch), the GroupInfo for joiners, the members'
 * live devices for senders (ADR 0011).
 */
export function mlsGroupRoutes(app: App, services: Services): void {
  app.post(
    '/conversations/:id/mls/group',
    {
      config: { access: 'messenger.use' },
      bodyLimit: MAX_MLS_GROUP_BODY_BYTES,
      schema: {
        tags,
        summary: 'Register the conversation’s MLS group at epoch 0 with your GroupInfo',
        params: ConversationParams,
        body: CreateMlsGroupRequest,
        response: { 200: MlsGroupState },
      },
    },
    (request) => createMlsGroup(services, actorOf(request), request.params.id, request.body),
  );

  app.post(
    '/conversations/:id/mls/commits',
    {
      config: { access: 'messenger.use' },
      bodyLimit: MAX_MLS_GROUP_BODY_BYTES,
      schema: {
        tags,
        summary:
          'Submit a commit made at `epoch`: accepted once per epoch, then delivered as an mls.commit event',
        params: ConversationParams,
        body: SubmitCommitRequest,
        response: { 200: SubmitCommitResponse },
      },
    },
    (request) => submitCommit(services, actorOf(request), request.params.id, request.body),
  );

  app.get(
    '/conversations/:id/mls/group-info',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'The latest GroupInfo with its ratchet tree, to join by external commit (members only)',
        params: ConversationParams,
        response: { 200: MlsGroupInfoResponse },
      },
    },
    (request) => getMlsGroupInfo(services, actorOf(request), request.params.id),
  );

  app.get(
    '/conversations/:id/mls/live-devices',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'The signed-in devices of the conversation’s current members (members only)',
        params: ConversationParams,
        response: { 200: MlsLiveDevicesResponse },
      },
    },
    (request) => getMlsLiveDevices(services, actorOf(request), request.params.id),
  );

  app.post(
    '/conversations/:id/mls/batch',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary:
          'Claim what one batch commit needs: KeyPackages of members’ devices not in the group yet, and the leaves to remove (ADR 0021)',
        params: ConversationParams,
        response: { 200: MlsBatchResponse },
      },
    },
    (request) => claimBatch(services, actorOf(request), request.params.id),
  );
}
