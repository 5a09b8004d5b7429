import { CliError, EXIT_USAGE } from './errors.js';

/**
 * A secret from the environment, or typed on the terminal without echo. Without either the command fails:
 * secrets are never read from a pipe by accident or from a command-line flag (which would end up in the shell
 * history and the process list).
 */
export async function secretFromEnvOrPrompt(
  envName: string,
  prompt: string,
  confirm = false,
): Promise<string> {
  const fromEnv = process.env[envName];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY)
    throw new CliError(`set ${envName}, or run this command on a terminal to be asked`, EXIT_USAGE);
  const secret = await readHidden(prompt);
  if (confirm && (await readHidden('Repeat: ')) !== secret)
    throw new CliError('the entries differ', EXIT_USAGE);
  return secret;
}

/** Reads one line from the terminal in raw mode, echoing nothing. Ctrl-C aborts. */
export function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          finish();
          return;
        }
        if (char === '\u0003') {
          finish(new CliError('aborted', 130));
          return;
        }
        if (char === '\u007f' || char === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (char >= ' ') value += char;
      }
    };
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    stdin.resume();
  });
}
