import type { MemberListStatus } from '@enlets/protocol';
import { sql } from 'kysely';
import { rowToUser, type Db, type UserRecord } from './users.js';

export interface MemberPageQuery {
  readonly status: MemberListStatus;
  /** Only members of these countries (none: nobody); every country when absent. */
  readonly countryCodes?: readonly string[];
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

/** Members of one status ordered by display name then id, one page (keyset pagination: stable under inserts). */
export async function listMembersPage(db: Db, page: MemberPageQuery): Promise<readonly UserRecord[]> {
  // `in ()` is not SQL: no countries is simply no one.
  if (page.countryCodes?.length === 0) return [];
  let query = db
    .selectFrom('users')
    .selectAll()
    .where('status', '=', page.status)
    .orderBy('display_name')
    .orderBy('id')
    .limit(page.limit);
  if (page.countryCodes !== undefined) query = query.where('country_code', 'in', page.countryCodes);
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
