import { Type, type Static } from 'typebox';
import { SessionId, TimestampMs, UserId } from '../ids.js';
import { MAX_PAYLOAD_BYTES } from '../messaging.js';
import { StrictObject } from './common.js';
import { ConversationIdSchema, Seq } from './messaging.js';

/**
 * End-to-end encryption: the server as MLS Delivery Service (docs/decisions/0011-e2ee-design.md). Every byte
 * string is base64url without padding. MLS objects travel as RFC 9420 `MLSMessage`s; their schemas pin the
 * first bytes (protocol version mls10 and the wire format), so a value that is not even the right kind of MLS
 * object is a VALIDATION_FAILED before any parsing.
 *
 * @example
 * ```ts
 * // once per user:    PUT  /e2ee/identity {identityKey}          PUT /e2ee/device-list {deviceList}
 * // once per device:  POST /e2ee/key-packages {keyPackages: [...100], lastResort}
 * // group creator:    POST /conversations/:id/mls/group {groupInfo}                   (epoch 0)
 * // adding devices:   POST /e2ee/key-packages/claim {userIds} → commit with Adds →
 * //                   POST /conversations/:id/mls/commits {epoch, commit, groupInfo, welcome}
 * // the added device: GET  /e2ee/welcomes → join → DELETE /e2ee/welcomes/:id
 * ```
 */

/** Bytes as base64url (no padding) of at most `maxBytes` bytes, optionally starting with a fixed prefix. */
function Base64Url(
  maxBytes: number,
  options: { prefix?: string; example?: string; description?: string } = {},
) {
  return Type.String({
    pattern: `^${options.prefix ?? ''}[A-Za-z0-9_-]*$`,
    // An MLSMessage has at least its 4-byte header and a few bytes of content.
    minLength: options.prefix === undefined ? 2 : 8,
    maxLength: Math.ceil((maxBytes * 4) / 3),
    ...(options.example === undefined ? {} : { examples: [options.example] }),
    ...(options.description === undefined ? {} : { description: options.description }),
  });
}

/**
 * The first bytes of an MLSMessage are `00 01` (mls10) and the wire format (u16); in base64url the first five
 * characters and the high bits of the sixth are fixed by them.
 */
const MLS_PREFIX = {
  publicMessage: 'AAEAA[Q-Za-f]',
  welcome: 'AAEAA[w-z0-9_-]',
  groupInfo: 'AAEAB[A-P]',
  keyPackage: 'AAEAB[Q-Za-f]',
} as const;

/** Upper bounds of what one request may carry (the deployment's body limit applies as well). */
export const MAX_KEY_PACKAGE_BYTES = 8_192;
export const MAX_KEY_PACKAGES_PER_UPLOAD = 100;
export const MAX_CLAIM_USERS = 100;
export const MAX_GROUP_INFO_BYTES = 4_194_304;
export const MAX_WELCOME_BYTES = 4_194_304;
/** A commit becomes an event of the conversation's log, so it has the size limit of every payload. */
export const MAX_COMMIT_BYTES = MAX_PAYLOAD_BYTES;
export const MAX_DEVICE_LIST_BYTES = 16_384;

export const KeyPackageBytes = Base64Url(MAX_KEY_PACKAGE_BYTES, {
  prefix: MLS_PREFIX.keyPackage,
  example: 'AAEABQABAAEg',
  description: 'An MLSMessage holding a KeyPackage',
});
export const GroupInfoBytes = Base64Url(MAX_GROUP_INFO_BYTES, {
  prefix: MLS_PREFIX.groupInfo,
  example: 'AAEABAABAAEk',
  description: 'An MLSMessage holding a GroupInfo, with the ratchet_tree extension',
});
export const CommitBytes = Base64Url(MAX_COMMIT_BYTES, {
  prefix: MLS_PREFIX.publicMessage,
  example: 'AAEAAQAk',
  description: 'An MLSMessage holding a PublicMessage whose content is a Commit',
});
export const WelcomeBytes = Base64Url(MAX_WELCOME_BYTES, {
  prefix: MLS_PREFIX.welcome,
  example: 'AAEAAwAB',
  description: 'An MLSMessage holding a Welcome',
});

/** The cipher suite every group of this deployment uses (`ENLETS_MLS_CIPHERSUITE`). */
export type E2eeConfig = Static<typeof E2eeConfig>;
export const E2eeConfig = StrictObject({
  cipherSuite: Type.String({
    description: 'ts-mls / IANA name, e.g. MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519',
  }),
  cipherSuiteId: Type.Integer({ minimum: 1, maximum: 65_535 }),
  maxKeyPackagesPerUpload: Type.Integer(),
  maxKeyPackageBytes: Type.Integer(),
  maxCommitBytes: Type.Integer(),
});

