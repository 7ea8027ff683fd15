/**
 * `saleday preflight`: go/no-go against the deployed sale. Prints a ✓/✗ table with the reason for
 * each ✗ and exits non-zero on any ✗, so it can gate a runbook or a pipeline.
 */
import type { Command } from 'commander';
import { configFor } from '../cli-config';
import { formatTable } from '../output/table';
import { createPreflightClients, destroyPreflightClients } from '../preflight/preflight-clients';
import { runPreflight, type PreflightReport } from '../preflight/run-preflight';

interface PreflightCommandOptions {
  region?: string;
  json?: boolean;
}

export function registerPreflightCommand(program: Command): void {
  program
    .command('preflight')
    .description(
      'Go/no-go against the deployed sale: fleet steady, scaling scheduled, cache and its failover, alarms and their e-mail, WebACLs, quota, flags.',
    )
    .option('--region <region>', 'AWS region of the sale stack (default: config app.region)')
    .option('--json', 'print the checks as JSON')
    .action(async (options: PreflightCommandOptions, command: Command) => {
      const config = configFor(command);
      const clients = createPreflightClients(options.region ?? config.app.region);
      try {
        const report = await runPreflight(config, clients);
        process.stdout.write(`${options.json ? JSON.stringify(report, null, 2) : renderPreflight(report)}\n`);
        if (!report.go) process.exitCode = 1;
      } finally {
        destroyPreflightClients(clients);
      }
    });
}

export function renderPreflight(report: PreflightReport): string {
  const rows = report.checks.map((c) => [c.pass ? '✓' : '✗', c.name, c.detail]);
  const failures = report.checks.filter((c) => !c.pass).length;
  const verdict = report.go
    ? 'GO: every check passed.'
    : `NO-GO: ${failures} of ${report.checks.length} checks failed.`;
  return `${formatTable(['', 'Check', 'Found / reason'], rows)}\n${verdict}`;
}
