import type { Command } from 'commander';
import {
  EnletsApiError,
  generateRecoveryCode,
  RECOVERY_LOSS_NOTICE,
  RecoveryPassphraseTooWeakError,
  RecoveryUnavailableError,
} from '@enlets/client';
import { CliError, EXIT_USAGE } from '../lib/errors.js';
import { readPassphraseFile } from '../lib/passphrase.js';
import { openSecureDevice, requireDeviceSession, SESSION_ENDED } from '../lib/secure-device.js';
import { loadSession } from '../lib/session-store.js';

/** Recovery without anyone online (ADR 0012): the passphrase-encrypted backup of the account's keys. */
export function registerRecoveryCommands(program: Command): void {
  const recovery = program
    .command('recovery')
    .description('the recovery backup that lets a new device get your keys and history');

  recovery
    .command('setup')
    .description(
      'create (or replace) your recovery backup under a generated recovery code, printed once, or under ' +
        'a passphrase of your own from a file',
    )
    .option('--passphrase-file <file>', 'a file holding your own passphrase (at least 16 characters)')
    .action(async (options: { passphraseFile?: string }) => {
      const ownPassphrase =
        options.passphraseFile === undefined ? undefined : readPassphraseFile(options.passphraseFile);
      const passphrase = ownPassphrase ?? generateRecoveryCode();
      const device = await openSecureDevice(requireDeviceSession(loadSession()), { transport: 'http' });
      let version: number;
      try {
        ({ version } = await device.messenger.setUpRecovery(passphrase));
      } catch (error) {
        if (error instanceof RecoveryPassphraseTooWeakError)
          throw new CliError(error.message, EXIT_USAGE, { cause: error });
        if (error instanceof RecoveryUnavailableError)
          throw new CliError(
            `${error.message} (here: log in on a fresh profile, ENLETS_CONFIG_DIR, with ` +
              '`enlets login --recovery-passphrase-file FILE`)',
            1,
            { cause: error },
          );
        if (error instanceof EnletsApiError && error.code === 'UNAUTHENTICATED')
          throw new CliError(SESSION_ENDED, 1, { cause: error });
        throw error;
      }
      await device.finish();
      if (ownPassphrase === undefined)
        process.stdout.write(
          `Your recovery code (shown this once; write it down and keep it offline):\n\n    ${passphrase}\n\n`,
        );
      process.stdout.write(`${RECOVERY_LOSS_NOTICE}\nrecovery backup stored (version ${String(version)})\n`);
    });
}
