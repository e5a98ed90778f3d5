import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The CLI's version: from the package.json beside the built bundle, else the one above `src/`. */
export function cliVersion(): string {
  for (const file of [join(__dirname, 'package.json'), join(__dirname, '..', 'package.json')]) {
    if (!existsSync(file)) continue;
    const m = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (m.name === '@foldwise/cli' && m.version) return m.version;
  }
  return '0.0.0';
}
