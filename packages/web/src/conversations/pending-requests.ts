/**
 * The closed channels this user asked to join on this browser, so the directory can say "request pending"
 * (the server keeps the requests for the managers, but lists them to no one else). Dropped once the channel
 * shows as joined. Only channel ids are kept, and a browser that lost them merely shows the button again: a
 * repeated request changes nothing on the server.
 */
const keyOf = (userId: string): string => `enlets.joinRequests.${userId}`;

export function pendingRequests(userId: string): ReadonlySet<string> {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(keyOf(userId)) ?? '[]');
    return new Set(Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  } catch {
    return new Set();
  }
}

export function savePendingRequests(userId: string, channelIds: ReadonlySet<string>): void {
  try {
    localStorage.setItem(keyOf(userId), JSON.stringify([...channelIds]));
  } catch {
    // Storage full or blocked: the pending mark lasts as long as this page.
  }
}
