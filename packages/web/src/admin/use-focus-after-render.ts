import { useCallback, useEffect, useState, type RefObject } from 'react';

interface Target {
  readonly find: () => HTMLElement | null;
}

/**
 * Moves the keyboard focus to an element that the next renders create or enable: the button that replaces
 * the one just pressed, the row a closed detail came from. A `requestAnimationFrame` is not enough: React may
 * commit an update made after an `await` later than the next frame, and the element is not there yet (or still
 * disabled, or hidden). The effect runs after every commit until the element can take the focus.
 */
export function useFocusAfterRender(): (
  target: RefObject<HTMLElement | null> | (() => HTMLElement | null),
) => void {
  const [target, setTarget] = useState<Target | undefined>(undefined);

  useEffect(() => {
    if (target === undefined) return;
    const element = target.find();
    if (element === null || element.matches(':disabled') || element.getClientRects().length === 0) return;
    element.focus();
    setTarget(undefined);
  });

  return useCallback((next) => {
    setTarget({ find: typeof next === 'function' ? next : () => next.current });
  }, []);
}
