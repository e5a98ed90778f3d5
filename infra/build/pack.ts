/**
 * `npm run pack [-- --no-build] [--out DIR]`: builds (unless told not to) and packs every published package's dist
 * folder into `dist/tarballs` (or DIR) with `npm pack`; prints one tarball path a line.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildAll, root, targets } from './build';

/** Packs the published packages (built already) into `out`; returns the tarball paths, in `targets` order. */
export function packPublished(out: string): string[] {
  mkdirSync(out, { recursive: true });
  const dirs = targets.filter((t) => t.publish).map((t) => join(root, t.dir, 'dist'));
  const names = execFileSync('npm', ['pack', '--silent', '--pack-destination', out, ...dirs], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s.endsWith('.tgz'));
  return names.map((n) => join(out, n));
}

async function main(argv: string[]): Promise<void> {
  const at = argv.indexOf('--out');
  const out = resolve(at >= 0 && argv[at + 1] ? argv[at + 1]! : join(root, 'dist', 'tarballs'));
  if (!argv.includes('--no-build')) await buildAll();
  for (const file of packPublished(out)) process.stdout.write(`${file}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`pack failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
