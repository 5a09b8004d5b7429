import { Type, type TSchema } from 'typebox';
import { ERROR_CODES } from '../errors.js';
import { ROLES, ACCOUNT_STATUSES, type Role, type AccountStatus } from '../roles.js';
import { AVAILABILITIES, MAX_STATUS_TEXT, type Availability } from '../availability.js';
import { COUNTRY_CODE_PATTERN } from '../countries.js';
import { UserId, AgencyId, TimestampMs } from '../ids.js';

/** Objects on the wire reject unknown fields: a typo is a 400, never silently ignored. */
export function StrictObject<T extends Record<string, TSchema>>(properties: T, description?: string) {
  return Type.Object(properties, {
    additionalProperties: false,
    ...(description === undefined ? {} : { description }),
  });
}

/** Text a person typed: trimmed length limits, no control characters except tab and newline. */
export function Text(min: number, max: number, description?: string) {
  return Type.String({
    minLength: min,
    maxLength: max,
    pattern: '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$',
    ...(description === undefined ? {} : { description }),
  });
}

export const Email = Type.String({
  format: 'email',
  minLength: 3,
  maxLength: 254,
  description: 'E-mail address',
});
/** Passwords: length only (NIST SP 800-63B); the server also refuses the e-mail address and common passwords. */
export const Password = Type.String({ minLength: 12, maxLength: 256, description: 'At least 12 characters' });
/** A password being checked rather than set: any length up to the maximum, so old passwords still verify. */
export const PasswordInput = Type.String({ minLength: 1, maxLength: 256 });
export const CountryCodeSchema = Type.String({ pattern: COUNTRY_CODE_PATTERN, minLength: 2, maxLength: 2 });
export const OpaqueToken = Type.String({
  pattern: '^[A-Za-z0-9_-]{20,128}$',
  description: 'A token from a link',
});
export const TotpCode = Type.String({ pattern: '^[0-9]{6}$' });
export const RecoveryCode = Type.String({ pattern: '^[a-z0-9]{4}-?[a-z0-9]{4}-?[a-z0-9]{4}$' });

// Type.Unsafe keeps the union's static type (a mapped array of literals would infer `never`).
export const RoleSchema = Type.Unsafe<Role>(Type.Union(ROLES.map((r) => Type.Literal(r))));
export const AccountStatusSchema = Type.Unsafe<AccountStatus>(
  Type.Union(ACCOUNT_STATUSES.map((s) => Type.Literal(s))),
);
export const AvailabilitySchema = Type.Unsafe<Availability>(
  Type.Union(AVAILABILITIES.map((a) => Type.Literal(a))),
);

export const RoleGrant = StrictObject({
  role: RoleSchema,
  /** Country code for `ncp`, TIG id for `tig_lead`, absent otherwise. */
  scope: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});

export const UserSummary = StrictObject({
  id: UserId.Schema,
  displayName: Type.String(),
  countryCode: Type.Union([Type.String(), Type.Null()]),
  agencyId: Type.Union([AgencyId.Schema, Type.Null()]),
  status: AccountStatusSchema,
  roles: Type.Array(RoleGrant),
});

export const Me = StrictObject({
  id: UserId.Schema,
  email: Type.String(),
  displayName: Type.String(),
  countryCode: Type.Union([Type.String(), Type.Null()]),
  agencyId: Type.Union([AgencyId.Schema, Type.Null()]),
  status: AccountStatusSchema,
  roles: Type.Array(RoleGrant),
  totpEnabled: Type.Boolean(),
  createdAt: TimestampMs.Schema,
  /**
   * The availability you chose (set with the realtime `presence` frame); `offline` is "appear offline".
   * `available` until you choose. Lets a new device show your choice instead of a default.
   */
  availability: AvailabilitySchema,
  /** The status text shown with your availability; null when there is none. */
  statusText: Type.Union([Type.String({ maxLength: MAX_STATUS_TEXT }), Type.Null()]),
  /** Whether you share and see read receipts ("seen by"); set with `PUT /me/read-receipts`. */
  readReceipts: Type.Boolean(),
});

export const ErrorResponse = StrictObject({
  error: StrictObject({
    code: Type.Union(Object.keys(ERROR_CODES).map((c) => Type.Literal(c))),
    message: Type.String(),
    details: Type.Optional(Type.Object({}, { additionalProperties: true })),
    requestId: Type.String(),
  }),
});

export const Empty = StrictObject({});
export const Accepted = StrictObject({ accepted: Type.Literal(true) });
