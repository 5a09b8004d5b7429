import { readFileSync, statSync } from 'node:fs';
import { CliError, EXIT_USAGE } from './errors.js';
import { readHidden } from './prompt.js';

/**
 * What `enlets login` says when the account's identity key lives on another device and no recovery passphrase
 * was given (documented in the README; scripts may match it).
 */
export const IDENTITY_ELSEWHERE =
  "this account's end-to-end encryption keys are on another device: to use them here, log in with your " +
  'recovery passphrase or code: `enlets login --server URL --email E --recovery-passphrase-file FILE` ' +
  '(on a terminal you are asked for it). No recovery set up yet? Run `enlets recovery setup` on a device ' +
  'that has the keys.';

/**
 * A recovery passphrase from a file (its content without the final line break). A passphrase is never taken
 * from a command-line flag or the environment of a script by accident; a file other users can read is used
 * but named on stderr.
 */
export function readPassphraseFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
    if ((statSync(path).mode & 0o077) !== 0)
      process.stderr.write(`enlets: warning: ${path} can be read by other users (chmod 600 ${path})\n`);
  } catch (error) {
    throw new CliError(`cannot read the passphrase file ${path}`, EXIT_USAGE, { cause: error });
  }
  const passphrase = text.replace(/\r?\n$/, '');
  if (passphrase === '') throw new CliError(`the passphrase file ${path} is empty`, EXIT_USAGE);
  return passphrase;
}

/** The recovery passphrase for a new device: from the file, else asked on the terminal, else refused. */
export function recoveryPassphraseFrom(file: string | undefined): () => Promise<string> {
  return async () => {
    if (file !== undefined) return readPassphraseFile(file);
    if (!process.stdin.isTTY) throw new CliError(IDENTITY_ELSEWHERE);
    process.stderr.write("This account's encryption keys are on another device.\n");
    const typed = await readHidden('Recovery passphrase or code: ');
    if (typed === '') throw new CliError(IDENTITY_ELSEWHERE);
    return typed;
  };
}
