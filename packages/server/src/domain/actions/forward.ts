import { TLP_LEVELS, tlpRank, type ForwardRequest, type SendEventAck, type TlpLevel } from '@enlets/protocol';
import { listMemberIds } from '../../storage/repositories/conversations.js';
import { findEvent } from '../../storage/repositories/events.js';
import { listRolesOfUsers } from '../../storage/repositories/users.js';
import { accessConversationAsMember } from '../access/conversations.js';
import type { Actor } from '../actor.js';
import { DomainError } from '../errors.js';
import type { Services } from '../services.js';
import { checkForwardAllowed, isNetworkMember } from '../tlp.js';
import { sendEvent } from './events.js';

function highest(...levels: readonly TlpLevel[]): TlpLevel {
  const rank = Math.max(...levels.map(tlpRank));
  return TLP_LEVELS[rank] ?? 'RED';
}

/**
 * Forwards a message into another conversation of the caller. The client re-encrypted the content for the
 * target (and put the provenance inside the payload); the server only checks the TLP rules on the source's
 * marking and stores the copy as a new message marked at least as high as the source and the target. The copy
 * may carry the source's files again (`attachments`): only blobs the source message carries, which the caller
 * may already download, so the target's members can download them too (`attachBlobs`).
 */
export async function forwardEvent(
  services: Services,
  actor: Actor,
  sourceConversationId: string,
  seq: number,
  request: ForwardRequest,
): Promise<SendEventAck> {
  const { membership } = await accessConversationAsMember(services.db, actor, sourceConversationId);
  const target = await accessConversationAsMember(services.db, actor, request.targetConversationId);
  const source =
    seq > membership.visibleFromSeq ? await findEvent(services.db, sourceConversationId, seq) : undefined;
  if (source?.kind !== 'message' || source.deletedAt !== null || source.payload === null) {
    throw new DomainError('INVALID_REFERENCE', 'only a visible, undeleted message can be forwarded');
  }
  const memberIds = await listMemberIds(services.db, request.targetConversationId);
  const roles = await listRolesOfUsers(services.db, memberIds);
  const targetHasGuests = memberIds.some((id) => !isNetworkMember(roles.get(id) ?? []));
  checkForwardAllowed(source.tlp, target.conversation.tlp, targetHasGuests);
  return sendEvent(
    services,
    actor,
    request.targetConversationId,
    {
      clientMessageId: request.clientMessageId,
      kind: 'message',
      payload: request.payload,
      tlp: highest(source.tlp, target.conversation.tlp, ...(request.tlp === undefined ? [] : [request.tlp])),
      ...(request.attachments === undefined ? {} : { attachments: request.attachments }),
    },
    { conversationId: sourceConversationId, seq },
  );
}
