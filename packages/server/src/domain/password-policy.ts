import { DomainError } from './errors.js';

/**
 * NIST SP 800-63B: length over composition rules, and refuse passwords that are known to be guessed first.
 * The schema already enforces 12..256 characters; this adds what a schema cannot know.
 */
const COMMON_PASSWORDS = new Set([
  '123456789012',
  'password1234',
  'passwordpassword',
  'qwertyuiopas',
  'qwerty123456',
  '111111111111',
  '000000000000',
  'iloveyou1234',
  'administrator',
  'letmein12345',
  'welcome12345',
  'changeme1234',
  'enletsenlets',
  'enlets123456',
]);

export function checkPasswordPolicy(password: string, email: string, displayName: string): void {
  const lower = password.toLowerCase();
  if (Array.from(password).length < 12) throw weak('shorter than 12 characters');
  if (COMMON_PASSWORDS.has(lower)) throw weak('a commonly used password');
  if (new Set(lower).size < 4) throw weak('too few different characters');
  const local = email.toLowerCase().split('@')[0] ?? '';
  if (lower === email.toLowerCase() || (local.length >= 4 && lower.includes(local)))
    throw weak('contains the e-mail address');
  if (displayName.length >= 4 && lower.includes(displayName.toLowerCase()))
    throw weak('contains the display name');
}

function weak(reason: string): DomainError {
  return new DomainError('PASSWORD_TOO_WEAK', `password refused: ${reason}`, { reason });
}
