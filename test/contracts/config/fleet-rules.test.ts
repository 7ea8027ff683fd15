import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isConfigError } from '../../../contracts/config/config-error';
import { parseConfig } from '../../../contracts/config/load-config';
import { derivedRequestsPerTargetPerSecond } from '../../../contracts/config/fleet-rules';

const example = JSON.parse(readFileSync(join(__dirname, '../../../saleday.config.json'), 'utf8'));
const plan = {
  computedAt: '2026-11-27T09:00:00.000Z',
  peakRequestsPerSecond: 2050,
  fleetRequestsPerSecond: 820,
  taskCapacityRps: 400,
  headroom: 5,
  tasks: 11,
  cacheNodeType: 'cache.m7g.large',
  costPerHourUsd: 3.2,
};

function problemsOf(edit: (raw: typeof example) => void): string {
  const raw = structuredClone(example);
  edit(raw);
  try {
    parseConfig(raw);
  } catch (error) {
    if (isConfigError(error)) return error.problems.join('\n');
    throw error;
  }
  return '';
}

describe('fleet.requestsPerTargetPerSecond', () => {
  it('refuses the old per-minute field by name, saying the new name and unit', () => {
    expect(
      problemsOf((c) => {
        delete c.fleet.requestsPerTargetPerSecond;
        c.fleet.requestsPerTarget = 500;
      }),
    ).toMatch(
      /^fleet\.requestsPerTarget: got 500; renamed to fleet\.requestsPerTargetPerSecond, in requests per second per task \(the old value was per minute/,
    );
  });

  it('refuses a target above the capacity the plan measured, and says where that capacity comes from', () => {
    expect(
      problemsOf((c) => Object.assign(c, { plan }, { fleet: { ...c.fleet, requestsPerTargetPerSecond: 401 } })),
    ).toMatch(
      /^fleet\.requestsPerTargetPerSecond: got 401; expected at most 400, the measured capacity of one task in requests\/s \(plan\.taskCapacityRps, from `saleday loadtest`/,
    );
    expect(
      problemsOf((c) => Object.assign(c, { plan }, { fleet: { ...c.fleet, requestsPerTargetPerSecond: 400 } })),
    ).toBe('');
  });

  it('is a positive rate with a default when omitted', () => {
    expect(problemsOf((c) => (c.fleet.requestsPerTargetPerSecond = 0))).toMatch(
      /fleet\.requestsPerTargetPerSecond: got 0/,
    );
    const raw = structuredClone(example);
    delete raw.fleet.requestsPerTargetPerSecond;
    expect(parseConfig(raw).fleet.requestsPerTargetPerSecond).toBe(100);
  });

  it('is derived from the capacity at the target utilisation', () => {
    expect(derivedRequestsPerTargetPerSecond(400, 55)).toBe(220);
    expect(derivedRequestsPerTargetPerSecond(1, 10)).toBe(1);
  });
});
