/** What `saleday --version` prints: this package's version, and the Node it runs on (support questions need both). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function saledayVersion(
  packageJsonPath = join(__dirname, '..', 'package.json'),
  nodeVersion = process.version,
): string {
  const { version } = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version?: unknown };
  if (typeof version !== 'string')
    throw new Error(`${packageJsonPath}: version: got ${JSON.stringify(version)}; expected a string such as "0.1.0"`);
  return `saleday ${version} (node ${nodeVersion})`;
}
