import type { AgencyId, ApplicationId, ApplicationStatus, TimestampMs, UserId } from '@enlets/protocol';
import type { ApplicationRow } from '../schema.js';
import type { Db } from './users.js';

export interface ApplicationRecord {
  readonly id: ApplicationId;
  readonly email: string;
  readonly displayName: string;
  readonly countryCode: string;
  readonly agencyId: AgencyId | null;
  readonly agencyName: string | null;
  readonly position: string;
  readonly justification: string;
  readonly status: ApplicationStatus;
  readonly createdAt: TimestampMs;
  readonly verifiedAt: TimestampMs | null;
  readonly decidedAt: TimestampMs | null;
  readonly decidedBy: UserId | null;
  readonly decisionReason: string | null;
  readonly userId: UserId | null;
}

function rowToApplication(row: ApplicationRow): ApplicationRecord {
  return {
    id: row.id as ApplicationId,
    email: row.email,
    displayName: row.display_name,
    countryCode: row.country_code,
    agencyId: row.agency_id as AgencyId | null,
    agencyName: row.agency_name,
    position: row.position,
    justification: row.justification,
    status: row.status as ApplicationStatus,
    createdAt: row.created_at,
    verifiedAt: row.verified_at,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by as UserId | null,
    decisionReason: row.decision_reason,
    userId: row.user_id as UserId | null,
  };
}

export interface NewApplication {
  readonly id: ApplicationId;
  readonly email: string;
  readonly displayName: string;
  readonly countryCode: string;
  readonly agencyId: string | null;
  readonly agencyName: string | null;
  readonly position: string;
  readonly justification: string;
  readonly now: TimestampMs;
}

export async function insertApplication(db: Db, a: NewApplication): Promise<void> {
  await db
    .insertInto('applications')
    .values({
      id: a.id,
      email: a.email,
      display_name: a.displayName,
      country_code: a.countryCode,
      agency_id: a.agencyId,
      agency_name: a.agencyName,
      position: a.position,
      justification: a.justification,
      status: 'email_unverified',
      created_at: a.now,
      verified_at: null,
      decided_at: null,
      decided_by: null,
      decision_reason: null,
      user_id: null,
    })
    .execute();
}

export async function findApplication(db: Db, id: string): Promise<ApplicationRecord | undefined> {
  const row = await db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
  return row && rowToApplication(row);
}

export interface ApplicationFilter {
  readonly statuses: readonly ApplicationStatus[];
  /** Undefined: every country. */
  readonly countryCodes?: readonly string[];
}

/** Newest first. */
export async function listApplications(
  db: Db,
  filter: ApplicationFilter,
): Promise<readonly ApplicationRecord[]> {
  if (filter.statuses.length === 0 || filter.countryCodes?.length === 0) return [];
  let query = db
    .selectFrom('applications')
    .selectAll()
    .where('status', 'in', [...filter.statuses])
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(500);
  if (filter.countryCodes !== undefined) query = query.where('country_code', 'in', [...filter.countryCodes]);
  return (await query.execute()).map(rowToApplication);
}

/** email_unverified → pending, once; false when it was not awaiting verification. */
export async function markApplicationVerified(db: Db, id: string, now: TimestampMs): Promise<boolean> {
  const result = await db
    .updateTable('applications')
    .set({ status: 'pending', verified_at: now })
    .where('id', '=', id)
    .where('status', '=', 'email_unverified')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * pending → approved/rejected, as one conditional UPDATE: of two vetters deciding at once exactly one changes
 * the row (on PostgreSQL the second waits for the first's row lock and then no longer matches).
 */
export async function decideApplication(
  db: Db,
  id: string,
  decision: {
    readonly status: 'approved' | 'rejected';
    readonly decidedBy: UserId;
    readonly reason: string | null;
    readonly now: TimestampMs;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('applications')
    .set({
      status: decision.status,
      decided_at: decision.now,
      decided_by: decision.decidedBy,
      decision_reason: decision.reason,
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function setApplicationUser(
  db: Db,
  id: string,
  userId: UserId,
  agencyId: string | null,
): Promise<void> {
  await db
    .updateTable('applications')
    .set({ user_id: userId, agency_id: agencyId })
    .where('id', '=', id)
    .execute();
}
