import { randomUUID } from 'node:crypto';
import type { ConversationKind, MemberRole, TlpLevel, UserId } from '@enlets/protocol';
import { inTransaction } from '../../src/domain/services.js';
import { insertConversation, insertMembership } from '../../src/storage/repositories/conversations.js';
import type { TestServer } from './server.js';

export interface ConversationSpec {
  readonly kind?: ConversationKind;
  readonly tlp?: TlpLevel;
  readonly readOnly?: boolean;
  readonly messageTtlMs?: number | null;
  readonly members: ReadonlyArray<{ readonly id: UserId; readonly role?: MemberRole }>;
}

/**
 * A conversation with members, written through the repositories: suites about delivery need one without
 * depending on the conversation API (which has its own suite).
 */
export async function createConversation(server: TestServer, spec: ConversationSpec): Promise<string> {
  const services = server.built.services;
  const id = randomUUID();
  await inTransaction(services, async (trx) => {
    const now = services.clock.now();
    await insertConversation(trx, {
      id,
      kind: spec.kind ?? 'group',
      name: 'Test conversation',
      description: null,
      tlp: spec.tlp ?? 'GREEN',
      joinMode: null,
      listed: false,
      passwordHash: null,
      readOnly: spec.readOnly ?? false,
      leaveAllowed: true,
      scopeKind: null,
      scopeId: null,
      messageTtlMs: spec.messageTtlMs ?? null,
      historyVisible: false,
      directKey: null,
      createdBy: spec.members[0]?.id ?? null,
      createdAt: now,
    });
    for (const m of spec.members) {
      await insertMembership(trx, {
        conversationId: id,
        userId: m.id,
        role: m.role ?? 'member',
        joinedAt: now,
        visibleFromSeq: 0,
      });
    }
  });
  return id;
}

/** A payload as clients send it: opaque bytes, base64. */
export function payload(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

export function newClientId(): string {
  return randomUUID();
}
