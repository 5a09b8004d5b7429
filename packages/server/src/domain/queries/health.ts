import { sql } from 'kysely';
import { isSchemaCurrent } from '../../storage/migrator.js';
import type { Services } from '../services.js';

export async function checkReadiness(
  services: Services,
): Promise<{ database: boolean; migrations: boolean }> {
  try {
    await sql`select 1`.execute(services.db);
  } catch {
    return { database: false, migrations: false };
  }
  return { database: true, migrations: await isSchemaCurrent(services.db) };
}
