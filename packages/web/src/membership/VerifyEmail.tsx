import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { Link } from '../app/navigation.js';
import { PATHS } from '../app/routes.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { cookieHttpClient } from '../session/cookie-session.js';
import { verifyApplicationEmail } from './membership-api.js';
import { membershipErrorMessage } from './membership-errors.js';
import { FormError, MembershipPage } from './MembershipPage.js';

type State =
  | { readonly kind: 'ready' }
  | { readonly kind: 'busy' }
  | { readonly kind: 'failed'; readonly error: unknown }
  | { readonly kind: 'verified' };

/**
 * The link in the application's first mail. Confirming takes a press of a button rather than happening on
 * load: a mail filter that opens links to scan them would otherwise use the one-time link up.
 */
export function VerifyEmail({ token }: { readonly token: string | undefined }): ReactNode {
  const i18n = useI18n();
  const http = useMemo(() => cookieHttpClient(), []);
  const [state, setState] = useState<State>({ kind: 'ready' });
  const button = useRef<HTMLButtonElement>(null);
  const doneHeading = useRef<HTMLHeadingElement>(null);
  const ids = { heading: useId(), error: useId() };

  useEffect(() => {
    if (state.kind === 'verified') doneHeading.current?.focus();
    else if (state.kind === 'ready') button.current?.focus();
  }, [state.kind]);

  const confirm = async (): Promise<void> => {
    if (token === undefined) return;
    setState({ kind: 'busy' });
    try {
      await verifyApplicationEmail(http, token);
      setState({ kind: 'verified' });
    } catch (caught) {
      setState({ kind: 'failed', error: caught });
    }
  };

  if (state.kind === 'verified') {
    return (
      <MembershipPage>
        <section className="membership-done" aria-labelledby={ids.heading}>
          <h2 id={ids.heading} ref={doneHeading} tabIndex={-1}>
            {i18n.t('verify.doneHeading')}
          </h2>
          <p>{i18n.t('verify.doneText')}</p>
          <Link to={PATHS.home}>{i18n.t('membership.toSignIn')}</Link>
        </section>
      </MembershipPage>
    );
  }
  const errorText =
    token === undefined
      ? i18n.t('membership.error.tokenMissing')
      : state.kind === 'failed'
        ? membershipErrorMessage(state.error, i18n)
        : undefined;
  return (
    <MembershipPage>
      <section className="membership-form" aria-labelledby={ids.heading}>
        <h2 id={ids.heading}>{i18n.t('verify.heading')}</h2>
        <p>{i18n.t('verify.intro')}</p>
        <FormError id={ids.error} text={errorText} />
        {token !== undefined && (
          <button
            type="button"
            ref={button}
            className="primary"
            disabled={state.kind === 'busy'}
            aria-describedby={errorText === undefined ? undefined : ids.error}
            onClick={() => void confirm()}
          >
            {state.kind === 'busy' ? i18n.t('verify.confirming') : i18n.t('verify.confirm')}
          </button>
        )}
        <Link to={PATHS.apply} className="membership-secondary-link">
          {i18n.t('verify.applyAgain')}
        </Link>
      </section>
    </MembershipPage>
  );
}
