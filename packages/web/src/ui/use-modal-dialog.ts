import { useEffect, type RefObject } from 'react';

/**
 * Shows a `<dialog>` as a modal while the component is mounted: the rest of the page is inert and Escape closes
 * it; on unmount it closes and the focus goes back where it was before it opened.
 */
export function useModalDialog(dialog: RefObject<HTMLDialogElement | null>): void {
  useEffect(() => {
    const element = dialog.current;
    const before = document.activeElement;
    element?.showModal();
    return () => {
      element?.close();
      if (before instanceof HTMLElement) before.focus();
    };
  }, [dialog]);
}
