import { useId, type ReactNode, type Ref } from 'react';
import { useI18n } from '../i18n/I18nProvider.js';
import { PASSWORD_MIN } from './password-rules.js';

/**
 * The new password and its confirmation, as activation, first-admin setup and password reset ask for them: the
 * server's minimum in a hint the field is described by, and the field marked invalid when the server found the
 * password too weak.
 */
export function NewPasswordFields({
  password,
  confirmation,
  onPassword,
  onConfirmation,
  passwordRef,
  tooWeak = false,
  maxLength,
}: {
  readonly password: string;
  readonly confirmation: string;
  readonly onPassword: (value: string) => void;
  readonly onConfirmation: (value: string) => void;
  /** Focused when the screen opens and when the server refuses the password. */
  readonly passwordRef?: Ref<HTMLInputElement>;
  readonly tooWeak?: boolean;
  readonly maxLength?: number;
}): ReactNode {
  const i18n = useI18n();
  const ids = { password: useId(), hint: useId(), confirmation: useId() };
  return (
    <>
      <div className="field">
        <label htmlFor={ids.password}>{i18n.t('activate.password')}</label>
        <input
          id={ids.password}
          ref={passwordRef}
          type="password"
          autoComplete="new-password"
          required
          maxLength={maxLength}
          aria-describedby={ids.hint}
          aria-invalid={tooWeak ? true : undefined}
          value={password}
          onChange={(event) => onPassword(event.target.value)}
        />
        <p id={ids.hint} className="field-hint">
          {i18n.t('activate.passwordHint', { min: PASSWORD_MIN })}
        </p>
      </div>
      <div className="field">
        <label htmlFor={ids.confirmation}>{i18n.t('activate.confirmPassword')}</label>
        <input
          id={ids.confirmation}
          type="password"
          autoComplete="new-password"
          required
          maxLength={maxLength}
          value={confirmation}
          onChange={(event) => onConfirmation(event.target.value)}
        />
      </div>
    </>
  );
}
