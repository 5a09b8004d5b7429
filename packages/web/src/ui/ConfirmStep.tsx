import { useEffect, useRef, type ReactNode } from 'react';

/**
 * "Sign out …? / Remove …? — Yes / Cancel" in place of the button that asked, for actions that cannot be undone
 * (a signed-out device must sign in again, a removed passkey must be added again from its device): a second,
 * deliberate step. Focus moves to the confirming button; Escape cancels.
 */
export function ConfirmStep({
  question,
  confirmLabel,
  cancelLabel,
  busy,
  onConfirm,
  onCancel,
}: {
  readonly question: string;
  readonly confirmLabel: string;
  readonly cancelLabel: string;
  readonly busy: boolean;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
}): ReactNode {
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    confirm.current?.focus();
  }, []);
  return (
    <div
      className="account-confirm"
      role="group"
      aria-label={question}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onCancel();
      }}
    >
      <span>{question}</span>
      <button type="button" ref={confirm} className="danger" disabled={busy} onClick={onConfirm}>
        {confirmLabel}
      </button>
      <button type="button" disabled={busy} onClick={onCancel}>
        {cancelLabel}
      </button>
    </div>
  );
}