/** The user's Ed25519 identity public key (32 bytes). Set once; it changes only through an identity reset. */
export type PutIdentityRequest = Static<typeof PutIdentityRequest>;
export const PutIdentityRequest = StrictObject({
  identityKey: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', minLength: 43, maxLength: 43 }),
});

export type IdentityResponse = Static<typeof IdentityResponse>;
export const IdentityResponse = StrictObject({
  userId: UserId.Schema,
  identityKey: Type.String(),
  createdAt: TimestampMs.Schema,
});

/** The signed device list, encoded as `@enlets/crypto` encodeDeviceList writes it. */
export type PutDeviceListRequest = Static<typeof PutDeviceListRequest>;
export const PutDeviceListRequest = StrictObject({
  deviceList: Base64Url(MAX_DEVICE_LIST_BYTES, { description: 'encodeDeviceList(...) bytes' }),
});

export type DeviceListResponse = Static<typeof DeviceListResponse>;
export const DeviceListResponse = StrictObject({
  userId: UserId.Schema,
  version: Type.Integer({ minimum: 1 }),
});

/**
 * What the server knows of a user's devices: the identity key and signed device list exactly as the user
 * uploaded them (null before the first upload), and the devices that are signed in now. A client trusts only
 * the signed list; `liveDeviceIds` says which listed devices still exist.
 */
export type UserDevicesResponse = Static<typeof UserDevicesResponse>;
export const UserDevicesResponse = StrictObject({
  userId: UserId.Schema,
  identityKey: Type.Union([Type.String(), Type.Null()]),
  deviceList: Type.Union([Type.String(), Type.Null()]),
  deviceListVersion: Type.Union([Type.Integer(), Type.Null()]),
  liveDeviceIds: Type.Array(SessionId.Schema),
});

/** A pool of one-time KeyPackages of the caller's device, and optionally its (replacing) last-resort package. */
export type UploadKeyPackagesRequest = Static<typeof UploadKeyPackagesRequest>;
export const UploadKeyPackagesRequest = StrictObject({
  keyPackages: Type.Array(KeyPackageBytes, { maxItems: MAX_KEY_PACKAGES_PER_UPLOAD, uniqueItems: true }),
  lastResort: Type.Optional(KeyPackageBytes),
});

export type KeyPackageCount = Static<typeof KeyPackageCount>;
export const KeyPackageCount = StrictObject({
  /** Unclaimed, unexpired one-time packages of the caller's device. */
  oneTime: Type.Integer({ minimum: 0 }),
  lastResort: Type.Boolean(),
});

export type ClaimKeyPackagesRequest = Static<typeof ClaimKeyPackagesRequest>;
export const ClaimKeyPackagesRequest = StrictObject({
  userIds: Type.Array(UserId.Schema, { minItems: 1, maxItems: MAX_CLAIM_USERS, uniqueItems: true }),
});

export type ClaimedKeyPackage = Static<typeof ClaimedKeyPackage>;
export const ClaimedKeyPackage = StrictObject({
  userId: UserId.Schema,
  deviceId: SessionId.Schema,
  keyPackage: Type.String(),
  /** The device's last-resort package: it was not used up and may be handed out again. */
  lastResort: Type.Boolean(),
});

/** One package per live device of each user that has one (the caller's own device is never included). */
export type ClaimKeyPackagesResponse = Static<typeof ClaimKeyPackagesResponse>;
export const ClaimKeyPackagesResponse = StrictObject({ keyPackages: Type.Array(ClaimedKeyPackage) });

/** Registers a conversation's MLS group at epoch 0: the creator's GroupInfo, whose tree holds only their device. */
export type CreateMlsGroupRequest = Static<typeof CreateMlsGroupRequest>;
export const CreateMlsGroupRequest = StrictObject({ groupInfo: GroupInfoBytes });

export type MlsGroupState = Static<typeof MlsGroupState>;
export const MlsGroupState = StrictObject({
  conversationId: ConversationIdSchema,
  cipherSuite: Type.String(),
  epoch: Type.Integer({ minimum: 0 }),
});

/**
 * The body limit of the routes that carry a GroupInfo (group creation, commits): the GroupInfo holds the whole
 * ratchet tree (about 450 bytes per leaf in suite 1), far beyond the API's general limit once a group has a
 * hundred devices. Sized from the schema's own maxima, base64url-encoded, with room for the JSON around them.
 */
export const MAX_MLS_GROUP_BODY_BYTES =
  Math.ceil(((MAX_COMMIT_BYTES + MAX_GROUP_INFO_BYTES + MAX_WELCOME_BYTES) * 4) / 3) + 4_096;

