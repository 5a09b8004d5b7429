import type { AgencyId, TimestampMs } from '@enlets/protocol';
import type { AgencyRow } from '../schema.js';
import type { Db } from './users.js';

export interface AgencyRecord {
  readonly id: AgencyId;
  readonly countryCode: string;
  readonly name: string;
  readonly createdAt: TimestampMs;
}

function rowToAgency(row: AgencyRow): AgencyRecord {
  return { id: row.id as AgencyId, countryCode: row.country_code, name: row.name, createdAt: row.created_at };
}

export async function insertAgency(
  db: Db,
  agency: { id: AgencyId; countryCode: string; name: string; now: TimestampMs },
): Promise<void> {
  await db
    .insertInto('agencies')
    .values({ id: agency.id, country_code: agency.countryCode, name: agency.name, created_at: agency.now })
    .execute();
}

export async function findAgency(db: Db, id: string): Promise<AgencyRecord | undefined> {
  const row = await db.selectFrom('agencies').selectAll().where('id', '=', id).executeTakeFirst();
  return row && rowToAgency(row);
}

export async function findAgencyByName(
  db: Db,
  countryCode: string,
  name: string,
): Promise<AgencyRecord | undefined> {
  const row = await db
    .selectFrom('agencies')
    .selectAll()
    .where('country_code', '=', countryCode)
    .where('name', '=', name)
    .executeTakeFirst();
  return row && rowToAgency(row);
}

export async function listAgencies(db: Db, countryCode?: string): Promise<readonly AgencyRecord[]> {
  let query = db.selectFrom('agencies').selectAll().orderBy('country_code').orderBy('name');
  if (countryCode !== undefined) query = query.where('country_code', '=', countryCode);
  return (await query.execute()).map(rowToAgency);
}

export async function countryExists(db: Db, code: string): Promise<boolean> {
  return (
    (await db.selectFrom('countries').select('code').where('code', '=', code).executeTakeFirst()) !==
    undefined
  );
}

/** Inserts the agency unless one of that name exists in the country; false when it existed (no error). */
export async function insertAgencyIfAbsent(
  db: Db,
  agency: { id: AgencyId; countryCode: string; name: string; now: TimestampMs },
): Promise<boolean> {
  const result = await db
    .insertInto('agencies')
    .values({ id: agency.id, country_code: agency.countryCode, name: agency.name, created_at: agency.now })
    .onConflict((oc) => oc.columns(['country_code', 'name']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}
