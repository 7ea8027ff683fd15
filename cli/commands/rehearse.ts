/**
 * `saleday rehearse` (what `npm start` runs): the sale day on this machine. Redis, several
 * gate+storefront pairs, the control plane on the config's own alarms, a traffic profile with a
 * surge, a bot flood, a slow route and a cache outage; then a report with pass/fail checks. The
 * exit code is 1 when a check fails, 3 when the run was inconclusive (this machine could not deliver
 * the traffic; see rehearse/report/delivery.ts), and 128 + the signal's number when Ctrl-C / SIGTERM cut
 * the run short (its report then covers the part that ran).
 */
import type { Command } from 'commander';
import { signalExitCode } from '../support/child-supervisor';
import { EXIT_CODES, runVerdict } from '../rehearse/report/delivery';
import { parseDurationMs } from '../rehearse/traffic/duration';
import { CACHE_OUTAGE_SCENARIOS } from '../rehearse/fleet/redis-choice';
import { runDropScenario } from '../rehearse/drop/drop-command';
import { runRehearsal } from '../rehearse/rehearsal';
import { formatTerminalSummary } from '../rehearse/report/terminal-summary';
import { defaultProfile, loadProfile } from '../rehearse/traffic/traffic-profile';

interface RehearseCommandOptions {
  redisUrl?: string;
  gates: string;
  duration: string;
  profile?: string;
  out: string;
  seed: string;
  timeScale?: string;
  progress: boolean;
  scenario: string;
  calibration: boolean;
}

/** What `saleday rehearse --help` says after the options: the exit codes, calibration and the drop scenario. */
const REHEARSE_HELP_AFTER = [
  '',
  'Exit codes:',
  '  0    every check passed',
  '  1    a check failed: the shop (or its config) did not hold',
  '  3    inconclusive: no check failed, but this machine could not deliver the planned traffic',
  '       where a check needed it (the generator fell behind or dropped requests, or the CPU was',
  '       saturated); the report says which check, when, and what to do',
  '  130  Ctrl-C, 143 SIGTERM: the run was cut short; the report covers the part that ran',
  '',
  'The run starts with a few seconds of calibration: it measures what one gate+storefront pair',
  'serves on this machine and scales the traffic profile to it, so the sale is 10× this fleet.',
  'Periods are compressed: at the default scale a 60 s CloudWatch period lasts 5 s and a 120 s',
  'calm period 10 s (see the README).',
  '',
  '--scenario drop rehearses the waiting room instead: the gates with the room enabled behind the',
  'CloudFront Function in a local edge, a pre-queue, arrivals jumping to 100× the measured capacity,',
  'half the line giving up, bots farming tickets; its checks are named waiting-room-… (--time-scale',
  'defaults to 5 there; --duration and --profile do not apply).',
].join('\n');

export function registerRehearseCommand(program: Command): void {
  program
    .command('rehearse')
    .description('Rehearse the sale on this machine: fleet, alarms, controller, traffic profile, report')
    .option(
      '--redis-url <url>',
      'use this Redis; the cache outage then pauses it (CLIENT PAUSE) rather than killing it (default: $REDIS_URL, else a redis-server started on a free port, else the embedded mode)',
      process.env.REDIS_URL,
    )
    .option('--gates <n>', 'gate+storefront pairs', '3')
    .option('--duration <duration>', 'length of the run, e.g. 120s or 2m', '120s')
    .option('--profile <file>', 'traffic profile JSON (default: the built-in sale-day profile)')
    .option('--out <dir>', "folder for report.json, report.html and the children's logs", './rehearsal-report')
    .option('--seed <n>', 'seed of the traffic choices (users, products, actions)', '1')
    .option(
      '--time-scale <factor>',
      'alarm and calm periods are divided by this (default: 12 for a 120 s run, more for shorter runs)',
    )
    .option('--no-progress', 'no progress line on stderr')
    .option(
      '--scenario <kind>',
      'how the cache outage happens with our own redis-servers: failover (a primary and a replica swap roles behind a relay, nothing restarted) or restart (the server is killed and started again); or drop: the waiting room at a limited release (see below)',
      'failover',
    )
    .option(
      '--no-calibration',
      "keep the profile's request rates as written instead of scaling them to the capacity measured at the start",
    )
    .addHelpText('after', REHEARSE_HELP_AFTER)
    .action(runRehearseCommand);
}

/** Runs the rehearsal (or the drop scenario) with the options checked, prints the summary and sets the exit code. */
async function runRehearseCommand(options: RehearseCommandOptions, command: Command): Promise<void> {
  const { config } = command.optsWithGlobals<{ config?: string }>();
  if (options.scenario === 'drop') return runDropScenario({ ...options, config });
  const gates = Number(options.gates);
  const seed = Number(options.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed: got ${JSON.stringify(options.seed)}; expected an integer`);
  const timeScale = options.timeScale === undefined ? undefined : Number(options.timeScale);
  if (timeScale !== undefined && !(timeScale >= 1))
    throw new Error(`--time-scale: got ${JSON.stringify(options.timeScale)}; expected a number ≥ 1`);
  const scenario = CACHE_OUTAGE_SCENARIOS.find((s) => s === options.scenario);
  if (!scenario)
    throw new Error(
      `--scenario: got ${JSON.stringify(options.scenario)}; expected ${CACHE_OUTAGE_SCENARIOS.join(' or ')}`,
    );
  const { report, files, interruptedBy } = await runRehearsal({
    configPath: config,
    redisUrl: options.redisUrl || undefined,
    gates,
    durationMs: parseDurationMs(options.duration, '--duration'),
    profile: options.profile ? loadProfile(options.profile) : defaultProfile(),
    outDir: options.out,
    seed,
    timeScale,
    progress: options.progress,
    scenario,
    calibrate: options.calibration,
  });
  process.stdout.write(`${formatTerminalSummary(report, files, process.stdout.isTTY === true)}\n`);
  if (interruptedBy) process.exitCode = signalExitCode(interruptedBy);
  else process.exitCode = EXIT_CODES[runVerdict(report.checks)];
}
