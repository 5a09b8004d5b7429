import type { Trx, Services } from './services.js';
import { lockSequence } from '../storage/dialects/index.js';
import {
  entryHash,
  findAuditHead,
  insertAuditEntry,
  listAuditEntries,
  GENESIS_HASH,
  type AuditEntry,
} from '../storage/repositories/audit-log.js';

/** Advisory-lock key that serialises audit appends on PostgreSQL ("AUDT"). */
const AUDIT_LOCK_KEY = 0x41554454;

/** Privileged actions written to the audit log. Names are `<noun>.<past-verb>`, never reused. */
export type AuditAction =
  | 'setup.completed'
  | 'admin.created'
  | 'admin.logged_in'
  | 'application.approved'
  | 'application.rejected'
  | 'member.suspended'
  | 'member.reactivated'
  | 'member.removed'
  | 'member.left'
  | 'role.granted'
  | 'role.revoked'
  | 'agency.created'
  | 'mail.retried'
  | 'audit.exported'
  | 'demo.seeded'
  | 'e2ee_backup.created'
  | 'e2ee_backup.replaced'
  | 'history_for_newcomers.changed'
  | 'history.shared'
  | 'passkey.registered'
  | 'passkey.removed'
  | 'passkey.clone_suspected';

export interface AuditInput {
  readonly actorId: string | null;
  readonly action: AuditAction;
  readonly targetType?: string;
  readonly targetId?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Appends one entry to the hash chain, inside the caller's transaction: the entry exists exactly when the
 * action it records committed. Details must never hold secrets or message content.
 */
export async function appendAudit(services: Services, trx: Trx, input: AuditInput): Promise<AuditEntry> {
  await lockSequence(trx, services.dialect, AUDIT_LOCK_KEY);
  const head = await findAuditHead(trx);
  const unhashed = {
    seq: head.seq + 1,
    at: services.clock.now(),
    actorId: input.actorId,
    action: input.action,
    targetType: input.targetType ?? null,
    targetId: input.targetId ?? null,
    details: input.details ?? {},
    prevHash: head.hash,
  };
  const entry: AuditEntry = { ...unhashed, hash: entryHash(unhashed) };
  await insertAuditEntry(trx, entry);
  return entry;
}

export type ChainVerdict =
  | { readonly ok: true; readonly entries: number; readonly headHash: string }
  | {
      readonly ok: false;
      readonly entries: number;
      readonly brokenAtSeq: number;
      readonly reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'seq_gap';
    };

/** Walks the whole chain in pages and reports the first entry whose link does not hold. */
export async function verifyAuditChain(services: Pick<Services, 'db'>): Promise<ChainVerdict> {
  const PAGE = 1000;
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (;;) {
    const page = await listAuditEntries(services.db, expectedSeq - 1, PAGE);
    for (const entry of page) {
      if (entry.seq !== expectedSeq)
        return { ok: false, entries: count, brokenAtSeq: expectedSeq, reason: 'seq_gap' };
      if (entry.prevHash !== prevHash) {
        return { ok: false, entries: count, brokenAtSeq: entry.seq, reason: 'prev_hash_mismatch' };
      }
      if (entryHash(entry) !== entry.hash) {
        return { ok: false, entries: count, brokenAtSeq: entry.seq, reason: 'hash_mismatch' };
      }
      prevHash = entry.hash;
      expectedSeq += 1;
      count += 1;
    }
    if (page.length < PAGE) return { ok: true, entries: count, headHash: prevHash };
  }
}
