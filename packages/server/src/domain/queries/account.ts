import type { Static } from 'typebox';
import type { Me, SessionInfo } from '@enlets/protocol';
import { listLiveSessions } from '../../storage/repositories/sessions.js';
import {
  findUserById,
  listRoles,
  type RoleGrantRecord,
  type UserRecord,
} from '../../storage/repositories/users.js';
import type { Actor } from '../actor.js';
import { notFound } from '../errors.js';
import type { Services } from '../services.js';
import { chosenPresence, type ChosenPresence } from './presence.js';

/** The wire shape of `GET /me`. */
export type MeView = Static<typeof Me>;

/** The wire view of one's own account. Unscoped roles carry no `scope`. */
export function toMe(user: UserRecord, roles: readonly RoleGrantRecord[], presence: ChosenPresence): MeView {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    countryCode: user.countryCode,
    agencyId: user.agencyId,
    status: user.status,
    roles: roles.map((g) => (g.scope === '' ? { role: g.role } : { role: g.role, scope: g.scope })),
    totpEnabled: user.totpEnabled,
    createdAt: user.createdAt,
    availability: presence.availability,
    statusText: presence.text,
    readReceipts: user.readReceipts,
  };
}

export async function getMe(services: Services, userId: string): Promise<MeView> {
  const user = await findUserById(services.db, userId);
  if (user === undefined) throw notFound('account');
  const [roles, presence] = await Promise.all([
    listRoles(services.db, user.id),
    chosenPresence(services, user.id),
  ]);
  return toMe(user, roles, presence);
}

/** The caller's live sessions, most recently used first, marking the one this request came with. */
export async function listMySessions(services: Services, actor: Actor): Promise<SessionInfo[]> {
  const sessions = await listLiveSessions(services.db, actor.user.id, services.clock.now());
  return sessions.map((s) => ({
    id: s.id,
    createdAt: s.createdAt,
    lastUsedAt: s.lastUsedAt,
    userAgent: s.userAgent,
    ip: s.ip,
    deviceLabel: s.deviceLabel,
    current: s.id === actor.session.id,
  }));
}
