/** `saleday rehearse --scenario drop`: parses the shared options, runs the drop, prints its summary, sets the exit code. */
import { runDropRehearsal } from './drop-rehearsal';
import { formatDropTerminalSummary } from './drop-report';

export async function runDropScenario(options: {
  config?: string;
  redisUrl?: string;
  gates: string;
  out: string;
  seed: string;
  timeScale?: string;
}): Promise<void> {
  const seed = Number(options.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed: got ${JSON.stringify(options.seed)}; expected an integer`);
  const timeScale = options.timeScale === undefined ? undefined : Number(options.timeScale);
  if (timeScale !== undefined && !(timeScale >= 1))
    throw new Error(`--time-scale: got ${JSON.stringify(options.timeScale)}; expected a number ≥ 1`);
  const { report, files } = await runDropRehearsal({
    configPath: options.config,
    redisUrl: options.redisUrl || undefined,
    gates: Number(options.gates),
    outDir: options.out,
    seed,
    timeScale,
  });
  process.stdout.write(`${formatDropTerminalSummary(report, files, process.stdout.isTTY === true)}\n`);
  process.exitCode = report.checks.every((c) => c.pass) ? 0 : 1;
}
