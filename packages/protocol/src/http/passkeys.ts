import { Type, type Static } from 'typebox';
import { TimestampMs } from '../ids.js';
import { DeviceId, DeviceLabel, SecondFactorCode, SessionMode } from './auth.js';
import { PasswordInput, StrictObject, Text } from './common.js';

/**
 * Passkeys (WebAuthn, docs/decisions/0019-passkeys.md). The options the server sends are what the browser's
 * `navigator.credentials.create()` / `.get()` take in their JSON form (WebAuthn Level 3 §5.1.x "…JSON"); the
 * credentials the client sends back are `PublicKeyCredential.toJSON()`. Binary fields are base64url.
 */

/** base64url without padding, as WebAuthn's JSON forms carry bytes. */
const Base64Url = (maxLength: number) =>
  Type.String({ pattern: '^[A-Za-z0-9_-]+$', minLength: 1, maxLength });

const UserVerification = Type.Union([
  Type.Literal('required'),
  Type.Literal('preferred'),
  Type.Literal('discouraged'),
]);
const ResidentKey = Type.Union([
  Type.Literal('required'),
  Type.Literal('preferred'),
  Type.Literal('discouraged'),
]);
const AuthenticatorAttachment = Type.Union([Type.Literal('platform'), Type.Literal('cross-platform')]);
/** Transport names are open-ended in the specification (new ones appear); bounded here, never interpreted. */
const Transport = Type.String({ pattern: '^[a-z0-9-]{1,32}$' });
const Transports = Type.Array(Transport, { maxItems: 8 });

const CredentialDescriptor = StrictObject({
  id: Base64Url(1366),
  type: Type.Literal('public-key'),
  transports: Type.Optional(Transports),
});

/** What `navigator.credentials.create()` needs to make a passkey (PublicKeyCredentialCreationOptionsJSON). */
export type PasskeyCreationOptions = Static<typeof PasskeyCreationOptions>;
export const PasskeyCreationOptions = StrictObject({
  challenge: Base64Url(128),
  rp: StrictObject({ name: Type.String(), id: Type.String() }),
  user: StrictObject({ id: Base64Url(128), name: Type.String(), displayName: Type.String() }),
  pubKeyCredParams: Type.Array(StrictObject({ alg: Type.Integer(), type: Type.Literal('public-key') })),
  timeout: Type.Integer({ minimum: 1 }),
  attestation: Type.Literal('none'),
  excludeCredentials: Type.Array(CredentialDescriptor),
  authenticatorSelection: StrictObject({
    residentKey: ResidentKey,
    requireResidentKey: Type.Boolean(),
    userVerification: UserVerification,
  }),
  extensions: StrictObject({ credProps: Type.Boolean() }),
  hints: Type.Array(Type.String()),
});

/** What `navigator.credentials.get()` needs to sign in (PublicKeyCredentialRequestOptionsJSON). */
export type PasskeyRequestOptions = Static<typeof PasskeyRequestOptions>;
export const PasskeyRequestOptions = StrictObject({
  challenge: Base64Url(128),
  rpId: Type.String(),
  timeout: Type.Integer({ minimum: 1 }),
  userVerification: UserVerification,
});

/** Extension outputs are reported by the browser as it likes; kept small, never interpreted by the server. */
const ClientExtensionResults = Type.Object({}, { additionalProperties: true, maxProperties: 16 });

/** A new credential from `navigator.credentials.create()`, as JSON (RegistrationResponseJSON). */
export type PasskeyRegistrationCredential = Static<typeof PasskeyRegistrationCredential>;
export const PasskeyRegistrationCredential = StrictObject({
  id: Base64Url(1366),
  rawId: Base64Url(1366),
  type: Type.Literal('public-key'),
  authenticatorAttachment: Type.Optional(AuthenticatorAttachment),
  clientExtensionResults: ClientExtensionResults,
  response: StrictObject({
    clientDataJSON: Base64Url(4096),
    attestationObject: Base64Url(16_384),
    authenticatorData: Type.Optional(Base64Url(16_384)),
    transports: Type.Optional(Transports),
    publicKeyAlgorithm: Type.Optional(Type.Integer()),
    publicKey: Type.Optional(Base64Url(4096)),
  }),
});

/** A signature from `navigator.credentials.get()`, as JSON (AuthenticationResponseJSON). */
export type PasskeyAssertionCredential = Static<typeof PasskeyAssertionCredential>;
export const PasskeyAssertionCredential = StrictObject({
  id: Base64Url(1366),
  rawId: Base64Url(1366),
  type: Type.Literal('public-key'),
  authenticatorAttachment: Type.Optional(AuthenticatorAttachment),
  clientExtensionResults: ClientExtensionResults,
  response: StrictObject({
    clientDataJSON: Base64Url(4096),
    authenticatorData: Base64Url(4096),
    signature: Base64Url(1024),
    userHandle: Type.Optional(Base64Url(128)),
  }),
});

/** A passkey's name in the account's list, e.g. "Work laptop" or "Security key". */
export const PasskeyName = Text(1, 64);

/**
 * Adding a passkey gives a new way in, so it takes the current password, and the current TOTP or a recovery code
 * when the account has two-factor authentication on (a passkey must not be weaker than what it replaces).
 */
export type PasskeyRegistrationOptionsRequest = Static<typeof PasskeyRegistrationOptionsRequest>;
export const PasskeyRegistrationOptionsRequest = StrictObject({
  currentPassword: PasswordInput,
  code: Type.Optional(SecondFactorCode),
});

export type PasskeyRegistrationOptionsResponse = Static<typeof PasskeyRegistrationOptionsResponse>;
export const PasskeyRegistrationOptionsResponse = StrictObject({ options: PasskeyCreationOptions });

export type PasskeyRegistrationRequest = Static<typeof PasskeyRegistrationRequest>;
export const PasskeyRegistrationRequest = StrictObject({
  name: PasskeyName,
  credential: PasskeyRegistrationCredential,
});

/** One of the caller's passkeys. The credential id and public key stay on the server. */
export type PasskeyInfo = Static<typeof PasskeyInfo>;
export const PasskeyInfo = StrictObject({
  id: Type.String(),
  name: Type.String(),
  createdAt: TimestampMs.Schema,
  lastUsedAt: Type.Union([TimestampMs.Schema, Type.Null()]),
  /** May be synced to the person's other devices by their platform (a "multi-device" credential). */
  synced: Type.Boolean(),
  /** Set when a signature came with a counter that went back: probably a copy; it no longer signs in. */
  cloneSuspectedAt: Type.Union([TimestampMs.Schema, Type.Null()]),
});

export type PasskeyListResponse = Static<typeof PasskeyListResponse>;
export const PasskeyListResponse = StrictObject({ passkeys: Type.Array(PasskeyInfo) });

export type PasskeySignInOptionsResponse = Static<typeof PasskeySignInOptionsResponse>;
export const PasskeySignInOptionsResponse = StrictObject({ options: PasskeyRequestOptions });

/** Signing in with a passkey: no e-mail address, the credential names the account. Answered like a login. */
export type PasskeySignInRequest = Static<typeof PasskeySignInRequest>;
export const PasskeySignInRequest = StrictObject({
  credential: PasskeyAssertionCredential,
  deviceId: Type.Optional(DeviceId),
  deviceLabel: Type.Optional(DeviceLabel),
  /** Default `bearer`. */
  session: Type.Optional(SessionMode),
});
