import { useEffect, useId, useMemo, useRef, useState, type ReactNode, type SyntheticEvent } from 'react';
import type { Agency, ApplyRequest, Country } from '@enlets/protocol';
import { EnletsApiError } from '@enlets/client';
import { Link } from '../app/navigation.js';
import { PATHS } from '../app/routes.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { cookieHttpClient } from '../session/cookie-session.js';
import { Field } from '../ui/Field.js';
import { sortedCountries } from './country-names.js';
import { applyForMembership, listAgencies, listCountries } from './membership-api.js';
import { membershipErrorMessage } from './membership-errors.js';
import { FormError, MembershipPage } from './MembershipPage.js';

/** The agency picker's choice for "my agency is not listed": its name is typed instead. */
const OTHER_AGENCY = 'other';
const JUSTIFICATION_MIN = 20;
const JUSTIFICATION_MAX = 2000;

type FieldName = 'email' | 'displayName' | 'countryCode' | 'agency' | 'position' | 'justification';
const FIELD_OF_PATH: Readonly<Record<string, FieldName>> = {
  '/email': 'email',
  '/displayName': 'displayName',
  '/countryCode': 'countryCode',
  '/agencyId': 'agency',
  '/agencyName': 'agency',
  '/position': 'position',
  '/justification': 'justification',
};

/** The fields the server refused (VALIDATION_FAILED lists them in `details.issues`). */
function refusedFields(error: unknown): ReadonlySet<FieldName> {
  if (!(error instanceof EnletsApiError)) return new Set();
  const issues = error.details?.['issues'];
  if (!Array.isArray(issues)) return new Set();
  const fields = new Set<FieldName>();
  for (const issue of issues as unknown[]) {
    const path = (issue as { path?: unknown } | null)?.path;
    const field = typeof path === 'string' ? FIELD_OF_PATH[path] : undefined;
    if (field !== undefined) fields.add(field);
  }
  if (error.code === 'UNKNOWN_COUNTRY') fields.add('countryCode');
  if (error.code === 'UNKNOWN_AGENCY') fields.add('agency');
  return fields;
}

/**
 * The public membership application. A well-formed application is always accepted: the next step, or the
 * news that the address has an account already, comes by e-mail (the form never tells who is a member).
 */
