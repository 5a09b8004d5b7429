/**
 * Row types of every table, as both engines return them (after the int8 parser on PostgreSQL). Booleans are
 * stored as integers 0/1 on both engines so that one schema serves both; repositories map rows to records.
 * Timestamps are integer milliseconds (bigint on PostgreSQL).
 */
import type { Generated } from 'kysely';

export interface UserRow {
  id: string;
  email: string;
  display_name: string;
  country_code: string | null;
  agency_id: string | null;
  position: string | null;
  status: string;
  status_reason: string | null;
  password_hash: string | null;
  totp_secret: string | null;
  totp_enabled: number;
  totp_last_step: number;
  created_at: number;
  updated_at: number;
  read_receipts: Generated<number>;
  /** 0080: chosen presence (available, busy, dnd, away, offline = appear offline) and custom text. */
  availability: Generated<string>;
  status_text: string | null;
}

export interface UserRoleRow {
  user_id: string;
  role: string;
  /** Country code for ncp, TIG id for tig_lead, '' for unscoped roles (part of the primary key). */
  scope: string;
  granted_at: number;
  granted_by: string | null;
}

export interface SessionRow {
  id: string;
  user_id: string;
  token_hash: string;
  kind: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  user_agent: string | null;
  ip: string | null;
  device_label: string | null;
  revoked_at: number | null;
}

export interface KnownDeviceRow {
  user_id: string;
  device_hash: string;
  first_seen_at: number;
}

export interface RecoveryCodeRow {
  user_id: string;
  code_hash: string;
  used_at: number | null;
}

export interface LoginThrottleRow {
  key: string;
  failures: number;
  window_started_at: number;
  locked_until: number;
}

