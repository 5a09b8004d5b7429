import { Type, type Static } from 'typebox';
import { UserId } from '../ids.js';
import { StrictObject } from './common.js';
import { Seq } from './messaging.js';

/**
 * History for newcomers (docs/decisions/0016-history-for-newcomers.md): whether people added to a conversation
 * may be given what was said before, and the server's record of each time a member's device did. The shared
 * messages themselves travel end-to-end encrypted between devices; the server sees only who, to whom and which
 * range.
 */

/** `off`: earlier messages stay unreadable to newcomers (the default). `on`: members may share them, audited. */
export const HISTORY_FOR_NEWCOMERS = ['off', 'on'] as const;
export type HistoryForNewcomers = (typeof HISTORY_FOR_NEWCOMERS)[number];
export const HistoryForNewcomersSchema = Type.Unsafe<HistoryForNewcomers>(
  Type.Enum([...HISTORY_FOR_NEWCOMERS]),
);

/** Owner and managers only; every change is audited and announced as a `conversation.updated` event. */
export type SetHistoryForNewcomersRequest = Static<typeof SetHistoryForNewcomersRequest>;
export const SetHistoryForNewcomersRequest = StrictObject({ historyForNewcomers: HistoryForNewcomersSchema });

/**
 * "My device is giving `recipientId` the messages from `fromSeq` to `toSeq`": recorded (audited, and announced
 * as a `history.shared` system event) before the device sends the bundle's key. Refused while the setting is off.
 */
export type RecordHistoryShareRequest = Static<typeof RecordHistoryShareRequest>;
export const RecordHistoryShareRequest = StrictObject({
  recipientId: UserId.Schema,
  fromSeq: Seq,
  toSeq: Seq,
});

export type HistoryShareRecorded = Static<typeof HistoryShareRecorded>;
export const HistoryShareRecorded = StrictObject({
  /** The seq of the `history.shared` system event: the key message names it, the recipient checks it. */
  seq: Seq,
});
