import type { ReactNode, Ref } from 'react';
import { useI18n } from '../i18n/I18nProvider.js';
import { Field } from '../ui/Field.js';
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
  return (
    <>
      <Field
        label={i18n.t('activate.password')}
        hint={i18n.t('activate.passwordHint', { min: PASSWORD_MIN })}
        invalid={tooWeak}
      >
        {(control) => (
          <input
            {...control}
            ref={passwordRef}
            type="password"
            autoComplete="new-password"
            required
            maxLength={maxLength}
            value={password}
            onChange={(event) => onPassword(event.target.value)}
          />
        )}
      </Field>
      <Field label={i18n.t('activate.confirmPassword')}>
        {(control) => (
          <input
            {...control}
            type="password"
            autoComplete="new-password"
            required
            maxLength={maxLength}
            value={confirmation}
            onChange={(event) => onConfirmation(event.target.value)}
          />
        )}
      </Field>
    </>
  );
}
