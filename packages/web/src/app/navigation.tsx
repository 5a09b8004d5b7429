import { useMemo, useSyncExternalStore, type MouseEvent, type ReactNode } from 'react';
import { parseRoute, type Route } from './routes.js';

/** Fired on `window` after the app itself changed the address (the History API has no event for that). */
const NAVIGATED = 'enlets:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATED, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATED, onChange);
  };
}

function currentAddress(): string {
  return window.location.pathname + window.location.hash;
}

/** Goes to an address of the app without reloading the page; `replace` leaves no entry to go back to. */
export function navigate(path: string, options: { readonly replace?: boolean } = {}): void {
  if (path === currentAddress()) return;
  if (options.replace === true) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  window.scrollTo(0, 0);
  window.dispatchEvent(new Event(NAVIGATED));
}

/** The route of the current address, following the app's navigation and the browser's back and forward. */
export function useRoute(): Route {
  const address = useSyncExternalStore(subscribe, currentAddress);
  return useMemo(() => {
    const url = new URL(address, window.location.origin);
    return parseRoute(url.pathname, url.hash);
  }, [address]);
}

/**
 * A plain link to a screen of the app: a real `<a href>` (open in a new tab, copy the address, keyboard and
 * screen readers as usual), followed without a page load when clicked as is.
 */
export function Link({
  to,
  className,
  children,
}: {
  readonly to: string;
  readonly className?: string;
  readonly children: ReactNode;
}): ReactNode {
  const follow = (event: MouseEvent<HTMLAnchorElement>): void => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} className={className} onClick={follow}>
      {children}
    </a>
  );
}
