import { sql } from 'kysely';
import { rowToUser, type Db, type UserRecord } from './users.js';

export interface MemberPageQuery {
  readonly countryCode?: string;
  /** Part of the display name, case-insensitive. */
  readonly q?: string;
  readonly limit: number;
  /** Keyset position: the last row of the previous page. */
  readonly after?: { readonly displayName: string; readonly id: string };
}

/** `%`, `_` and `\` typed by a user are matched literally. */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Active members ordered by display name then id, one page (keyset pagination: stable under inserts). */
export async function listActiveMembers(db: Db, page: MemberPageQuery): Promise<readonly UserRecord[]> {
  let query = db
    .selectFrom('users')
    .selectAll()
    .where('status', '=', 'active')
    .orderBy('display_name')
    .orderBy('id')
    .limit(page.limit);
  if (page.countryCode !== undefined) query = query.where('country_code', '=', page.countryCode);
  if (page.q !== undefined) {
    const pattern = likePattern(page.q);
    query = query.where(sql<boolean>`lower(display_name) like ${pattern} escape '\\'`);
  }
  if (page.after !== undefined) {
    const { displayName, id } = page.after;
    query = query.where((eb) =>
      eb.or([
        eb('display_name', '>', displayName),
        eb.and([eb('display_name', '=', displayName), eb('id', '>', id)]),
      ]),
    );
  }
  return (await query.execute()).map(rowToUser);
}
