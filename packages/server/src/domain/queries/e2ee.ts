import type {
  E2eeConfig,
  KeyPackageCount,
  MlsGroupInfoResponse,
  MlsLiveDevicesResponse,
  PendingWelcomesResponse,
  UserDevicesResponse,
} from '@enlets/protocol';
import { MAX_COMMIT_BYTES, MAX_KEY_PACKAGE_BYTES, MAX_KEY_PACKAGES_PER_UPLOAD } from '@enlets/protocol';
import type { CiphersuiteName } from 'ts-mls';
import { countKeyPackages } from '../../storage/repositories/e2ee-key-packages.js';
import { findIdentity } from '../../storage/repositories/e2ee-identities.js';
import { listLiveDevices, listLiveDevicesOfMembers } from '../../storage/repositories/e2ee-peers.js';
import { findMlsGroup, listWelcomes } from '../../storage/repositories/mls-groups.js';
import { accessConversationAsMember } from '../access/conversations.js';
import { accessE2eePeer } from '../access/e2ee.js';
import type { Actor } from '../actor.js';
import { DomainError } from '../errors.js';
import { suiteId } from '../mls-credentials.js';
import { largeGroupPolicy, mayJoinExternally, membershipCommitsFor } from '../mls-large-groups.js';
import type { Services } from '../services.js';

/** How many pending Welcomes one listing returns; a device deletes what it processed and asks again. */
const WELCOMES_PER_PAGE = 100;

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

export function getE2eeConfig(services: Services): E2eeConfig {
  const suite = services.config.mlsCiphersuite as CiphersuiteName;
  return {
    cipherSuite: suite,
    cipherSuiteId: suiteId(suite),
    maxKeyPackagesPerUpload: MAX_KEY_PACKAGES_PER_UPLOAD,
    maxKeyPackageBytes: MAX_KEY_PACKAGE_BYTES,
    maxCommitBytes: MAX_COMMIT_BYTES,
  };
}

/** A user's identity key, signed device list and live devices, for someone who may see the user. */
export async function getUserDevices(
  services: Services,
  actor: Actor,
  userId: string,
): Promise<UserDevicesResponse> {
  const user = await accessE2eePeer(services.db, actor, userId);
  const identity = await findIdentity(services.db, user.id);
  const live = await listLiveDevices(services.db, [user.id], services.clock.now());
  return {
    userId: user.id,
    identityKey: identity === undefined ? null : b64(identity.identityKey),
    deviceList: identity?.deviceList == null ? null : b64(identity.deviceList),
    deviceListVersion: identity?.deviceListVersion ?? null,
    liveDeviceIds: [...(live.get(user.id) ?? [])],
  };
}

/** How many one-time KeyPackages the actor's device has left (top up below a threshold). */
export function getKeyPackageCount(services: Services, actor: Actor): Promise<KeyPackageCount> {
  return countKeyPackages(services.db, actor.session.id, services.clock.now());
}

/** The Welcomes waiting for the actor's device, oldest first. */
export async function listPendingWelcomes(
  services: Services,
  actor: Actor,
): Promise<PendingWelcomesResponse> {
  const welcomes = await listWelcomes(services.db, actor.session.id, WELCOMES_PER_PAGE);
  return {
    welcomes: welcomes.map((w) => ({
      id: w.id,
      conversationId: w.conversationId,
      epoch: w.epoch,
      welcome: b64(w.bytes),
      createdAt: w.createdAt,
    })),
  };
}

/**
 * The conversation's latest GroupInfo, for members only (a member's new device joins with it by external
 * commit). Anyone else gets NOT_FOUND, exactly as for an unknown conversation.
 */
export async function getMlsGroupInfo(
  services: Services,
  actor: Actor,
  conversationId: string,
): Promise<MlsGroupInfoResponse> {
  const { membership } = await accessConversationAsMember(services.db, actor, conversationId);
  const group = await findMlsGroup(services.db, conversationId);
  if (group === undefined)
    throw new DomainError('MLS_GROUP_NOT_FOUND', 'this conversation has no MLS group yet');
  const policy = largeGroupPolicy(services.config);
  return {
    conversationId,
    cipherSuite: group.cipherSuite,
    epoch: group.epoch,
    groupInfo: b64(group.groupInfo),
    externalJoin: await mayJoinExternally(services.db, conversationId, membership, policy),
  };
}

/**
 * The live devices of the conversation's current members, for members only (anyone else gets NOT_FOUND, as
 * for an unknown conversation). It names no user the caller did not already see in the conversation, and takes
 * no user ids, so it cannot be pointed at anyone else (ADR 0011, "Live devices for a send").
 */
export async function getMlsLiveDevices(
  services: Services,
  actor: Actor,
  conversationId: string,
): Promise<MlsLiveDevicesResponse> {
  const { membership } = await accessConversationAsMember(services.db, actor, conversationId);
  const now = services.clock.now();
  const live = await listLiveDevicesOfMembers(services.db, conversationId, now);
  const policy = largeGroupPolicy(services.config);
  return {
    conversationId,
    members: [...live].map(([userId, deviceIds]) => ({ userId, deviceIds: [...deviceIds] })),
    membershipCommits: await membershipCommitsFor(services.db, conversationId, membership, policy, now),
  };
}
