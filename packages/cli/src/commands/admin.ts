import type { Command } from 'commander';
import { secretFromEnvOrPrompt } from '../lib/prompt.js';
import { withServices } from '../lib/server-context.js';
import { loadServer } from '../lib/server-module.js';

export function registerAdminCommands(program: Command): void {
  const admin = program.command('admin').description('Secretariat administrators');
  admin
    .command('create')
    .description('create a Secretariat admin (password from ENLETS_ADMIN_PASSWORD, or asked on the terminal)')
    .requiredOption('--email <email>', 'e-mail address to sign in with')
    .requiredOption('--name <name>', 'display name')
    .action(async (options: { email: string; name: string }) => {
      const password = await secretFromEnvOrPrompt(
        'ENLETS_ADMIN_PASSWORD',
        'Password for the new admin: ',
        true,
      );
      const { createSecretariatAdmin } = await loadServer();
      const id = await withServices(({ services }) =>
        createSecretariatAdmin(
          services,
          { email: options.email, displayName: options.name, password },
          'cli',
        ),
      );
      process.stdout.write(`created Secretariat admin ${options.email} (${id})\n`);
    });
}
