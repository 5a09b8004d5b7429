/** The server's minimum password length (packages/server/src/domain/password-policy.ts), checked here first. */
export const PASSWORD_MIN = 12;
