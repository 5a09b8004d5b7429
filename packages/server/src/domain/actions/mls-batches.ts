import { MAX_BATCH_ADDS, type MlsBatchResponse } from '@enlets/protocol';
import { claimKeyPackage } from '../../storage/repositories/e2ee-key-packages.js';
import { listLiveDevicesOfMembers } from '../../storage/repositories/e2ee-peers.js';
import { findMlsGroup, listMlsLeaves } from '../../storage/repositories/mls-groups.js';
import { takeBatchLease } from '../../storage/repositories/mls-large-groups.js';
import { accessConversationAsMember } from '../access/conversations.js';
import type { Actor } from '../actor.js';
import { DomainError } from '../errors.js';
import { BATCH_LEASE_MS, checkMayBatch, largeGroupPolicy } from '../mls-large-groups.js';
import { listUnauthorizedLeaves } from '../mls-removals.js';
import { inTransaction, type Services } from '../services.js';

/**
 * What one batch commit of the group needs, in one request (ADR 0021): the server already keeps the leaf map and
 * knows the members' live devices, so it computes the pending changes itself rather than the committer asking
 * per user. Claims one KeyPackage for each live device of a current member that is not in the group (the
 * caller's own device excepted: it joins by itself), oldest members first, at most MAX_BATCH_ADDS; a device
 * without a package is skipped until it uploads. Lists the leaves that lost their right to read.
 * For whoever may commit Adds: any member of a small group, the owner and managers of a large one.
 *
 * One device batches at a time: the first to ask takes a lease on the group, renewed by each of its batches;
 * while another device holds it the answer is empty (nothing claimed). Without it every online manager's device
 * claimed KeyPackages for the same newcomers and raced the others' commits, the losers' packages wasted.
 */
export async function claimBatch(
  services: Services,
  actor: Actor,
  conversationId: string,
): Promise<MlsBatchResponse> {
  return inTransaction(services, async (trx) => {
    const { membership } = await accessConversationAsMember(trx, actor, conversationId);
    await checkMayBatch(trx, conversationId, membership, largeGroupPolicy(services.config));
    if ((await findMlsGroup(trx, conversationId)) === undefined)
      throw new DomainError('MLS_GROUP_NOT_FOUND', 'this conversation has no MLS group yet');
    const now = services.clock.now();
    if (!(await takeBatchLease(trx, conversationId, actor.session.id, now, now + BATCH_LEASE_MS)))
      return { conversationId, keyPackages: [], removeLeaves: [], more: false };
    const leaves = await listMlsLeaves(trx, conversationId);
    const inGroup = new Set<string>([...leaves.values()].map((l) => l.deviceId));
    const live = await listLiveDevicesOfMembers(trx, conversationId, now);
    const waiting = [...live].flatMap(([userId, deviceIds]) =>
      deviceIds
        .filter((deviceId) => !inGroup.has(deviceId) && deviceId !== actor.session.id)
        .map((deviceId) => ({ userId, deviceId })),
    );
    const keyPackages: MlsBatchResponse['keyPackages'][number][] = [];
    let looked = 0;
    for (const { userId, deviceId } of waiting) {
      if (keyPackages.length >= MAX_BATCH_ADDS) break;
      looked += 1;
      const claimed = await claimKeyPackage(trx, services.dialect, deviceId, now);
      if (claimed === undefined) continue;
      keyPackages.push({
        userId,
        deviceId,
        keyPackage: Buffer.from(claimed.bytes).toString('base64url'),
        lastResort: claimed.lastResort,
      });
    }
    return {
      conversationId,
      keyPackages,
      removeLeaves: (await listUnauthorizedLeaves(trx, conversationId, now)).flatMap((leafIndex) => {
        const leaf = leaves.get(leafIndex);
        return leaf === undefined ? [] : [{ leafIndex, deviceId: leaf.deviceId }];
      }),
      more: looked < waiting.length,
    };
  });
}
