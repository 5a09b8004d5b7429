import type { Command } from 'commander';
import { EnletsApiError, EnletsHttpClient } from '@enlets/client';
import { CliError } from '../lib/errors.js';
import { secretFromEnvOrPrompt } from '../lib/prompt.js';
import { deleteSession, deviceId, loadSession, saveSession } from '../lib/session-store.js';

function requireSession(): NonNullable<ReturnType<typeof loadSession>> {
  const session = loadSession();
  if (session === undefined) throw new CliError('not logged in: run `enlets login --server URL --email E`');
  return session;
}

/** The scripting client: a bearer session kept in the config directory (mode 0600). */
export function registerSessionCommands(program: Command): void {
  program
    .command('login')
    .description('sign in to a server (password from ENLETS_PASSWORD, or asked on the terminal)')
    .requiredOption('--server <url>', 'the server origin, e.g. https://messenger.enlets.eu')
    .requiredOption('--email <email>', 'your e-mail address')
    .option('--totp <code>', 'the current code of your authenticator app')
    .action(async (options: { server: string; email: string; totp?: string }) => {
      let server: string;
      try {
        server = new URL(options.server).origin;
      } catch {
        throw new CliError(`--server: not a URL: ${options.server}`);
      }
      const password = await secretFromEnvOrPrompt('ENLETS_PASSWORD', 'Password: ');
      const client = new EnletsHttpClient({ baseUrl: server });
      try {
        const response = await client.login({
          email: options.email,
          password,
          ...(options.totp === undefined ? {} : { totpCode: options.totp }),
          deviceId: deviceId(),
          deviceLabel: 'enlets CLI',
          session: 'bearer',
        });
        if (response.token === undefined) throw new CliError('the server did not return a bearer token');
        const path = saveSession({
          server,
          email: response.user.email,
          token: response.token,
          expiresAt: response.expiresAt,
        });
        process.stdout.write(`logged in to ${server} as ${response.user.email} (session saved in ${path})\n`);
      } catch (error) {
        if (error instanceof EnletsApiError && error.code === 'SECOND_FACTOR_REQUIRED')
          throw new CliError('this account has two-factor authentication: pass --totp CODE');
        throw error;
      }
    });

  program
    .command('whoami')
    .description('show the account of the saved session')
    .action(async () => {
      const session = requireSession();
      const client = new EnletsHttpClient({ baseUrl: session.server, token: session.token });
      try {
        const me = await client.me();
        const roles = me.roles.map((g) => (g.scope === undefined ? g.role : `${g.role}:${g.scope}`));
        process.stdout.write(
          `${me.email} (${me.displayName})\nserver: ${session.server}\nroles:  ${roles.join(', ') || '-'}\n`,
        );
      } catch (error) {
        if (error instanceof EnletsApiError && error.code === 'UNAUTHENTICATED')
          throw new CliError('the saved session has ended: run `enlets login` again');
        throw error;
      }
    });

  program
    .command('logout')
    .description('end the saved session on the server and forget it')
    .action(async () => {
      const session = loadSession();
      if (session === undefined) {
        process.stdout.write('not logged in\n');
        return;
      }
      const client = new EnletsHttpClient({ baseUrl: session.server, token: session.token });
      try {
        await client.logout();
      } catch (error) {
        // An ended session or an unreachable server: forgetting the token locally is still right.
        if (!(error instanceof EnletsApiError)) throw error;
        process.stderr.write(
          `enlets: the server did not confirm the logout (${error.code}); forgetting the session anyway\n`,
        );
      } finally {
        deleteSession();
      }
      process.stdout.write('logged out\n');
    });
}
