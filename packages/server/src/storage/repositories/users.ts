import type { Kysely, Selectable, Transaction } from 'kysely';
import type { AccountStatus, AgencyId, Role, TimestampMs, UserId } from '@enlets/protocol';
import type { DB, UserRow, UserRoleRow } from '../schema.js';

export type Db = Kysely<DB> | Transaction<DB>;

export interface RoleGrantRecord {
  readonly role: Role;
  /** '' for unscoped roles. */
  readonly scope: string;
}

export interface UserRecord {
  readonly id: UserId;
  readonly email: string;
  readonly displayName: string;
  readonly countryCode: string | null;
  readonly agencyId: AgencyId | null;
  readonly position: string | null;
  readonly status: AccountStatus;
  readonly statusReason: string | null;
  readonly passwordHash: string | null;
  readonly totpSecret: string | null;
  readonly totpEnabled: boolean;
  readonly totpLastStep: number;
  /** Shows and sees read receipts ("seen by"). */
  readonly readReceipts: boolean;
  readonly createdAt: TimestampMs;
  readonly updatedAt: TimestampMs;
}

export function rowToUser(row: Selectable<UserRow>): UserRecord {
  return {
    id: row.id as UserId,
    email: row.email,
    displayName: row.display_name,
    countryCode: row.country_code,
    agencyId: row.agency_id as AgencyId | null,
    position: row.position,
    status: row.status as AccountStatus,
    statusReason: row.status_reason,
    passwordHash: row.password_hash,
    totpSecret: row.totp_secret,
    totpEnabled: row.totp_enabled === 1,
    totpLastStep: row.totp_last_step,
    readReceipts: row.read_receipts === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** E-mail addresses are compared case-insensitively; we store them lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function findUserById(db: Db, id: string): Promise<UserRecord | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row && rowToUser(row);
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRecord | undefined> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('email', '=', normalizeEmail(email))
    .executeTakeFirst();
  return row && rowToUser(row);
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return row.n;
}

export interface NewUser {
  readonly id: UserId;
  readonly email: string;
  readonly displayName: string;
  readonly countryCode: string | null;
  readonly agencyId: string | null;
  readonly position: string | null;
  readonly status: AccountStatus;
  readonly passwordHash: string | null;
  readonly now: TimestampMs;
}

export async function insertUser(db: Db, user: NewUser): Promise<void> {
  await db
    .insertInto('users')
    .values({
      id: user.id,
      email: normalizeEmail(user.email),
      display_name: user.displayName,
      country_code: user.countryCode,
      agency_id: user.agencyId,
      position: user.position,
      status: user.status,
      status_reason: null,
      password_hash: user.passwordHash,
      totp_secret: null,
      totp_enabled: 0,
      totp_last_step: 0,
      created_at: user.now,
      updated_at: user.now,
    })
    .execute();
}

export type UserPatch = Partial<{
  displayName: string;
  status: AccountStatus;
  statusReason: string | null;
  passwordHash: string | null;
  totpSecret: string | null;
  totpEnabled: boolean;
  totpLastStep: number;
  readReceipts: boolean;
  countryCode: string | null;
  agencyId: string | null;
  position: string | null;
}>;

export async function updateUser(db: Db, id: UserId, patch: UserPatch, now: TimestampMs): Promise<void> {
  await db
    .updateTable('users')
    .set({
      ...(patch.displayName !== undefined && { display_name: patch.displayName }),
      ...(patch.status !== undefined && { status: patch.status }),
      ...(patch.statusReason !== undefined && { status_reason: patch.statusReason }),
      ...(patch.passwordHash !== undefined && { password_hash: patch.passwordHash }),
      ...(patch.totpSecret !== undefined && { totp_secret: patch.totpSecret }),
      ...(patch.totpEnabled !== undefined && { totp_enabled: patch.totpEnabled ? 1 : 0 }),
      ...(patch.totpLastStep !== undefined && { totp_last_step: patch.totpLastStep }),
      ...(patch.readReceipts !== undefined && { read_receipts: patch.readReceipts ? 1 : 0 }),
      ...(patch.countryCode !== undefined && { country_code: patch.countryCode }),
      ...(patch.agencyId !== undefined && { agency_id: patch.agencyId }),
      ...(patch.position !== undefined && { position: patch.position }),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

function rowToGrant(row: Pick<UserRoleRow, 'role' | 'scope'>): RoleGrantRecord {
  return { role: row.role as Role, scope: row.scope };
}

export async function listRoles(db: Db, userId: UserId): Promise<readonly RoleGrantRecord[]> {
  const rows = await db
    .selectFrom('user_roles')
    .select(['role', 'scope'])
    .where('user_id', '=', userId)
    .orderBy('role')
    .orderBy('scope')
    .execute();
  return rows.map(rowToGrant);
}

export async function listRolesOfUsers(
  db: Db,
  userIds: readonly string[],
): Promise<ReadonlyMap<string, readonly RoleGrantRecord[]>> {
  const map = new Map<string, RoleGrantRecord[]>();
  if (userIds.length === 0) return map;
  const rows = await db
    .selectFrom('user_roles')
    .select(['user_id', 'role', 'scope'])
    .where('user_id', 'in', [...userIds])
    .orderBy('role')
    .orderBy('scope')
    .execute();
  for (const row of rows) {
    const list = map.get(row.user_id) ?? [];
    list.push(rowToGrant(row));
    map.set(row.user_id, list);
  }
  return map;
}

export async function grantRole(
  db: Db,
  userId: UserId,
  grant: RoleGrantRecord,
  grantedBy: UserId | null,
  now: TimestampMs,
): Promise<boolean> {
  const result = await db
    .insertInto('user_roles')
    .values({ user_id: userId, role: grant.role, scope: grant.scope, granted_at: now, granted_by: grantedBy })
    .onConflict((oc) => oc.columns(['user_id', 'role', 'scope']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function revokeRole(db: Db, userId: UserId, grant: RoleGrantRecord): Promise<boolean> {
  const result = await db
    .deleteFrom('user_roles')
    .where('user_id', '=', userId)
    .where('role', '=', grant.role)
    .where('scope', '=', grant.scope)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function revokeAllRoles(db: Db, userId: UserId): Promise<void> {
  await db.deleteFrom('user_roles').where('user_id', '=', userId).execute();
}

/** Active holders of a role in a scope, e.g. the NCPs of a country. */
export async function listUsersWithRole(db: Db, role: Role, scope: string): Promise<readonly UserRecord[]> {
  const rows = await db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .selectAll('users')
    .where('user_roles.role', '=', role)
    .where('user_roles.scope', '=', scope)
    .where('users.status', '=', 'active')
    .orderBy('users.display_name')
    .execute();
  return rows.map(rowToUser);
}
