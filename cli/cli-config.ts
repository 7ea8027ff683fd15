/** The config every command reads: `--config`, else $SALEDAY_CONFIG, else ./saleday.config.json. */
import type { Command } from 'commander';
import { loadConfig } from '../contracts/config/load-config';
import type { SaledayConfig } from '../contracts/config/schema';

export function configFor(command: Command): SaledayConfig {
  const { config } = command.optsWithGlobals<{ config?: string }>();
  return loadConfig(config);
}
