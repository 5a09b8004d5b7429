import { useEffect, useId, useMemo, useRef, useState, type ReactNode, type SyntheticEvent } from 'react';
import type { Agency, ApplyRequest, Country } from '@enlets/protocol';
import { EnletsApiError } from '@enlets/client';
import { Link } from '../app/navigation.js';
import { PATHS } from '../app/routes.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { cookieHttpClient } from '../session/cookie-session.js';
import { sortedCountries } from './country-names.js';
import { applyForMembership, listAgencies, listCountries } from './membership-api.js';
import { membershipErrorMessage } from './membership-errors.js';
import { FormError, MembershipPage } from './MembershipPage.js';

/** The agency picker's choice for "my agency is not listed": its name is typed instead. */
const OTHER_AGENCY = 'other';
const JUSTIFICATION_MIN = 20;
const JUSTIFICATION_MAX = 2000;

type Field = 'email' | 'displayName' | 'countryCode' | 'agency' | 'position' | 'justification';
const FIELD_OF_PATH: Readonly<Record<string, Field>> = {
  '/email': 'email',
  '/displayName': 'displayName',
  '/countryCode': 'countryCode',
  '/agencyId': 'agency',
  '/agencyName': 'agency',
  '/position': 'position',
  '/justification': 'justification',
};

/** The fields the server refused (VALIDATION_FAILED lists them in `details.issues`). */
function refusedFields(error: unknown): ReadonlySet<Field> {
  if (!(error instanceof EnletsApiError)) return new Set();
  const issues = error.details?.['issues'];
  if (!Array.isArray(issues)) return new Set();
  const fields = new Set<Field>();
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
  const ids = {
    heading: useId(),
    email: useId(),
    displayName: useId(),
    country: useId(),
    agency: useId(),
    agencyName: useId(),
    position: useId(),
    justification: useId(),
    justificationHint: useId(),
    error: useId(),
  };

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
  const invalid = (field: Field): true | undefined => (refused.has(field) ? true : undefined);
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
        <div className="field">
          <label htmlFor={ids.email}>{i18n.t('apply.email')}</label>
          <input
            id={ids.email}
            ref={firstField}
            type="email"
            autoComplete="email"
            required
            maxLength={254}
            aria-invalid={invalid('email')}
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.displayName}>{i18n.t('apply.displayName')}</label>
          <input
            id={ids.displayName}
            autoComplete="name"
            required
            maxLength={120}
            aria-invalid={invalid('displayName')}
            value={displayName}
            onChange={(event) => setDisplayName(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.country}>{i18n.t('apply.country')}</label>
          <select
            id={ids.country}
            required
            aria-invalid={invalid('countryCode')}
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
        </div>
        {countryCode !== '' && agencies.length > 0 && (
          <div className="field">
            <label htmlFor={ids.agency}>{i18n.t('apply.agency')}</label>
            <select
              id={ids.agency}
              required
              aria-invalid={invalid('agency')}
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
          </div>
        )}
        {countryCode !== '' && agencyChoice === OTHER_AGENCY && (
          <div className="field">
            <label htmlFor={ids.agencyName}>{i18n.t('apply.agencyName')}</label>
            <input
              id={ids.agencyName}
              autoComplete="organization"
              required
              minLength={2}
              maxLength={200}
              aria-invalid={invalid('agency')}
              value={agencyName}
              onChange={(event) => setAgencyName(event.target.value)}
            />
          </div>
        )}
        <div className="field">
          <label htmlFor={ids.position}>{i18n.t('apply.position')}</label>
          <input
            id={ids.position}
            autoComplete="organization-title"
            required
            maxLength={200}
            aria-invalid={invalid('position')}
            value={position}
            onChange={(event) => setPosition(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.justification}>{i18n.t('apply.justification')}</label>
          <textarea
            id={ids.justification}
            required
            rows={5}
            minLength={JUSTIFICATION_MIN}
            maxLength={JUSTIFICATION_MAX}
            aria-describedby={ids.justificationHint}
            aria-invalid={invalid('justification')}
            value={justification}
            onChange={(event) => setJustification(event.target.value)}
          />
          <p id={ids.justificationHint} className="field-hint">
            {i18n.t('apply.justificationHint', {
              min: JUSTIFICATION_MIN,
              count: justificationLength,
              max: JUSTIFICATION_MAX,
            })}
          </p>
        </div>
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
