import { useId, type ReactNode } from 'react';

/** What a field's control (input, select, textarea) takes from its `Field`: spread it onto the control. */
export interface FieldControl {
  readonly id: string;
  readonly 'aria-describedby': string | undefined;
  readonly 'aria-invalid': true | undefined;
}

/**
 * A labelled form control with its optional hint and error line. The wiring every form needs lives here once:
 * the label names the control, the hint and error describe it (`aria-describedby`), and the control is marked
 * `aria-invalid` when the server refused it or it has an error. The control itself is the caller's
 * (`children` gets the props to spread), so inputs, selects and textareas keep their own attributes.
 */
export function Field({
  label,
  hint,
  error,
  invalid = false,
  className = 'field',
  children,
}: {
  readonly label: ReactNode;
  readonly hint?: ReactNode;
  /** Said under the control and read with it; also marks it invalid. */
  readonly error?: string;
  /** Marks the control invalid without a line of its own (the form says why, once, for all its fields). */
  readonly invalid?: boolean;
  /** `field` on the sign-in and membership screens, `account-field` on the account screens. */
  readonly className?: string;
  readonly children: (control: FieldControl) => ReactNode;
}): ReactNode {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint === undefined ? '' : hintId, error === undefined ? '' : errorId]
    .filter((part) => part !== '')
    .join(' ');
  return (
    <div className={className}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        'aria-describedby': describedBy === '' ? undefined : describedBy,
        'aria-invalid': invalid || error !== undefined ? true : undefined,
      })}
      {hint !== undefined && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {error !== undefined && (
        <p id={errorId} className="form-error">
          {error}
        </p>
      )}
    </div>
  );
}
