import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { saledayVersion } from '../../../cli/saleday-version';

const ROOT = join(__dirname, '../../..');

describe('saleday --version', () => {
  it('reads the version from package.json and names the Node it runs on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'saleday-version-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '9.8.7' }));
    expect(saledayVersion(join(dir, 'package.json'), 'v24.0.0')).toBe('saleday 9.8.7 (node v24.0.0)');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x' }));
    expect(() => saledayVersion(join(dir, 'package.json'))).toThrow(/version: got undefined; expected a string/);
  });

  it('is printed by the CLI', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'bin/saleday.js'), '--version'], {
      cwd: ROOT,
      timeout: 60_000,
    });
    expect(stdout.trim()).toBe(`saleday ${version} (node ${process.version})`);
  }, 90_000);
});
