import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CliError, ExitCode } from './errors';

/** Reads a search spec from a YAML or JSON file (by extension; YAML otherwise, which also accepts JSON). Never evaluates code. */
export function readSpecFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(
      `${file}: cannot read the spec (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      ExitCode.InvalidInput,
    );
  }
  try {
    return extname(file).toLowerCase() === '.json'
      ? (JSON.parse(text) as unknown)
      : (parseYaml(text, { prettyErrors: true }) as unknown);
  } catch (err) {
    throw new CliError(
      `${file}: not valid ${extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
      ExitCode.InvalidInput,
    );
  }
}
