/** A failure the CLI reports as one line on stderr with a given exit code (sysexits.h where one fits). */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = 1,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** EX_USAGE: the command was called wrongly. */
export const EXIT_USAGE = 64;
/** The audit chain does not verify. */
export const EXIT_AUDIT_BROKEN = 2;
