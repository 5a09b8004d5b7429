/**
 * Which link destinations a message may carry. A message comes from another person (or from whoever took over
 * their device), so a link is only a link when following it can do nothing but open a web page or compose a
 * mail: http:, https: and mailto:, written out in full. Everything else — javascript:, data:, vbscript:, file:,
 * relative and protocol-relative (`//host`) addresses, and addresses hiding invisible or control characters —
 * is shown as the text that was typed. Pure: no DOM, so Node tests run it as the browser does.
 */

/** The schemes a link may use, as the URL parser spells them. */
export const LINK_PROTOCOLS: readonly string[] = ['http:', 'https:', 'mailto:'];

/**
 * Written out in full: the URL parser would also read `https:evil.example`, `http:/evil.example` or backslashes as
 * web addresses, forms no honest sender types and a reader cannot check.
 */
const WRITTEN_OUT = /^(?:https?:\/\/|mailto:)[^\\]*$/i;

/**
 * Characters with no business in a link a person can check by eye: controls (the URL parser would silently drop
 * a tab in `java\tscript:`), format characters (bidi overrides that reorder what is shown, zero-width
 * characters), and any whitespace.
 */
const HIDDEN_OR_SPACE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Zs}\p{Default_Ignorable_Code_Point}]/u;

/**
 * The destination to put in `href`, normalised by the URL parser (an international host in its ASCII form, so a
 * look-alike letter shows as `xn--…`), or null when the link must not be a link.
 */
export function allowedLinkHref(destination: string): string | null {
  if (!WRITTEN_OUT.test(destination) || HIDDEN_OR_SPACE.test(percentDecoded(destination))) return null;
  let url: URL;
  try {
    url = new URL(destination);
  } catch {
    return null;
  }
  if (!LINK_PROTOCOLS.includes(url.protocol)) return null;
  if (url.protocol === 'mailto:') return url.pathname === '' ? null : url.href;
  // `https://police.example@evil.example/` reads as police.example but goes to evil.example.
  if (url.hostname === '' || url.username !== '' || url.password !== '') return null;
  return url.href;
}

/**
 * The Markdown parser percent-encodes what it may not put in an address (`%E2%80%AE` for a right-to-left
 * override): the check must see the characters themselves.
 */
function percentDecoded(destination: string): string {
  try {
    return decodeURI(destination);
  } catch {
    return destination; // a stray `%` hides nothing
  }
}

/**
 * Whether a link's text says exactly where it goes: it is the destination as the parser wrote it (an autolink,
 * or a mail address for its mailto: link). Anything else — other words, another address, an address with a
 * look-alike letter that the parser turned into `xn--…` — gets the destination shown beside it.
 */
export function linkTextShowsDestination(text: string, href: string): boolean {
  const shown = text.trim();
  return shown === href || `${shown}/` === href || `mailto:${shown}` === href;
}
