/**
 * Reads and validates the sale config. Every problem is reported at once, each naming the field's
 * path, the value found and what was expected, so a bad config is fixed in one pass.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from './config-error';
import { describePlainIssue } from './plain-issue';
import { ConfigSchema, type SaledayConfig } from './schema';

export const DEFAULT_CONFIG_FILE = 'saleday.config.json';

/** `--config`, else `SALEDAY_CONFIG`, else `saleday.config.json` in the working directory. */
export function resolveConfigPath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(explicit ?? env.SALEDAY_CONFIG ?? DEFAULT_CONFIG_FILE);
}

export function loadConfig(path?: string): SaledayConfig {
  const file = resolveConfigPath(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot read the file: ${(error as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, [`not valid JSON: ${(error as Error).message}`]);
  }
  return parseConfig(raw, file);
}

export function parseConfig(raw: unknown, source = 'inline config'): SaledayConfig {
  const result = ConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigError(source, result.error.issues.map(describePlainIssue));
}
