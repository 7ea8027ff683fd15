/**
 * `saleday loadtest`: the highest request rate one task (gate + app) serves within the SLA, found
 * with an open-loop generator (cli/loadtest/), written to a result file that `saleday plan` reads.
 * Without --url it starts a local storefront and gate (and a redis-server when one is on the PATH).
 */
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { Dispatcher } from 'undici';
import { resolveConfigPath } from '../../contracts/config/load-config';
import { configFor } from '../cli-config';
import { loadtestIdentitySecret } from '../loadtest/identity-secret';
import { startLocalTarget, type LocalTarget } from '../loadtest/local-target';
import { DEFAULT_LOADTEST_RESULT_FILE, writeLoadtestResult, type LoadtestResult } from '../loadtest/loadtest-result';
import { DEFAULT_LOADTEST_PATH, requestMix } from '../loadtest/request-mix';
import { round, runLoadtest } from '../loadtest/run-loadtest';
import { formatTable } from '../output/table';

interface LoadtestCommandOptions {
  url?: string;
  path: string;
  method: string;
  body?: string;
  ids?: string;
  users: number;
  startRate: number;
  maxRate: number;
  stepSeconds: number;
  duration: number;
  warmUp?: number;
  connections: number;
  maxOutstanding?: number;
  redisUrl?: string;
  out: string;
  json?: boolean;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** A commander parser for a number above 0 (a whole one when `integer`). */
const positive =
  (flag: string, integer = false) =>
  (value: string) => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0 || (integer && !Number.isInteger(parsed))) {
      throw new InvalidArgumentError(
        `${flag}: got ${JSON.stringify(value)}; expected ${integer ? 'a whole number' : 'a number'} above 0`,
      );
    }
    return parsed;
  };

export function registerLoadtestCommand(program: Command): void {
  program
    .command('loadtest')
    .description(
      'Find the highest rate one task serves within the SLA (open-loop, no coordinated omission) and write the result plan reads.',
    )
    .option('--url <url>', 'target to test (default: start a local storefront + gate)')
    .option('--path <path>', 'request path; :id is replaced by --ids in turn', DEFAULT_LOADTEST_PATH)
    .option('--method <method>', `HTTP method (${METHODS.join(', ')})`, 'GET')
    .option('--body <json>', 'request body (JSON)')
    .option('--ids <list>', 'comma-separated values for :id (default: sku-001 … sku-050)')
    .option('--users <n>', 'distinct user keys to rotate through', positive('--users', true), 10_000)
    .option('--start-rate <rps>', 'first rate to try', positive('--start-rate'), 50)
    .option('--max-rate <rps>', 'highest rate to try', positive('--max-rate'), 20_000)
    .option('--step-seconds <s>', 'length of each step', positive('--step-seconds'), 10)
    .option('--duration <s>', 'cap on the whole search', positive('--duration'), 300)
    .option(
      '--warm-up <s>',
      'unmeasured traffic at --start-rate before the first step (default: min(2, --step-seconds))',
      (v: string) => {
        const parsed = Number(v);
        if (!Number.isFinite(parsed) || parsed < 0)
          throw new InvalidArgumentError(`--warm-up: got ${JSON.stringify(v)}; expected seconds, 0 or more`);
        return parsed;
      },
    )
    .option('--connections <n>', 'TCP connections to the target', positive('--connections', true), 512)
    .option(
      '--max-outstanding <n>',
      'requests in flight above which new ones count as errors (default: rate × 2 × SLA p99)',
      positive('--max-outstanding', true),
    )
    .option('--redis-url <url>', 'Redis for the local target (default: a redis-server on a free port, else embedded)')
    .option('-o, --out <file>', 'result file', DEFAULT_LOADTEST_RESULT_FILE)
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nA step passes when its p99 (from the intended send time) is within sla.p99LatencyMs and its error rate within\n' +
        'sla.errorRate. Errors: 5xx, 429, timeouts, connection failures, and requests over the outstanding bound — a\n' +
        'gate that sheds (503) or limits (429) is past the capacity of its task.',
    )
    .action(runLoadtestCommand);
}

/** The command's action: the target (given, or started locally), the search, the result file. */
async function runLoadtestCommand(options: LoadtestCommandOptions, command: Command): Promise<void> {
  const config = configFor(command);
  const method = options.method.toUpperCase();
  if (!(METHODS as readonly string[]).includes(method))
    throw new InvalidArgumentError(
      `--method: got ${JSON.stringify(options.method)}; expected one of ${METHODS.join(', ')}`,
    );
  const identitySecret = loadtestIdentitySecret(config.identity, options.url ? 'remote' : 'local');
  const request = requestMix({
    path: options.path,
    method: method as Dispatcher.HttpMethod,
    body: options.body,
    ids: options.ids
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    users: options.users,
    identity: config.identity,
    identitySecret: identitySecret?.secret,
  });
  const progress = options.json ? undefined : process.stderr;
  let target: LocalTarget | undefined;
  try {
    let url = options.url;
    if (!url) {
      process.stderr.write('Starting a local storefront and gate…\n');
      target = await startLocalTarget({
        configPath: resolveConfigPath(command.optsWithGlobals<{ config?: string }>().config),
        redisUrl: options.redisUrl,
        identitySecret,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      url = target.url;
    }
    progress?.write(
      `Load-testing ${url}${options.path} — SLA p99 ≤ ${config.sla.p99LatencyMs} ms, errors ≤ ${(config.sla.errorRate * 100).toFixed(2)}%\n`,
    );
    const result = await runLoadtest({
      url,
      sla: config.sla,
      request,
      startRate: options.startRate,
      maxRate: options.maxRate,
      stepSeconds: options.stepSeconds,
      durationSeconds: options.duration,
      warmUpSeconds: options.warmUp,
      connections: options.connections,
      maxOutstanding: options.maxOutstanding,
      progress,
    });
    const file = resolve(options.out);
    writeLoadtestResult(file, result);
    if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`${renderLoadtestResult(result)}\nWrote ${file} (saleday plan reads it).\n`);
    if (result.capacityRps === 0) process.exitCode = 1;
  } finally {
    await target?.close();
  }
}

export function renderLoadtestResult(result: LoadtestResult): string {
  const rows = [...result.steps]
    .sort((a, b) => a.rate - b.rate)
    .map((s) => [
      s.rate,
      s.achievedRps,
      round(s.p50),
      round(s.p90),
      round(s.p99),
      round(s.max),
      `${(s.errorRate * 100).toFixed(2)}%`,
      s.pass ? '✓' : '✗',
    ]);
  const table = formatTable(['rate (rps)', 'ok/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'SLA'], rows, {
    alignRight: [6],
  });
  const verdict =
    result.capacityRps > 0
      ? `Capacity of one task: ${result.capacityRps} rps within p99 ≤ ${result.sla.p99LatencyMs} ms and errors ≤ ${(result.sla.errorRate * 100).toFixed(2)}%.`
      : 'No rate met the SLA: lower --start-rate, or look at the target.';
  return `${table}\n${verdict}`;
}
