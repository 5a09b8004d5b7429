import type { Role } from '@enlets/protocol';
import type { Translator } from '../i18n/i18n.js';
import { countryName } from '../membership/country-names.js';

/** A role as people say it, with its scope: "National Contact Point (Germany)", "TIG lead (tig-cyber)". */
export function roleLabel(grant: { readonly role: Role; readonly scope?: string }, i18n: Translator): string {
  const name = i18n.t(`admin.role.${grant.role}`);
  if (grant.scope === undefined || grant.scope === '') return name;
  const scope = grant.role === 'ncp' ? countryName(grant.scope, i18n) : grant.scope;
  return i18n.t('admin.role.scoped', { role: name, scope });
}
