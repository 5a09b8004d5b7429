import { Type, type Static } from 'typebox';
import { MailId, TimestampMs } from '../ids.js';
import { StrictObject } from './common.js';

/** A page of the audit log, newest first: entries with `seq < beforeSeq` (all when absent). */
export type AuditListQuery = Static<typeof AuditListQuery>;
export const AuditListQuery = StrictObject({
  beforeSeq: Type.Optional(Type.Integer({ minimum: 1, description: 'Only entries older than this seq' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
});

/** One entry of the tamper-evident audit log (the chain link `prevHash` is only needed to verify it). */
export type AuditEntrySummary = Static<typeof AuditEntrySummary>;
export const AuditEntrySummary = StrictObject({
  seq: Type.Integer({ minimum: 1 }),
  at: TimestampMs.Schema,
  actorId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  details: Type.Object({}, { additionalProperties: true }),
  hash: Type.String({ description: 'SHA-256 (hex) linking this entry to the one before it' }),
});

export type AuditListResponse = Static<typeof AuditListResponse>;
export const AuditListResponse = StrictObject({
  entries: Type.Array(AuditEntrySummary),
  /** Pass as `beforeSeq` for the next (older) page; null when this page reaches the first entry. */
  nextBeforeSeq: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
});

export const AUDIT_BREAK_REASONS = ['hash_mismatch', 'prev_hash_mismatch', 'seq_gap'] as const;
export type AuditBreakReason = (typeof AUDIT_BREAK_REASONS)[number];

/** The verdict of walking the whole hash chain: intact, or the first entry whose link does not hold. */
export type AuditVerifyResponse = Static<typeof AuditVerifyResponse>;
export const AuditVerifyResponse = Type.Union([
  StrictObject({
    ok: Type.Literal(true),
    entries: Type.Integer({ minimum: 0 }),
    headHash: Type.String(),
  }),
  StrictObject({
    ok: Type.Literal(false),
    /** How many entries verified before the break. */
    entries: Type.Integer({ minimum: 0 }),
    brokenAtSeq: Type.Integer({ minimum: 1 }),
    reason: Type.Union([
      Type.Literal('hash_mismatch'),
      Type.Literal('prev_hash_mismatch'),
      Type.Literal('seq_gap'),
    ]),
  }),
]);

export const MAIL_STATUSES = ['queued', 'sent', 'failed'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];
export const MailStatusSchema = Type.Union([
  Type.Literal('queued'),
  Type.Literal('sent'),
  Type.Literal('failed'),
]);

export type MailListQuery = Static<typeof MailListQuery>;
export const MailListQuery = StrictObject({
  status: Type.Optional(MailStatusSchema),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});

/** An outgoing mail as admins see it: never its body, which can hold one-time links. */
export type MailSummary = Static<typeof MailSummary>;
export const MailSummary = StrictObject({
  id: MailId.Schema,
  to: Type.String(),
  subject: Type.String(),
  kind: Type.String(),
  status: MailStatusSchema,
  attempts: Type.Integer({ minimum: 0 }),
  nextAttemptAt: TimestampMs.Schema,
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: TimestampMs.Schema,
  sentAt: Type.Union([TimestampMs.Schema, Type.Null()]),
});

export type MailListResponse = Static<typeof MailListResponse>;
export const MailListResponse = StrictObject({
  /** False when no SMTP server is configured: mail then waits in the queue. */
  smtpConfigured: Type.Boolean(),
  mails: Type.Array(MailSummary),
});

export type MailRetryResponse = Static<typeof MailRetryResponse>;
export const MailRetryResponse = StrictObject({ id: MailId.Schema, status: Type.Literal('queued') });
