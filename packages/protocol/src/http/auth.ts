import { Type, type Static } from 'typebox';
import { SessionId, TimestampMs } from '../ids.js';
import {
  Email,
  Me,
  OpaqueToken,
  Password,
  PasswordInput,
  RecoveryCode,
  StrictObject,
  Text,
  TotpCode,
} from './common.js';

/**
 * A client-chosen random string that identifies one browser or CLI install across logins. The server stores
 * only its hash, to tell a known device from a new one (new-device e-mails).
 */
export const DeviceId = Type.String({
  pattern: '^[A-Za-z0-9_-]{16,128}$',
  description: 'Random per-install identifier (16-128 characters of A-Z a-z 0-9 _ -)',
});
/** A human label for the session list, e.g. "Firefox on laptop" or "enlets CLI". */
export const DeviceLabel = Text(1, 100);

/** How the session travels: an HttpOnly cookie (browsers) or a bearer token in the body (CLI, scripts). */
export type SessionMode = Static<typeof SessionMode>;
export const SessionMode = Type.Union([Type.Literal('cookie'), Type.Literal('bearer')]);

/** A base32 TOTP secret the client generated for enrolment at activation. */
export const TotpSecret = Type.String({ pattern: '^[A-Z2-7]{16,64}$', minLength: 16, maxLength: 64 });

export type LoginRequest = Static<typeof LoginRequest>;
export const LoginRequest = StrictObject({
  email: Email,
  password: PasswordInput,
  totpCode: Type.Optional(TotpCode),
  recoveryCode: Type.Optional(RecoveryCode),
  deviceId: Type.Optional(DeviceId),
  deviceLabel: Type.Optional(DeviceLabel),
  /** Default `bearer`. */
  session: Type.Optional(SessionMode),
});

/** A new session. `token` is present only for bearer sessions; cookie sessions get the `enlets_session` cookie. */
export type LoginResponse = Static<typeof LoginResponse>;
export const LoginResponse = StrictObject({
  token: Type.Optional(Type.String()),
  sessionId: SessionId.Schema,
  expiresAt: TimestampMs.Schema,
  user: Me,
});

export type UpdateMeRequest = Static<typeof UpdateMeRequest>;
export const UpdateMeRequest = StrictObject({ displayName: Text(1, 120) });

export type SessionInfo = Static<typeof SessionInfo>;
export const SessionInfo = StrictObject({
  id: SessionId.Schema,
  createdAt: TimestampMs.Schema,
  lastUsedAt: TimestampMs.Schema,
  userAgent: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  deviceLabel: Type.Union([Type.String(), Type.Null()]),
  /** The session this request was made with. */
  current: Type.Boolean(),
});

export type SessionListResponse = Static<typeof SessionListResponse>;
export const SessionListResponse = StrictObject({ sessions: Type.Array(SessionInfo) });

export type RevokeOthersResponse = Static<typeof RevokeOthersResponse>;
export const RevokeOthersResponse = StrictObject({ revoked: Type.Integer({ minimum: 0 }) });

export type ChangePasswordRequest = Static<typeof ChangePasswordRequest>;
export const ChangePasswordRequest = StrictObject({ currentPassword: PasswordInput, newPassword: Password });

export type PasswordResetRequest = Static<typeof PasswordResetRequest>;
export const PasswordResetRequest = StrictObject({ email: Email });

export type PasswordResetConfirmRequest = Static<typeof PasswordResetConfirmRequest>;
export const PasswordResetConfirmRequest = StrictObject({ token: OpaqueToken, newPassword: Password });

export type TotpSetupRequest = Static<typeof TotpSetupRequest>;
export const TotpSetupRequest = StrictObject({ currentPassword: PasswordInput });

/** A pending TOTP secret: shown once, enabled only after `POST /me/totp/confirm` with a code from it. */
export type TotpSetupResponse = Static<typeof TotpSetupResponse>;
export const TotpSetupResponse = StrictObject({ secret: Type.String(), otpauthUri: Type.String() });

export type TotpConfirmRequest = Static<typeof TotpConfirmRequest>;
export const TotpConfirmRequest = StrictObject({ code: TotpCode });

/** A current TOTP code, or one of the recovery codes (which is then used up). */
export const SecondFactorCode = Type.Union([TotpCode, RecoveryCode]);

export type TotpDisableRequest = Static<typeof TotpDisableRequest>;
export const TotpDisableRequest = StrictObject({ currentPassword: PasswordInput, code: SecondFactorCode });

export type RegenerateRecoveryCodesRequest = Static<typeof RegenerateRecoveryCodesRequest>;
export const RegenerateRecoveryCodesRequest = StrictObject({
  currentPassword: PasswordInput,
  code: SecondFactorCode,
});

/** Ten single-use codes `xxxx-xxxx-xxxx`; shown once, stored only hashed. New codes replace all old ones. */
export type RecoveryCodesResponse = Static<typeof RecoveryCodesResponse>;
export const RecoveryCodesResponse = StrictObject({ recoveryCodes: Type.Array(Type.String()) });

export type TokenParams = Static<typeof TokenParams>;
export const TokenParams = StrictObject({ token: OpaqueToken });

export type ActivationInfoResponse = Static<typeof ActivationInfoResponse>;
export const ActivationInfoResponse = StrictObject({
  email: Type.String(),
  displayName: Type.String(),
  /** Whether `POST /activation` must carry `totpSecret` and `totpCode`. */
  requireSecondFactor: Type.Boolean(),
});

export type ActivationRequest = Static<typeof ActivationRequest>;
export const ActivationRequest = StrictObject({
  token: OpaqueToken,
  password: Password,
  totpSecret: Type.Optional(TotpSecret),
  totpCode: Type.Optional(TotpCode),
  deviceId: Type.Optional(DeviceId),
  deviceLabel: Type.Optional(DeviceLabel),
  session: Type.Optional(SessionMode),
});

/** The login response, plus the recovery codes when a second factor was enrolled. */
export type ActivationResponse = Static<typeof ActivationResponse>;
export const ActivationResponse = StrictObject({
  token: Type.Optional(Type.String()),
  sessionId: SessionId.Schema,
  expiresAt: TimestampMs.Schema,
  user: Me,
  recoveryCodes: Type.Optional(Type.Array(Type.String())),
});
