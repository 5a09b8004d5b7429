import { Type, type Static } from 'typebox';
import { UserId } from '../ids.js';
import { StrictObject } from './common.js';
import { Seq } from './messaging.js';

export type DeliveriesQuery = Static<typeof DeliveriesQuery>;
export const DeliveriesQuery = StrictObject({ seq: Seq });

/**
 * "Delivered to": the live devices of the other members that stored the conversation up to `seq` or beyond
 * (a device is a login session). Like "seen by", empty when the caller does not share receipts, and without the
 * devices of members who do not.
 */
export type DeliveriesResponse = Static<typeof DeliveriesResponse>;
export const DeliveriesResponse = StrictObject({
  deliveredTo: Type.Array(
    StrictObject({
      userId: UserId.Schema,
      deviceId: Type.String(),
      deliveredSeq: Type.Integer({ minimum: 1 }),
    }),
  ),
});
