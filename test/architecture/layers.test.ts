/**
 * The house rule: every import points down the list of layers (docs/architecture.md), so the
 * contracts stay a ground floor any piece can stand on and no runtime piece depends on the CLI.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Top-level folders from the highest layer to the lowest; a folder may import itself or any folder after it. */
const LAYERS = ['bin', 'bench', 'cli', 'lib', 'lambda', 'gate', 'storefront', 'edge', 'guard', 'contracts'] as const;

const ROOT = resolve(__dirname, '..', '..');
const IMPORT = /(?:from|import|require)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFiles(folder: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(folder)) {
    if (name === 'node_modules') continue;
    const path = join(folder, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function topFolder(path: string): string {
  return relative(ROOT, path).split(sep)[0] ?? '';
}

function upwardImports(): string[] {
  const found: string[] = [];
  for (const layer of LAYERS) {
    const rank = LAYERS.indexOf(layer);
    for (const file of sourceFiles(join(ROOT, layer))) {
      for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const target = topFolder(resolve(dirname(file), match[1]!));
        const targetRank = LAYERS.indexOf(target as (typeof LAYERS)[number]);
        if (targetRank < rank)
          found.push(`${relative(ROOT, file)} imports ${match[1]} (${target} is not below ${layer})`);
      }
    }
  }
  return found;
}

describe('layers', () => {
  it('has every import of the shipped code point down the list of layers', () => {
    expect(upwardImports()).toEqual([]);
  });

  it('finds an upward import when there is one', () => {
    const line = "import { x } from '../../cli/support/loopback';";
    const [match] = [...line.matchAll(IMPORT)];
    expect(topFolder(resolve(ROOT, 'guard', 'shed', match![1]!))).toBe('cli');
  });
});
