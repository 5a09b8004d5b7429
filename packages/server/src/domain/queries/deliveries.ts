import type { DeliveriesResponse } from '@enlets/protocol';
import { listDevicesDeliveredTo } from '../../storage/repositories/deliveries.js';
import { accessConversationAsMember } from '../access/conversations.js';
import type { Actor } from '../actor.js';
import type { Services } from '../services.js';

/**
 * "Delivered to" for the message at `seq`: the other members' live devices that stored it. Follows the read
 * receipts opt-out as "seen by" does: who hides theirs sees nobody's, and nobody sees theirs.
 */
export async function listDeliveries(
  services: Services,
  actor: Actor,
  conversationId: string,
  seq: number,
): Promise<DeliveriesResponse> {
  await accessConversationAsMember(services.db, actor, conversationId);
  if (!actor.user.readReceipts) return { deliveredTo: [] };
  const devices = await listDevicesDeliveredTo(
    services.db,
    conversationId,
    seq,
    actor.user.id,
    services.clock.now(),
  );
  return { deliveredTo: devices.map((d) => ({ ...d })) };
}
