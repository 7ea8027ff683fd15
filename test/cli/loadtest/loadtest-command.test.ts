import { Command } from 'commander';
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerLoadtestCommand, renderLoadtestResult } from '../../../cli/commands/loadtest';
import { resolveTaskCapacity } from '../../../cli/commands/plan';
import { readLoadtestResult } from '../../../cli/loadtest/loadtest-result';
import { signHmacUserKey } from '../../../contracts/hmac-user-key';
import { loadConfig } from '../../../contracts/config/load-config';

const EXAMPLE = join(__dirname, '../../../saleday.config.json');
const SECRET = 'the-targets-identity-secret';

describe('saleday loadtest --url', () => {
  let app: FastifyInstance;
  let dir: string;
  const seen = { users: new Set<string>(), paths: new Set<string>() };

  beforeAll(async () => {
    process.env.SALEDAY_IDENTITY_SECRET = SECRET;
    dir = mkdtempSync(join(tmpdir(), 'saleday-loadtest-'));
    app = Fastify();
    app.get('/api/products/:id', async (request) => {
      seen.users.add(String(request.headers.cookie));
      seen.paths.add(request.url);
      return { id: (request.params as { id: string }).id };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    delete process.env.SALEDAY_IDENTITY_SECRET;
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('steps the rate, writes the result file plan reads, and prints JSON', async () => {
    const address = app.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const out = join(dir, 'result.json');
    const program = new Command('saleday').option('-c, --config <file>').exitOverride();
    registerLoadtestCommand(program);
    let printed = '';
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed += String(chunk);
      return true;
    });
    try {
      await program.parseAsync(
        [
          'node',
          'saleday',
          '--config',
          EXAMPLE,
          'loadtest',
          '--url',
          url,
          '--start-rate',
          '50',
          '--max-rate',
          '100',
          '--step-seconds',
          '0.5',
          '--users',
          '20',
          '--out',
          out,
          '--json',
        ],
        { from: 'node' },
      );
    } finally {
      write.mockRestore();
    }
    const result = readLoadtestResult(out);
    expect(JSON.parse(printed)).toEqual(result);
    expect(result.url).toBe(url);
    expect(result.sla).toEqual({ p99LatencyMs: 800, errorRate: 0.01 });
    expect(result.steps.map((s) => [s.rate, s.pass])).toEqual([
      [50, true],
      [100, true],
    ]);
    expect(result.steps[1]!.errorRate).toBe(0);
    expect(result.capacityRps).toBe(100);
    // The example config proves user keys with hmac: each shopper sends its own signed session cookie.
    expect(seen.users.size).toBe(20);
    expect(seen.users).toContain(`saleday-session=${signHmacUserKey('loadtest-user-19', SECRET)}`);
    expect(seen.paths.has('/api/products/sku-001')).toBe(true);
    expect(resolveTaskCapacity(loadConfig(EXAMPLE), { loadtestResult: out })).toBe(100);
    expect(renderLoadtestResult(result)).toMatch(/Capacity of one task: 100 rps within p99 ≤ 800 ms/);
  });
});

describe('saleday loadtest --url without the identity secret', () => {
  it('refuses to start, naming the variable, since keys signed with another secret would all be unproven', async () => {
    const program = new Command('saleday').option('-c, --config <file>').exitOverride();
    registerLoadtestCommand(program);
    const saved = process.env.SALEDAY_IDENTITY_SECRET;
    delete process.env.SALEDAY_IDENTITY_SECRET;
    try {
      await expect(
        program.parseAsync(
          ['node', 'saleday', '--config', EXAMPLE, 'loadtest', '--url', 'http://127.0.0.1:9', '--json'],
          { from: 'node' },
        ),
      ).rejects.toThrow(/SALEDAY_IDENTITY_SECRET: got nothing; expected the target's identity secret/);
    } finally {
      if (saved !== undefined) process.env.SALEDAY_IDENTITY_SECRET = saved;
    }
  });
});
