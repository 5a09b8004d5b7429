import type { EnletsHttpClient } from '@enlets/client';
import type { PasswordResetConfirmRequest, PasswordResetRequest } from '@enlets/protocol';

/**
 * The two public calls of a password reset. Neither needs a session: the first mails a link, the second proves
 * the link and sets the password (and the server then ends every session of the account).
 */

/** Asks for a reset link. The answer is the same whether or not an account uses the address. */
export async function requestPasswordReset(http: EnletsHttpClient, email: string): Promise<void> {
  const request: PasswordResetRequest = { email: email.trim() };
  await http.post<{ readonly accepted: true }>('/auth/password-reset', request);
}

/** Sets the new password with the token of the link: TOKEN_INVALID when it expired or was used. */
export async function confirmPasswordReset(
  http: EnletsHttpClient,
  request: PasswordResetConfirmRequest,
): Promise<void> {
  await http.post<null>('/auth/password-reset/confirm', request);
}
