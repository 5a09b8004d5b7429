import type { SessionRecord } from '../storage/repositories/sessions.js';
import type { RoleGrantRecord, UserRecord } from '../storage/repositories/users.js';

/** Who is calling: resolved once per request from the session, and passed to every action and guard. */
export interface Actor {
  readonly user: UserRecord;
  readonly roles: readonly RoleGrantRecord[];
  readonly session: SessionRecord;
}

/** Where a request came from, for throttling, session lists and new-device e-mails. */
export interface RequestOrigin {
  readonly ip: string;
  readonly userAgent: string | null;
}
