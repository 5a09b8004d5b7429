import type { Command } from 'commander';
import type { StartOptions } from '@enlets/server';
import { loadServer } from '../lib/server-module.js';
import { printDemoCredentials } from './demo.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the server (configuration from ENLETS_* environment variables or ENLETS_CONFIG)')
    .option('--demo-if-empty', 'seed the demo network when the database has no accounts')
    .action(async (options: { demoIfEmpty?: boolean }) => {
      const { loadConfig, seedDemoNetwork, startServer } = await loadServer();
      const config = loadConfig();
      const onSetupLink = (link: string): void => {
        process.stdout.write(
          `\nFirst start: create the first Secretariat admin at\n  ${link}\n(this link is shown once)\n\n`,
        );
      };
      const startOptions: StartOptions =
        options.demoIfEmpty === true
          ? {
              onSetupLink,
              beforeListen: async (built) => {
                const password = process.env['ENLETS_DEMO_PASSWORD'];
                const result = await seedDemoNetwork(built.services, {
                  onlyIfEmpty: true,
                  ...(password === undefined || password === '' ? {} : { password }),
                });
                if (result.seeded) printDemoCredentials(result);
              },
            }
          : { onSetupLink };
      const server = await startServer(config, startOptions);
      const shutdown = (): void => {
        void server.stop().then(() => process.exit(0));
      };
      process.once('SIGTERM', shutdown);
      process.once('SIGINT', shutdown);
    });
}
