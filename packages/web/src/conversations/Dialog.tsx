import { useEffect, useId, useRef, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { useI18n } from '../i18n/I18nProvider.js';

interface DialogProps {
  readonly title: ReactNode;
  readonly onClose: () => void;
  readonly children: ReactNode;
  readonly className?: string;
}

const FOCUSABLE =
  'a[href], button:not(:disabled), input:not(:disabled), select:not(:disabled), textarea:not(:disabled), summary, [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog, shown while mounted: the native `<dialog>` in modal mode makes the rest of the page inert
 * (for pointer, keyboard and screen readers alike); Tab and Shift+Tab stay inside it; Escape and the close
 * button call `onClose`; and the focus goes back to where it was before it opened (the button that opened it).
 */
export function Dialog({ title, onClose, children, className }: DialogProps): ReactNode {
  const i18n = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const element = dialog.current;
    if (element === null) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    element.showModal();
    // The first field or button of the content (the close button comes before it in the tab order).
    element.querySelector<HTMLElement>(`.dialog-body :is(${FOCUSABLE})`)?.focus();
    // Escape: the browser would close the dialog behind React's back; the owner decides instead.
    const cancel = (event: Event): void => {
      event.preventDefault();
      close.current();
    };
    element.addEventListener('cancel', cancel);
    return () => {
      element.removeEventListener('cancel', cancel);
      element.close();
      // Back where the person was, unless what opened it is gone (a left conversation's button, say).
      if (opener?.isConnected === true) opener.focus();
    };
    // Opened once, for as long as the dialog is mounted.
  }, []);

  // On the body, not where it is opened from: a phone hides the list or the chat pane (display: none), and a
  // dialog inside a hidden element is not shown at all.
  return createPortal(
    <dialog
      ref={dialog}
      className={className === undefined ? 'dialog' : `dialog ${className}`}
      aria-labelledby={titleId}
      onKeyDown={(event) => {
        if (event.key !== 'Tab' || dialog.current === null) return;
        const focusable = [...dialog.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
          (e) => e.offsetParent !== null || e === document.activeElement,
        );
        const first = focusable[0];
        const last = focusable.at(-1);
        if (first === undefined || last === undefined) return;
        if (event.shiftKey && document.activeElement === first) {
          event.preventDefault();
          last.focus();
        } else if (!event.shiftKey && document.activeElement === last) {
          event.preventDefault();
          first.focus();
        }
      }}
    >
      <header className="dialog-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="dialog-close" onClick={onClose}>
          <span aria-hidden="true">×</span>
          <span className="visually-hidden">{i18n.t('convo.close')}</span>
        </button>
      </header>
      <div className="dialog-body">{children}</div>
    </dialog>,
    document.body,
  );
}
