import type { UserId } from '@enlets/protocol';
import type { Db } from './users.js';

/** The owner and managers of a conversation (who decide on join requests), without loading every member. */
export async function listManagerIds(db: Db, conversationId: string): Promise<readonly UserId[]> {
  const rows = await db
    .selectFrom('conversation_members')
    .select('user_id')
    .where('conversation_id', '=', conversationId)
    .where('role', 'in', ['owner', 'manager'])
    .execute();
  return rows.map((r) => r.user_id as UserId);
}
