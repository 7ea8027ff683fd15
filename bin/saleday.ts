/**
 * The saleday CLI: plan → loadtest → deploy → preflight → watch → levers, and the rehearsal.
 * Each command lives in cli/commands/<name>.ts and registers itself here.
 */
import { Command } from 'commander';
import { saledayVersion } from '../cli/saleday-version';
import { registerFlagsCommand } from '../cli/commands/flags';
import { registerGateCommand } from '../cli/commands/gate';
import { registerLoadtestCommand } from '../cli/commands/loadtest';
import { registerPlanCommand } from '../cli/commands/plan';
import { registerPreflightCommand } from '../cli/commands/preflight';
import { registerQueueCommand } from '../cli/commands/queue';
import { registerRehearseCommand } from '../cli/commands/rehearse';
import { registerScheduleCommand } from '../cli/commands/schedule';
import { registerStorefrontCommand } from '../cli/commands/storefront';

const program = new Command('saleday')
  .description('Get a shop through a flash sale: plan it, load-test it, rehearse it, check it, steer it.')
  .version(saledayVersion(), '-V, --version', 'print the saleday version and the Node it runs on')
  .option('-c, --config <file>', 'sale config (default: $SALEDAY_CONFIG or ./saleday.config.json)')
  .showHelpAfterError();

for (const register of [
  registerPlanCommand,
  registerScheduleCommand,
  registerLoadtestCommand,
  registerRehearseCommand,
  registerPreflightCommand,
  registerFlagsCommand,
  registerQueueCommand,
  registerGateCommand,
  registerStorefrontCommand,
]) {
  register(program);
}

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
