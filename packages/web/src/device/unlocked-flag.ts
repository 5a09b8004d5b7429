/**
 * Whether this browser opened the account's keys last time (and a recovery backup exists): then the messenger
 * shows at once while the worker opens them again, instead of a loading screen. Only a hint for the first
 * paint, holding nothing secret; the worker's answer decides (a wiped store falls back to the unlock screen).
 */
const key = (userId: string): string => `enlets.unlocked.${userId}`;

export function wasUnlocked(userId: string): boolean {
  try {
    return localStorage.getItem(key(userId)) === '1';
  } catch {
    return false;
  }
}

export function rememberUnlocked(userId: string, unlocked: boolean): void {
  try {
    if (unlocked) localStorage.setItem(key(userId), '1');
    else localStorage.removeItem(key(userId));
  } catch {
    // Storage disabled: every start shows the opening screen.
  }
}
