/**
 * Where `saleday plan` takes the capacity of one task from, and whether that figure was measured
 * on this machine: a load test against 127.0.0.1 measures a laptop (no network hop, another CPU)
 * rather than a Fargate task of the configured size, so the plan flags it and `--write` refuses it
 * unless `--accept-local-capacity` says the user knows.
 */
import { existsSync } from 'node:fs';
import type { SaledayConfig } from '../../contracts/config/schema';
import { DEFAULT_LOADTEST_RESULT_FILE, readLoadtestResult } from '../loadtest/loadtest-result';
import { PlanCommandError } from './plan-command-error';

export interface TaskCapacitySource {
  readonly rps: number;
  /** `--task-capacity`, a load-test result file, or the capacity of the config's last plan. */
  readonly from: 'option' | 'loadtest' | 'config-plan';
  /** The load-test result file, when the figure came from one. */
  readonly file?: string;
  /** The URL the load test measured, when the figure came from one. */
  readonly url?: string;
  /** Measured against this machine's loopback (127.0.0.0/8, ::1, localhost). */
  readonly local: boolean;
}

/** --task-capacity, else --loadtest-result, else ./loadtest-result.json, else the capacity of the config's last plan. */
export function taskCapacitySource(
  config: SaledayConfig,
  options: { taskCapacity?: number; loadtestResult?: string },
  cwd = process.cwd(),
): TaskCapacitySource {
  if (options.taskCapacity !== undefined) return { rps: options.taskCapacity, from: 'option', local: false };
  const file = options.loadtestResult ?? `${cwd}/${DEFAULT_LOADTEST_RESULT_FILE}`;
  if (options.loadtestResult !== undefined || existsSync(file)) {
    const result = readLoadtestResult(file);
    if (result.capacityRps <= 0) {
      throw new PlanCommandError(
        `${file}: the load test found no rate within the SLA (capacityRps 0); fix the target or pass --task-capacity`,
      );
    }
    return { rps: result.capacityRps, from: 'loadtest', file, url: result.url, local: isLoopbackUrl(result.url) };
  }
  if (config.plan) return { rps: config.plan.taskCapacityRps, from: 'config-plan', local: false };
  throw new PlanCommandError(
    'No task capacity: run `saleday loadtest` first (it writes loadtest-result.json) or pass --task-capacity <rps>',
  );
}

export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  host = host.replace(/^\[|\]$/g, '');
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    host === '0.0.0.0' ||
    /^127\.\d+\.\d+\.\d+$/.test(host)
  );
}

/** The warning the plan prints for a local figure. */
export function localCapacityWarning(
  source: TaskCapacitySource,
  fleet: Pick<SaledayConfig['fleet'], 'cpu' | 'memoryMiB'>,
): string {
  return (
    `the task capacity ${source.rps} rps was measured against ${source.url ?? 'this machine'} (${source.file ?? 'a local load test'}): a local measurement, ` +
    `not a Fargate task of ${fleet.cpu / 1024} vCPU and ${fleet.memoryMiB} MiB behind the load balancer. Load-test one deployed task ` +
    '(`saleday loadtest --url …`) or pass --task-capacity; `--write` refuses a local figure unless --accept-local-capacity is given'
  );
}
