#!/usr/bin/env node
/** `enlets`: run the server, administer it, and talk to it from scripts. */
import { Command } from 'commander';
import { ConfigError, DatabaseFromFutureError, loadConfig, startServer } from '@enlets/server';

const program = new Command('enlets').description(
  'ENLETS Messenger: server, administration and scripting client',
);

program
  .command('serve')
  .description('run the server (configuration from ENLETS_* environment variables or ENLETS_CONFIG)')
  .option('--demo-if-empty', 'seed the demo network when the database is empty')
  .action(async () => {
    const config = loadConfig();
    const server = await startServer(config, {
      onSetupLink: (link) => {
        process.stdout.write(
          `\nFirst start: create the first Secretariat admin at\n  ${link}\n(this link is shown once)\n\n`,
        );
      },
    });
    const shutdown = (): void => {
      void server.stop().then(() => process.exit(0));
    };
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  });

program.parseAsync().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`enlets: ${error.message}\n`);
    process.exit(ConfigError.EXIT_CODE);
  }
  if (error instanceof DatabaseFromFutureError) {
    process.stderr.write(`enlets: ${error.message}\n`);
    process.exit(ConfigError.EXIT_CODE);
  }
  process.stderr.write(`enlets: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
