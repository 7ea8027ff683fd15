/**
 * Reads and validates the sale config. Every problem is reported at once, each naming the field's
 * path, the value found and what was expected, so a bad config is fixed in one pass.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError } from './config-error';
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
  throw new ConfigError(source, result.error.issues.map(describeIssue));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length === 0 ? '(root)' : issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  const got = 'input' in issue ? formatValue(valueAt(issue)) : 'nothing';
  return `${path}: got ${got}; ${issue.message}`;
}

/** Some issues (a bad discriminator) carry the enclosing object; show the field itself. */
function valueAt(issue: z.core.$ZodIssue): unknown {
  const last = issue.path[issue.path.length - 1];
  const input = issue.input;
  if (typeof last === 'string' && input !== null && typeof input === 'object' && !Array.isArray(input) && last in input) {
    return (input as Record<string, unknown>)[last];
  }
  return input;
}

function formatValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
