import type { CountryRow } from '../schema.js';
import type { Db } from './users.js';

export interface CountryRecord {
  readonly code: string;
  readonly name: string;
  readonly eu: boolean;
}

function rowToCountry(row: CountryRow): CountryRecord {
  return { code: row.code, name: row.name, eu: row.eu === 1 };
}

export async function listCountries(db: Db): Promise<readonly CountryRecord[]> {
  const rows = await db.selectFrom('countries').selectAll().orderBy('name').execute();
  return rows.map(rowToCountry);
}

export async function findCountry(db: Db, code: string): Promise<CountryRecord | undefined> {
  const row = await db.selectFrom('countries').selectAll().where('code', '=', code).executeTakeFirst();
  return row && rowToCountry(row);
}