export interface OneTimeTokenRow {
  token_hash: string;
  purpose: string;
  subject_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface CountryRow {
  code: string;
  name: string;
  eu: number;
}

export interface AgencyRow {
  id: string;
  country_code: string;
  name: string;
  created_at: number;
}

export interface ApplicationRow {
  id: string;
  email: string;
  display_name: string;
  country_code: string;
  agency_id: string | null;
  agency_name: string | null;
  position: string;
  justification: string;
  status: string;
  created_at: number;
  verified_at: number | null;
  decided_at: number | null;
  decided_by: string | null;
  decision_reason: string | null;
  user_id: string | null;
}

export interface AuditLogRow {
  seq: number;
  at: number;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

export interface MailQueueRow {
  id: string;
  to_address: string;
  subject: string;
  /** Cleared once sent: bodies can hold one-time links. */
  body_text: string | null;
  kind: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  claimed_until: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

export interface SchemaInfoRow {
  id: Generated<number>;
  key: string;
  value: string;
}

export interface ConversationRow {
  id: string;
  kind: string;
  name: string | null;
  description: string | null;
  tlp: string;
  join_mode: string | null;
  listed: number;
  password_hash: string | null;
  read_only: number;
  leave_allowed: number;
  scope_kind: string | null;
  scope_id: string | null;
  message_ttl_ms: number | null;
  history_visible: number;
  /** 'off' | 'on' (ADR 0016). */
  history_for_newcomers: Generated<string>;
  direct_key: string | null;
  head_seq: number;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface ConversationMemberRow {
  conversation_id: string;
  user_id: string;
  role: string;
  joined_at: number;
  visible_from_seq: number;
  last_read_seq: number;
  muted: number;
  favourite: number;
  archived: number;
  marked_unread: number;
}

export interface EventRow {
  conversation_id: string;
  seq: number;
  kind: string;
  sender_id: string | null;
  sender_device_id: string | null;
  client_message_id: string | null;
  ref_seq: number | null;
  thread_root_seq: number | null;
  tlp: string;
  mentions_all: number;
  /** Opaque bytes; null once deleted or expired. */
  payload: Uint8Array | null;
  /** JSON details of a system event. */
  system: string | null;
  created_at: number;
  expires_at: number | null;
  deleted_at: number | null;
  deleted_by_manager: number;
}

export interface EventMentionRow {
  conversation_id: string;
  user_id: string;
  seq: number;
}

export interface ChannelRequestRow {
  conversation_id: string;
  user_id: string;
  requested_at: number;
}

export interface BookmarkRow {
  user_id: string;
  conversation_id: string;
  seq: number;
  created_at: number;
}

export interface UploadRow {
  id: string;
  user_id: string;
  conversation_id: string;
  size: number;
  chunk_size: number;
  created_at: number;
  expires_at: number;
}

export interface UploadChunkRow {
  upload_id: string;
  chunk_index: number;
}

/** A committed (fully uploaded) blob; its bytes are opaque and live in the blob store. */
export interface BlobRow {
  id: string;
  uploader_id: string;
  conversation_id: string;
  size: number;
  created_at: number;
  touched_at: number;
}

export interface EventAttachmentRow {
  conversation_id: string;
  seq: number;
  blob_id: string;
  position: number;
}

export interface DeliveryPositionRow {
  conversation_id: string;
  user_id: string;
  device_id: string;
  delivered_seq: number;
  updated_at: number;
}

/** 0110: a user's identity public key and signed device list (docs/decisions/0011-e2ee-design.md). */
export interface E2eeIdentityRow {
  user_id: string;
  identity_key: Uint8Array;
  device_list: Uint8Array | null;
  device_list_version: number | null;
  created_at: number;
  updated_at: number;
}

export interface E2eeKeyPackageRow {
  ref: string;
  user_id: string;
  device_id: string;
  bytes: Uint8Array;
  last_resort: number;
  created_at: number;
  expires_at: number;
  claimed_at: number | null;
}

export interface MlsGroupRow {
  conversation_id: string;
  cipher_suite: string;
  epoch: number;
  group_info: Uint8Array;
  created_at: number;
  updated_at: number;
  /** 1 while a leaf of the group may be unauthorized: new application messages wait for its removal. */
  removal_pending: Generated<number>;
  /** When the current run of pending removals began (ms); null while none is pending (large groups' grace). */
  removal_pending_since: number | null;
  /** The device that batches the group's membership changes until `batch_lease_until` (ms; migration 0200). */
  batch_lease_device_id: string | null;
  batch_lease_until: number | null;
}

export interface MlsGroupLeafRow {
  conversation_id: string;
  leaf_index: number;
  user_id: string;
  device_id: string;
  /** When this leaf's device last committed a self-update (ms), for large groups' rate limit. */
  self_updated_at: number | null;
}

export interface MlsCommitRow {
  conversation_id: string;
  epoch: number;
  seq: number;
}

export interface MlsWelcomeRow {
  id: string;
  user_id: string;
  device_id: string;
  conversation_id: string;
  epoch: number;
  bytes: Uint8Array;
  created_at: number;
}

/** 0130: a user's passphrase-encrypted recovery backup and history archive (docs/decisions/0012-recovery.md). */
export interface E2eeBackupRow {
  user_id: string;
  bytes: Uint8Array;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface E2eeArchiveRow {
  user_id: string;
  conversation_id: string;
  seq: number;
  bytes: Uint8Array;
  created_at: number;
}

/** 0170: WebAuthn credentials (docs/decisions/0019-passkeys.md). */
export interface PasskeyRow {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: Uint8Array;
  counter: number;
  /** JSON array of transport names. */
  transports: string;
  name: string;
  aaguid: string;
  device_type: string;
  backed_up: number;
  created_at: number;
  last_used_at: number | null;
  clone_suspected_at: number | null;
}

/** 0170: challenges of WebAuthn ceremonies in progress (SHA-256 only; deleted when used). */
export interface PasskeyChallengeRow {
  challenge_hash: string;
  purpose: string;
  user_id: string | null;
  created_at: number;
  expires_at: number;
}

/** 0190: a server process of the cluster, alive while its heartbeat is fresh. */
export interface ServerProcessRow {
  id: string;
  started_at: number;
  heartbeat_at: number;
}

/** 0190: a user with at least one live WebSocket on a process. */
export interface OnlineUserRow {
  process_id: string;
  user_id: string;
  since: number;
}

/** 0160: one Web Push subscription per device (login session) (docs/decisions/0018-web-push.md). */
export interface PushSubscriptionRow {
  session_id: string;
  user_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  created_at: number;
  updated_at: number;
  last_success_at: number | null;
}

/** 0160: the deployment's VAPID key pair (one row). */
export interface PushVapidKeyRow {
  id: string;
  public_key: string;
  private_key: string;
  created_at: number;
}

export interface DB {
  users: UserRow;
  user_roles: UserRoleRow;
  sessions: SessionRow;
  known_devices: KnownDeviceRow;
  recovery_codes: RecoveryCodeRow;
  login_throttle: LoginThrottleRow;
  one_time_tokens: OneTimeTokenRow;
  countries: CountryRow;
  agencies: AgencyRow;
  applications: ApplicationRow;
  audit_log: AuditLogRow;
  mail_queue: MailQueueRow;
  conversations: ConversationRow;
  conversation_members: ConversationMemberRow;
  events: EventRow;
  event_mentions: EventMentionRow;
  channel_requests: ChannelRequestRow;
  bookmarks: BookmarkRow;
  uploads: UploadRow;
  upload_chunks: UploadChunkRow;
  blobs: BlobRow;
  event_attachments: EventAttachmentRow;
  e2ee_identities: E2eeIdentityRow;
  e2ee_key_packages: E2eeKeyPackageRow;
  mls_groups: MlsGroupRow;
  mls_group_leaves: MlsGroupLeafRow;
  mls_commits: MlsCommitRow;
  mls_welcomes: MlsWelcomeRow;
  delivery_positions: DeliveryPositionRow;
  e2ee_backups: E2eeBackupRow;
  e2ee_archive: E2eeArchiveRow;
  push_subscriptions: PushSubscriptionRow;
  push_vapid_keys: PushVapidKeyRow;
  passkeys: PasskeyRow;
  passkey_challenges: PasskeyChallengeRow;
  server_processes: ServerProcessRow;
  online_users: OnlineUserRow;
}
