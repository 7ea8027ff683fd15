/**
 * The guard library stands on its own: its barrel exports every part, and it imports from
 * contracts/ only the agreements it shares with other pieces (never the app's config).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as guard from '../../guard';

const GUARD = resolve(__dirname, '..', '..', 'guard');
const CONTRACTS = resolve(__dirname, '..', '..', 'contracts');
const IMPORT = /(?:from|import|require)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** What the flags client and the Redis connection agree on with the controller and the stack. */
const SHARED_AGREEMENTS = ['flags/flags-document', 'flags/flags-version', 'redis-cluster-url'];

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

describe('the guard library', () => {
  it('imports from contracts/ only the shared agreements', () => {
    const contractImports = new Set<string>();
    for (const file of sourceFiles(GUARD)) {
      for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const target = relative(CONTRACTS, resolve(dirname(file), match[1]!));
        if (!target.startsWith('..')) contractImports.add(target);
      }
    }
    expect([...contractImports].sort()).toEqual(SHARED_AGREEMENTS);
  });

  it.each([
    'createRateLimiter',
    'createConcurrencyLimiter',
    'createAdmissionController',
    'createCircuitBreaker',
    'BreakerRegistry',
    'RedisFlagsSource',
    'MemoryFlags',
    'createRedisConnection',
    'systemClock',
    'wallClock',
    'InvalidOptionsError',
    'isGuardError',
    'PRIORITY_CLASSES',
    'ADMISSION_DEFAULTS',
    'RATE_LIMIT_DEFAULTS',
    'BREAKER_DEFAULTS',
    'FLAGS_SOURCE_DEFAULTS',
  ])('exports %s from its barrel', (name) => {
    expect(guard).toHaveProperty(name);
  });
});
