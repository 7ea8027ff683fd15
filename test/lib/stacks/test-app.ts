/**
 * Apps for CDK tests: the same context the CLI uses (cdk.json feature flags and the seeded
 * availability zones in cdk.context.json), so tests synthesize exactly what `cdk synth` does, offline.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { parseConfig } from '../../../contracts/config/load-config';
import type { SaledayConfig, SaledayConfigInput } from '../../../contracts/config/schema';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
export const EXAMPLE_CONFIG_PATH = join(REPO_ROOT, 'saleday.config.json');

export function cdkContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  const seeded = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.context.json'), 'utf8')) as Record<string, unknown>;
  return { ...cdkJson.context, ...seeded };
}

export function testApp(extraContext: Record<string, unknown> = {}): App {
  return new App({
    context: { ...cdkContext(), ...extraContext },
    outdir: mkdtempSync(join(tmpdir(), 'saleday-cdk-')),
  });
}

export function exampleConfigInput(): SaledayConfigInput {
  return JSON.parse(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')) as SaledayConfigInput;
}

/** The example config with changes applied to its raw JSON, validated like the real one. */
export function exampleConfig(change: (raw: SaledayConfigInput) => void = () => {}): SaledayConfig {
  const raw = exampleConfigInput();
  change(raw);
  return parseConfig(raw, 'test config');
}

export const TEST_ACCOUNT = '111111111111';
