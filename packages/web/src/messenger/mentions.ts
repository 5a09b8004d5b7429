import { safeName } from '../ui/safe-name.js';

/** Someone who can be mentioned: a member, under the name shown for them (invisible characters removed). */
export interface MentionCandidate {
  readonly userId: string;
  readonly name: string;
}

/** The word that mentions everyone in a conversation (`mentionsAll`); in channels only managers may use it. */
export const MENTION_ALL = 'channel';

/** Longest text after an `@` still read as a name being typed (names have spaces: "@Anna Sch"). */
const MAX_QUERY = 40;

/** The `@…` being typed at the caret: where its `@` is and what follows it; undefined when none. */
export function mentionQuery(
  text: string,
  caret: number,
): { readonly start: number; readonly query: string } | undefined {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf('@');
  if (at === -1 || caret - at - 1 > MAX_QUERY) return undefined;
  // An @ inside a word (an e-mail address) is not a mention.
  if (at > 0 && !/\s/u.test(before.charAt(at - 1))) return undefined;
  const query = before.slice(at + 1);
  if (/[\n@]/u.test(query) || query.startsWith(' ')) return undefined;
  return { start: at, query };
}

/** The members (not us) whose name, or a word of it, starts with `query`; best first, at most `limit`. */
export function suggestMentions(
  members: readonly { readonly userId: string; readonly displayName: string }[],
  query: string,
  ownUserId: string,
  limit = 6,
): MentionCandidate[] {
  const wanted = query.toLocaleLowerCase();
  const scored: { candidate: MentionCandidate; score: number }[] = [];
  for (const member of members) {
    if (member.userId === ownUserId) continue;
    const name = safeName(member.displayName).text;
    if (name === '') continue;
    const lower = name.toLocaleLowerCase();
    const score = lower.startsWith(wanted)
      ? 0
      : lower.split(/\s+/u).some((word) => word.startsWith(wanted))
        ? 1
        : -1;
    if (score >= 0) scored.push({ candidate: { userId: member.userId, name }, score });
  }
  scored.sort((a, b) => a.score - b.score || a.candidate.name.localeCompare(b.candidate.name));
  return scored.slice(0, limit).map((s) => s.candidate);
}

/** Replaces the `@query` from `start` to `caret` with `@label ` and says where the caret goes. */
export function insertMention(
  text: string,
  start: number,
  caret: number,
  label: string,
): { readonly text: string; readonly caret: number } {
  const inserted = `@${label} `;
  const rest = text.slice(caret).replace(/^ /u, '');
  return { text: text.slice(0, start) + inserted + rest, caret: start + inserted.length };
}

/**
 * Who a message mentions, from its text: each member whose `@name` it contains (the name as the autocomplete
 * inserts it), and `@channel` when allowed. The server counts these for the mentioned people's lists.
 */
export function mentionsIn(
  text: string,
  members: readonly { readonly userId: string; readonly displayName: string }[],
  ownUserId: string,
  mayMentionAll: boolean,
): { readonly mentions: string[]; readonly mentionsAll: boolean } {
  const mentions = members
    .filter((m) => m.userId !== ownUserId)
    .filter((m) => {
      const name = safeName(m.displayName).text;
      return name !== '' && containsWord(text, `@${name}`);
    })
    .map((m) => m.userId);
  return { mentions, mentionsAll: mayMentionAll && containsWord(text, `@${MENTION_ALL}`) };
}

/** `needle` in `text`, not followed by a letter or digit (so "@Ann" does not match "@Anna"). */
function containsWord(text: string, needle: string): boolean {
  let from = 0;
  for (;;) {
    const at = text.indexOf(needle, from);
    if (at === -1) return false;
    const next = text.charAt(at + needle.length);
    if (next === '' || !/[\p{L}\p{N}]/u.test(next)) return true;
    from = at + 1;
  }
}
