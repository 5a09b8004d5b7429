import type { Command } from 'commander';
import { EXIT_AUDIT_BROKEN } from '../lib/errors.js';
import { withServices } from '../lib/server-context.js';
import { loadServer } from '../lib/server-module.js';

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident audit log');
  audit
    .command('verify')
    .description('walk the hash chain; exit 0 when intact, 2 at the first broken entry')
    .action(async () => {
      const { verifyAuditChain } = await loadServer();
      const verdict = await withServices(({ services }) => verifyAuditChain(services));
      if (verdict.ok) {
        process.stdout.write(
          `audit chain intact: ${String(verdict.entries)} entries, head ${verdict.headHash}\n`,
        );
        return;
      }
      process.stdout.write(
        `audit chain broken at entry #${String(verdict.brokenAtSeq)} (${verdict.reason})\n`,
      );
      process.exitCode = EXIT_AUDIT_BROKEN;
    });
}
