import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { chooseMetricsFormat, formatStatusLine, metricsSink, summarizeFlush } from '../../../cli/gate/metrics-format';
import { formatEmfLine } from '../../../gate/proxy/emf-line-writer';
import { GATE_NAMESPACE } from '../../../contracts/metrics/gate-metrics';

const AT = Date.UTC(2026, 11, 4, 9, 30, 5);

function classLine(priorityClass: string, values: Record<string, number>): string {
  return formatEmfLine({
    namespace: GATE_NAMESPACE,
    timestampMs: AT,
    dimensions: { Sale: 's', PriorityClass: priorityClass },
    metrics: Object.entries(values).map(([name, value]) => ({ name, unit: 'Count' as const, value })),
  });
}

const processLine = formatEmfLine({
  namespace: GATE_NAMESPACE,
  timestampMs: AT,
  dimensions: { Sale: 's' },
  metrics: [
    { name: 'FlagsLevel', unit: 'None', value: 2 },
    { name: 'InFlight', unit: 'None', value: 7 },
    { name: 'ConcurrencyLimit', unit: 'None', value: 64 },
  ],
});

describe('saleday gate: EMF or a status line', () => {
  it('prints status on a terminal and EMF anywhere else, unless told', () => {
    expect(chooseMetricsFormat(undefined, true)).toBe('status');
    expect(chooseMetricsFormat(undefined, false)).toBe('emf');
    expect(chooseMetricsFormat('emf', true)).toBe('emf');
    expect(chooseMetricsFormat('status', false)).toBe('status');
    expect(() => chooseMetricsFormat('json', true)).toThrow('--metrics-format: got "json"; expected emf or status');
  });

  it('sums a second of EMF lines into one status line', () => {
    const lines = [
      classLine('critical', { Requests: 10, Served: 10 }),
      classLine('low', { Requests: 30, Served: 5, Shed: 20, Limited: 5 }),
      processLine,
    ];
    const status = summarizeFlush(lines);
    expect(status).toMatchObject({
      requests: 40,
      served: 15,
      shed: 20,
      limited: 5,
      degraded: 0,
      level: 2,
      inFlight: 7,
      concurrencyLimit: 64,
    });
    expect(formatStatusLine(status, new Date(AT))).toBe(
      '09:30:05  40 req/s  served 15  shed 20  limited 5  degraded 0  level 2  in flight 7/64',
    );
  });

  it('passes EMF lines through untouched, and prints one status line per flush', () => {
    const emfOut: string[] = [];
    const emf = metricsSink('emf', (t) => emfOut.push(t));
    emf(processLine);
    expect(emfOut).toEqual([`${processLine}\n`]);

    const statusOut: string[] = [];
    const deferred: (() => void)[] = [];
    const status = metricsSink('status', (t) => statusOut.push(t), {
      now: () => new Date(AT),
      defer: (run) => deferred.push(run),
      inPlace: true,
    });
    status(classLine('high', { Requests: 3, Served: 3 }));
    status(processLine);
    expect(statusOut).toEqual([]);
    expect(deferred).toHaveLength(1);
    deferred[0]!();
    expect(statusOut).toEqual([
      '\r\u001b[2K09:30:05  3 req/s  served 3  shed 0  limited 0  degraded 0  level 2  in flight 7/64',
    ]);
  });

  describe('the command', () => {
    let app: Server;
    let appUrl: string;
    beforeAll(async () => {
      app = createServer((_req, res) => res.end('ok'));
      await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
      appUrl = `http://127.0.0.1:${(app.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => app.close(() => resolve())));

    it('with --metrics-format status prints status lines, not EMF', async () => {
      const root = join(__dirname, '../../..');
      const child = spawn(
        process.execPath,
        [
          join(root, 'bin/saleday.js'),
          '--config',
          join(root, 'saleday.config.json'),
          'gate',
          '--port',
          '0',
          '--upstream',
          appUrl,
          '--metrics-format',
          'status',
        ],
        {
          cwd: root,
          // The example config proves user keys with hmac: the gate refuses to start without the secret.
          env: { ...process.env, SALEDAY_IDENTITY_SECRET: 'a-metrics-format-test-secret' },
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      );
      let out = '';
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no status line within 60 s; stdout: ${out}`)), 60_000);
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            if (/\d\d:\d\d:\d\d {2}\d+ req\/s .* level 0/.test(out)) {
              clearTimeout(timer);
              resolve();
            }
          });
        });
      } finally {
        child.kill('SIGTERM');
      }
      expect(out).toContain('"event":"listening"');
      expect(out).not.toContain('"_aws"');
    }, 90_000);
  });
});
