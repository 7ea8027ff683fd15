/**
 * `npm run bench`: every benchmark in one run, one after the other (never in parallel: they share
 * two cores). Each prints ratios against a named peer measured in the same run, because these
 * machines are shared and noisy: compare ratios and medians, not absolute numbers across runs.
 * `npm run bench -- rate-limit` runs only the benchmarks whose name contains the argument.
 */
interface BenchModule {
  run(): Promise<string[]>;
}

const BENCHMARKS: Record<string, () => Promise<BenchModule>> = {
  'rate-limit': () => import('./rate-limit.bench'),
  'gate-proxy': () => import('./gate-proxy.bench'),
  'flags-propagation': () => import('./flags-propagation.bench'),
};

async function main(): Promise<void> {
  const filter = process.argv[2];
  const lines: string[] = [];
  for (const [name, load] of Object.entries(BENCHMARKS)) {
    if (filter && !name.includes(filter)) continue;
    console.error(`# ${name} …`);
    const started = Date.now();
    const result = await (await load()).run();
    for (const line of result) console.log(line);
    lines.push(...result);
    console.error(`# ${name} done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  if (lines.length === 0) {
    console.error(`no benchmark matches "${filter}"; known: ${Object.keys(BENCHMARKS).join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