export function ApplyForm(): ReactNode {
  const i18n = useI18n();
  const http = useMemo(() => cookieHttpClient(), []);
  const [countries, setCountries] = useState<readonly Country[] | undefined>(undefined);
  const [agencies, setAgencies] = useState<readonly Agency[]>([]);
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [countryCode, setCountryCode] = useState('');
  const [agencyChoice, setAgencyChoice] = useState('');
  const [agencyName, setAgencyName] = useState('');
  const [position, setPosition] = useState('');
  const [justification, setJustification] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [sentTo, setSentTo] = useState<string | undefined>(undefined);
  const firstField = useRef<HTMLInputElement>(null);
  const doneHeading = useRef<HTMLHeadingElement>(null);
  const ids = { heading: useId(), error: useId() };

  useEffect(() => {
    firstField.current?.focus();
  }, []);
  useEffect(() => {
    if (sentTo !== undefined) doneHeading.current?.focus();
  }, [sentTo]);

  useEffect(() => {
    let cancelled = false;
    listCountries(http).then(
      (list) => {
        if (!cancelled) setCountries(list);
      },
      (caught: unknown) => {
        if (!cancelled) setError(caught);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [http]);

  useEffect(() => {
    setAgencies([]);
    setAgencyChoice('');
    if (countryCode === '') return;
    let cancelled = false;
    listAgencies(http, countryCode).then(
      (list) => {
        if (cancelled) return;
        setAgencies(list);
        // A country with no listed agency: the name is typed, there is nothing to pick.
        if (list.length === 0) setAgencyChoice(OTHER_AGENCY);
      },
      (caught: unknown) => {
        if (!cancelled) setError(caught);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [http, countryCode]);

  const submit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const request: ApplyRequest = {
      email: email.trim(),
      displayName: displayName.trim(),
      countryCode,
      ...(agencyChoice === OTHER_AGENCY
        ? agencyName.trim() === ''
          ? {}
          : { agencyName: agencyName.trim() }
        : agencyChoice === ''
          ? {}
          : { agencyId: agencyChoice as Agency['id'] }),
      position: position.trim(),
      justification: justification.trim(),
    };
    try {
      await applyForMembership(http, request);
      setSentTo(request.email);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  if (sentTo !== undefined) {
    return (
      <MembershipPage>
        <section className="membership-done" aria-labelledby={ids.heading}>
          <h2 id={ids.heading} ref={doneHeading} tabIndex={-1}>
            {i18n.t('apply.doneHeading')}
          </h2>
          <p>{i18n.t('apply.doneText', { email: sentTo })}</p>
          <p className="field-hint">{i18n.t('apply.doneHint')}</p>
          <Link to={PATHS.home}>{i18n.t('membership.toSignIn')}</Link>
        </section>
      </MembershipPage>
    );
  }

  const errorText = error === undefined ? undefined : membershipErrorMessage(error, i18n);
  const refused = refusedFields(error);
  const invalid = (field: FieldName): boolean => refused.has(field);
  const countryOptions = countries === undefined ? [] : sortedCountries(countries, i18n);
  const justificationLength = justification.trim().length;
  return (
    <MembershipPage wide>
      <form
        className="membership-form"
        onSubmit={(event) => void submit(event)}
        aria-labelledby={ids.heading}
        aria-describedby={errorText === undefined ? undefined : ids.error}
      >
        <h2 id={ids.heading}>{i18n.t('apply.heading')}</h2>
        <p>{i18n.t('apply.intro')}</p>
        <Field label={i18n.t('apply.email')} invalid={invalid('email')}>
          {(control) => (
            <input
              {...control}
              ref={firstField}
              type="email"
              autoComplete="email"
              required
              maxLength={254}
              value={email}
              onChange={(event) => setEmail(event.target.value)}
            />
          )}
        </Field>
        <Field label={i18n.t('apply.displayName')} invalid={invalid('displayName')}>
          {(control) => (
            <input
              {...control}
              autoComplete="name"
              required
              maxLength={120}
              value={displayName}
              onChange={(event) => setDisplayName(event.target.value)}
            />
          )}
        </Field>
        <Field label={i18n.t('apply.country')} invalid={invalid('countryCode')}>
          {(control) => (
            <select
              {...control}
              required
              aria-busy={countries === undefined}
              value={countryCode}
              onChange={(event) => setCountryCode(event.target.value)}
            >
              <option value="">{i18n.t('apply.chooseCountry')}</option>
              {countryOptions.map((country) => (
                <option key={country.code} value={country.code}>
                  {country.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        {countryCode !== '' && agencies.length > 0 && (
          <Field label={i18n.t('apply.agency')} invalid={invalid('agency')}>
            {(control) => (
              <select
                {...control}
                required
                value={agencyChoice}
                onChange={(event) => setAgencyChoice(event.target.value)}
              >
                <option value="">{i18n.t('apply.chooseAgency')}</option>
                {agencies.map((agency) => (
                  <option key={agency.id} value={agency.id}>
                    {agency.name}
                  </option>
                ))}
                <option value={OTHER_AGENCY}>{i18n.t('apply.agencyNotListed')}</option>
              </select>
            )}
          </Field>
        )}
        {countryCode !== '' && agencyChoice === OTHER_AGENCY && (
          <Field label={i18n.t('apply.agencyName')} invalid={invalid('agency')}>
            {(control) => (
              <input
                {...control}
                autoComplete="organization"
                required
                minLength={2}
                maxLength={200}
                value={agencyName}
                onChange={(event) => setAgencyName(event.target.value)}
              />
            )}
          </Field>
        )}
        <Field label={i18n.t('apply.position')} invalid={invalid('position')}>
          {(control) => (
            <input
              {...control}
              autoComplete="organization-title"
              required
              maxLength={200}
              value={position}
              onChange={(event) => setPosition(event.target.value)}
            />
          )}
        </Field>
        <Field
          label={i18n.t('apply.justification')}
          invalid={invalid('justification')}
          hint={i18n.t('apply.justificationHint', {
            min: JUSTIFICATION_MIN,
            count: justificationLength,
            max: JUSTIFICATION_MAX,
          })}
        >
          {(control) => (
            <textarea
              {...control}
              required
              rows={5}
              minLength={JUSTIFICATION_MIN}
              maxLength={JUSTIFICATION_MAX}
              value={justification}
              onChange={(event) => setJustification(event.target.value)}
            />
          )}
        </Field>
        <FormError id={ids.error} text={errorText} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? i18n.t('apply.submitting') : i18n.t('apply.submit')}
        </button>
        <Link to={PATHS.home} className="membership-secondary-link">
          {i18n.t('membership.haveAccount')}
        </Link>
      </form>
    </MembershipPage>
  );
}
