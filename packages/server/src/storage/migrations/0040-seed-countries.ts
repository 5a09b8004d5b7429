import type { Kysely } from 'kysely';
import { COUNTRIES } from '@enlets/protocol';

/** The network's countries are reference data every deployment starts with. */
export async function up(db: Kysely<unknown>): Promise<void> {
  const rows = COUNTRIES.map((c) => ({ code: c.code, name: c.name, eu: c.eu ? 1 : 0 }));
  await (db as Kysely<{ countries: { code: string; name: string; eu: number } }>)
    .insertInto('countries')
    .values(rows)
    .execute();
}
