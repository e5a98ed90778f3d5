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
  return readSpecText(text, file);
}

/** Parses a search spec read from `source` (a file name, or `<stdin>`): JSON for `.json`, else YAML (which accepts JSON). */
export function readSpecText(text: string, source: string): unknown {
  const json = extname(source).toLowerCase() === '.json';
  try {
    return json ? (JSON.parse(text) as unknown) : (parseYaml(text, { prettyErrors: true }) as unknown);
  } catch (err) {
    throw new CliError(
      `${source}: not valid ${json ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
      ExitCode.InvalidInput,
    );
  }
}
