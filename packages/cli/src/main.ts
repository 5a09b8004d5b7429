#!/usr/bin/env node
/** `enlets`: run the server, administer it, and talk to it from scripts. */
import { Command } from 'commander';
import { EnletsApiError } from '@enlets/client';
import { registerAdminCommands } from './commands/admin.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerChatCommands } from './commands/chat.js';
import { registerDemoCommands } from './commands/demo.js';
import { registerMailCommands } from './commands/mail.js';
import { registerRecoveryCommands } from './commands/recovery.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSessionCommands } from './commands/session.js';
import { CliError } from './lib/errors.js';
import { loadedServer } from './lib/server-module.js';

const program = new Command('enlets').description(
  'ENLETS Messenger: server, administration and scripting client',
);
registerServeCommand(program);
registerAdminCommands(program);
registerDemoCommands(program);
registerAuditCommands(program);
registerMailCommands(program);
registerSessionCommands(program);
registerChatCommands(program);
registerRecoveryCommands(program);

function fail(message: string, exitCode: number): never {
  process.stderr.write(`enlets: ${message}\n`);
  process.exit(exitCode);
}

program.parseAsync().catch(async (error: unknown) => {
  if (error instanceof CliError) fail(error.message, error.exitCode);
  const server = await loadedServer();
  if (server !== undefined) {
    const { ConfigError, DatabaseFromFutureError, DomainError } = server;
    if (error instanceof ConfigError || error instanceof DatabaseFromFutureError)
      fail(error.message, ConfigError.EXIT_CODE);
    if (error instanceof DomainError) fail(`${error.message} (${error.code})`, 1);
  }
  if (error instanceof EnletsApiError) fail(`${error.message} (${error.code})`, 1);
  fail(error instanceof Error ? error.message : String(error), 1);
});