/** A commit made at `epoch`, the GroupInfo of `epoch + 1`, and the Welcome when it adds devices. */
export type SubmitCommitRequest = Static<typeof SubmitCommitRequest>;
export const SubmitCommitRequest = StrictObject({
  epoch: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  commit: CommitBytes,
  groupInfo: GroupInfoBytes,
  welcome: Type.Optional(WelcomeBytes),
});

export type SubmitCommitResponse = Static<typeof SubmitCommitResponse>;
export const SubmitCommitResponse = StrictObject({
  /** The group's epoch now (the submitted one plus one): adopt the commit locally. */
  epoch: Type.Integer({ minimum: 1 }),
  /** The `mls.commit` event that carries the commit in the conversation's log. */
  seq: Seq,
});

/** The latest GroupInfo (with the ratchet tree), for a member's new device joining by external commit. */
export type MlsGroupInfoResponse = Static<typeof MlsGroupInfoResponse>;
export const MlsGroupInfoResponse = StrictObject({
  conversationId: ConversationIdSchema,
  cipherSuite: Type.String(),
  epoch: Type.Integer({ minimum: 0 }),
  groupInfo: Type.String(),
  /**
   * Whether the caller's device may join by external commit. False in a large group for everyone but its
   * managers (ADR 0021): the device waits for the Welcome of a manager's batch commit instead.
   */
  externalJoin: Type.Boolean(),
});

/**
 * Who commits membership changes in the group, for the caller (ADR 0021). `largeGroup`: the conversation has at
 * least the deployment's large-group member count: only its owner and managers add and remove devices, in
 * batches. `mayAdd`: the caller may commit Adds. `mayRemove`: the caller may commit the removal of leaves that
 * lost their right to read (in a large group a non-manager may only once the removal grace has run out).
 */
export type MlsMembershipCommits = Static<typeof MlsMembershipCommits>;
export const MlsMembershipCommits = StrictObject({
  largeGroup: Type.Boolean(),
  mayAdd: Type.Boolean(),
  mayRemove: Type.Boolean(),
});

/**
 * What a batch commit needs (ADR 0021), claimed in one request: one KeyPackage for each live device of a current
 * member that is not in the group yet (at most `MAX_BATCH_ADDS`; `more` says whether others wait), and the leaves
 * that lost their right to read. For whoever may add in the group: any member of a small group, the owner and
 * managers of a large one.
 */
/** An Add carries a whole KeyPackage (about 450 bytes): 50 keep a batch's commit well under MAX_COMMIT_BYTES. */
export const MAX_BATCH_ADDS = 50;
export type MlsBatchResponse = Static<typeof MlsBatchResponse>;
export const MlsBatchResponse = StrictObject({
  conversationId: ConversationIdSchema,
  keyPackages: Type.Array(ClaimedKeyPackage),
  /** Leaves that lost their right to read, with the device each holds (an index may be reused later). */
  removeLeaves: Type.Array(
    StrictObject({ leafIndex: Type.Integer({ minimum: 0 }), deviceId: SessionId.Schema }),
  ),
  more: Type.Boolean(),
});

/**
 * The signed-in devices of the conversation's current members, for members only: a sender removes the leaves
 * of every other device before encrypting (ADR 0011). Members without a live device (signed out everywhere, a
 * suspended account) are left out; so is everyone who is not a member. One request however many members.
 */
export type MlsLiveDevicesResponse = Static<typeof MlsLiveDevicesResponse>;
export const MlsLiveDevicesResponse = StrictObject({
  conversationId: ConversationIdSchema,
  members: Type.Array(
    StrictObject({ userId: UserId.Schema, deviceIds: Type.Array(SessionId.Schema, { minItems: 1 }) }),
  ),
  /** What the caller may commit in this group now (ADR 0021); a small group lets every member do both. */
  membershipCommits: MlsMembershipCommits,
});

export const WelcomeIdSchema = Type.String({
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
  minLength: 36,
  maxLength: 36,
});

export type WelcomeParams = Static<typeof WelcomeParams>;
export const WelcomeParams = StrictObject({ id: WelcomeIdSchema });

/** A Welcome addressed to the caller's device (it holds only that device's encrypted group secrets). */
export type PendingWelcome = Static<typeof PendingWelcome>;
export const PendingWelcome = StrictObject({
  id: WelcomeIdSchema,
  conversationId: ConversationIdSchema,
  /** The epoch the device joins at. */
  epoch: Type.Integer({ minimum: 1 }),
  welcome: Type.String(),
  createdAt: TimestampMs.Schema,
});

export type PendingWelcomesResponse = Static<typeof PendingWelcomesResponse>;
export const PendingWelcomesResponse = StrictObject({ welcomes: Type.Array(PendingWelcome) });
