import type { Command } from 'commander';
import {
  EnletsApiError,
  EnletsHttpClient,
  IdentityUnavailableError,
  RecoveryUnavailableError,
  WrongPassphraseError,
} from '@enlets/client';
import { CliError } from '../lib/errors.js';
import { lockDevice } from '../lib/device-lock.js';
import { FileE2eeStore } from '../lib/file-e2ee-store.js';
import { FileStore } from '../lib/file-store.js';
import { IDENTITY_ELSEWHERE, recoveryPassphraseFrom } from '../lib/passphrase.js';
import { secretFromEnvOrPrompt } from '../lib/prompt.js';
import {
  joinIfMember,
  LOCK_WAIT_MS,
  openSecureDevice,
  reportDropped,
  type DeviceSession,
} from '../lib/secure-device.js';
import {
  deleteSession,
  deviceId,
  loadSession,
  saveSession,
  type StoredSession,
} from '../lib/session-store.js';

function requireSession(): NonNullable<ReturnType<typeof loadSession>> {
  const session = loadSession();
  if (session === undefined) throw new CliError('not logged in: run `enlets login --server URL --email E`');
  return session;
}

/**
 * Ends a saved session: on the server (best effort: an ended session or an unreachable server does not keep
 * the profile signed in), then its device's keys here (that device no longer exists; the account's identity
 * and archive keys and what was decrypted stay, so the next login on this profile needs no passphrase), then
 * the file. Waits for a command of this profile that still holds the keys.
 */
async function endSavedSession(saved: StoredSession): Promise<void> {
  const client = new EnletsHttpClient({ baseUrl: saved.server, token: saved.token });
  try {
    await client.logout();
  } catch (error) {
    if (!(error instanceof EnletsApiError)) throw error;
    process.stderr.write(
      `enlets: the server did not confirm the logout (${error.code}); forgetting the session anyway\n`,
    );
  }
  const keys = FileE2eeStore.forAccount(saved.server, saved.email);
  if (saved.sessionId !== undefined && keys.owner() === saved.sessionId) {
    await lockDevice(keys.dir, LOCK_WAIT_MS);
    keys.forgetDevice();
    reportDropped(FileStore.forAccount(saved.server, saved.email).clear());
  }
  deleteSession();
}

/**
 * Opens this login's end-to-end encryption device and gets it ready: the sync position at the server's
 * heads, the Welcomes waiting for it accepted, and membership of every conversation's group (so messages
 * sent from now on are readable here). Returns what the user should be told.
 */
async function prepareDevice(saved: DeviceSession, recoveryFile: string | undefined): Promise<string[]> {
  const device = await openSecureDevice(saved, {
    transport: 'http',
    recoveryPassphrase: recoveryPassphraseFrom(recoveryFile),
  });
  await device.catchUp();
  await device.messenger.acceptWelcomes();
  for (const conversation of await device.session.listConversations())
    await joinIfMember(device.messenger, conversation.id);
  await device.finish();
  const notes = [`end-to-end encryption: device ${saved.sessionId}`];
  if (device.identity === 'created')
    notes.push(
      'this is your first device: run `enlets recovery setup` so that a new device can get your keys and history',
    );
  if (device.identity === 'restored') notes.push('your keys were restored from your recovery backup');
  return notes;
}

/** Says what went wrong opening the device in words that tell the user what to do. */
function deviceFailure(error: unknown): unknown {
  if (error instanceof IdentityUnavailableError)
    return new CliError(
      error.message.includes('different identity key') ? error.message : IDENTITY_ELSEWHERE,
      1,
      { cause: error },
    );
  if (error instanceof WrongPassphraseError)
    return new CliError(`${error.message}; you are not logged in`, 1, { cause: error });
  if (error instanceof RecoveryUnavailableError)
    return new CliError(
      `${error.message}: set it up with \`enlets recovery setup\` on a device that has your keys`,
      1,
      { cause: error },
    );
  return error;
}

/** The scripting client: a bearer session kept in the config directory (mode 0600). */
export function registerSessionCommands(program: Command): void {
  program
    .command('login')
    .description(
      'sign in to a server (password from ENLETS_PASSWORD, or asked on the terminal) and open this ' +
        "profile's end-to-end encryption device",
    )
    .requiredOption('--server <url>', 'the server origin, e.g. https://messenger.enlets.eu')
    .requiredOption('--email <email>', 'your e-mail address')
    .option('--totp <code>', 'the current code of your authenticator app')
    .option(
      '--recovery-passphrase-file <file>',
      'for a new device of an account whose keys are elsewhere: a file holding your recovery passphrase or ' +
        'code (asked on a terminal otherwise)',
    )
    .action(
      async (options: { server: string; email: string; totp?: string; recoveryPassphraseFile?: string }) => {
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
          const saved: DeviceSession = {
            server,
            email: response.user.email,
            token: response.token,
            expiresAt: response.expiresAt,
            userId: response.user.id,
            sessionId: response.sessionId,
          };
          // The profile holds one session: the one it had ends (it was a device of its own).
          const previous = loadSession();
          if (previous !== undefined) await endSavedSession(previous);
          let notes: string[];
          try {
            notes = await prepareDevice(saved, options.recoveryPassphraseFile);
          } catch (error) {
            // A login that cannot read or send is no use: end it rather than leave it behind.
            await new EnletsHttpClient({ baseUrl: server, token: saved.token })
              .logout()
              .catch(() => undefined);
            throw deviceFailure(error);
          }
          const path = saveSession(saved);
          process.stdout.write(
            `logged in to ${server} as ${response.user.email} (session saved in ${path})\n${notes.join('\n')}\n`,
          );
        } catch (error) {
          if (error instanceof EnletsApiError && error.code === 'SECOND_FACTOR_REQUIRED')
            throw new CliError('this account has two-factor authentication: pass --totp CODE');
          throw error;
        }
      },
    );

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
    .description("end the saved session on the server and forget it and this device's keys")
    .action(async () => {
      const session = loadSession();
      if (session === undefined) {
        process.stdout.write('not logged in\n');
        return;
      }
      await endSavedSession(session);
      process.stdout.write('logged out\n');
    });
}
