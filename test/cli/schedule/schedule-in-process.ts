/** `saleday schedule` in this process, against a given config file (commander's errors thrown rather than exiting). */
import { Command } from 'commander';
import { registerScheduleCommand } from '../../../cli/commands/schedule';

export async function scheduleInProcess(configPath: string, args: string[]): Promise<string> {
  const program = new Command('saleday')
    .option('-c, --config <file>')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
  registerScheduleCommand(program);
  let out = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'saleday', '--config', configPath, 'schedule', ...args], { from: 'node' });
  } finally {
    write.mockRestore();
  }
  return out;
}
