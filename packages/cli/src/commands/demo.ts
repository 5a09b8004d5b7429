import type { Command } from 'commander';
import type { DemoSeedResult } from '@enlets/server';
import { withServices } from '../lib/server-context.js';
import { loadServer } from '../lib/server-module.js';

/** Printed once to stdout, never logged: the demo accounts' shared password. */
export function printDemoCredentials(result: Extract<DemoSeedResult, { seeded: true }>): void {
  const c = result.counts;
  process.stdout.write(
    [
      '',
      `Demo network seeded: ${String(c.countries)} countries with their NCPs (Core Group of ${String(c.coreGroup)}),`,
      `  ${String(c.agencies)} agencies, ${String(c.members)} LEA members (${String(c.tigLeads)} TIG leads), ${String(c.applications)} pending applications.`,
      'Sign in as the Secretariat admin:',
      `  e-mail:   ${result.adminEmail}`,
      `  password: ${result.password}`,
      'Every demo account (ncp.<country>@demo.enlets.eu, firstname.lastname@demo.enlets.eu) has this password.',
      '(shown once)',
      '',
      '',
    ].join('\n'),
  );
}

export function registerDemoCommands(program: Command): void {
  const demo = program.command('demo').description('the demo network');
  demo
    .command('seed')
    .description(
      'seed the demo network (does nothing when it is seeded already); ENLETS_DEMO_PASSWORD sets the password',
    )
    .action(async () => {
      const password = process.env['ENLETS_DEMO_PASSWORD'];
      const { seedDemoNetwork } = await loadServer();
      const result = await withServices(({ services }) =>
        seedDemoNetwork(services, password === undefined || password === '' ? {} : { password }),
      );
      if (result.seeded) printDemoCredentials(result);
      else process.stdout.write('the demo network is seeded already: nothing done\n');
    });
}
