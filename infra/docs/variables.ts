/**
 * The one table of every environment variable foldwise reads, generated from the zod schemas that read them (names,
 * defaults, allowed values) and their one-line docs: `npm run docs:variables` writes it into README.md between the
 * `variables` markers; `infra/docs/variables.test.ts` fails when README's copy differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as prettier from 'prettier';
import { z } from 'zod';
// The generator documents the variables where they are read, so it reads the schemas of the applications and the SDK:
// eslint-disable-next-line @nx/enforce-module-boundaries -- documentation tooling reads the CLI's schema
import { cliEnvSchema, cliVariableDocs } from '@foldwise/cli';
// eslint-disable-next-line @nx/enforce-module-boundaries -- documentation tooling reads the SDK's schema
import { clientEnvSchema, clientVariableDocs, renamedVariables } from '@foldwise/sdk';
// eslint-disable-next-line @nx/enforce-module-boundaries -- documentation tooling reads the worker's schema
import { workerConfigSchema, workerVariableDocs } from '@foldwise/worker';
import { stackVariableDocs, stackVariablesSchema } from '../local';

/** Who reads a group of variables, and the schema and docs that say what they are. */
interface Group {
  readers: string;
  schema: z.ZodObject;
  docs: Record<string, string>;
}

const groups: Group[] = [
  { readers: 'SDK, CLI', schema: clientEnvSchema, docs: clientVariableDocs },
  { readers: 'worker', schema: workerConfigSchema, docs: workerVariableDocs },
  { readers: 'CLI', schema: cliEnvSchema, docs: cliVariableDocs },
  { readers: '`foldwise stack up`', schema: stackVariablesSchema, docs: stackVariableDocs },
];

/** The default and the allowed values a field's schema declares (through optional, default and preprocess wrappers). */
export function fieldFacts(schema: z.ZodType): { default?: unknown; values?: string[] } {
  let s: z.ZodType = schema;
  const facts: { default?: unknown; values?: string[] } = {};
  for (let i = 0; i < 10; i++) {
    if (s instanceof z.ZodDefault) {
      facts.default = s.def.defaultValue;
      s = s.def.innerType as z.ZodType;
    } else if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) {
      s = s.def.innerType as z.ZodType;
    } else if (s instanceof z.ZodPipe) {
      s = (s.def.out instanceof z.ZodTransform ? s.def.in : s.def.out) as z.ZodType;
    } else break;
  }
  if (s instanceof z.ZodEnum) facts.values = s.options.map(String);
  return facts;
}

const code = (v: string): string => `\`${v}\``;
const cell = (v: string): string => v.replace(/\|/g, '\\|');

/** The markdown table: one row per variable, the readers of a variable read by several groups joined. */
export function variablesTable(): string {
  const rows = new Map<string, { readers: string[]; default: string; meaning: string }>();
  for (const g of groups) {
    for (const [name, field] of Object.entries(g.schema.shape)) {
      const doc = g.docs[name];
      if (!doc) throw new Error(`${name}: no line in the docs of ${g.readers}`);
      const known = rows.get(name);
      if (known) {
        if (!known.readers.includes(g.readers)) known.readers.push(g.readers);
        continue;
      }
      const facts = fieldFacts(field as z.ZodType);
      const values = facts.values ? ` (${facts.values.map(code).join(', ')})` : '';
      const old = Object.entries(renamedVariables).find(([, now]) => now === name)?.[0];
      rows.set(name, {
        readers: [g.readers],
        default:
          facts.default === undefined || facts.default === ''
            ? ''
            : code(Array.isArray(facts.default) ? facts.default.join(',') : String(facts.default)),
        meaning: `${doc}${values}${old && !doc.includes(old) ? `; was \`${old}\`` : ''}`,
      });
    }
  }
  const lines = ['| variable | read by | default | meaning |', '| --- | --- | --- | --- |'];
  for (const [name, r] of rows)
    lines.push(`| ${code(name)} | ${r.readers.join(', ')} | ${r.default} | ${cell(r.meaning)} |`);
  return lines.join('\n');
}

const start = '<!-- variables:start -->';
const end = '<!-- variables:end -->';

/** README.md at the repository root. */
export const readmePath = resolve(__dirname, '..', '..', 'README.md');

/** README's text with the table between the markers replaced by `table`, formatted as Prettier formats README. */
export async function withTable(readme: string, table: string): Promise<string> {
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README.md: no ${start} … ${end} section`);
  const text = `${readme.slice(0, a + start.length)}\n\n${table}\n\n${readme.slice(b)}`;
  const options = (await prettier.resolveConfig(readmePath)) ?? {};
  return prettier.format(text, { ...options, filepath: readmePath });
}

if (require.main === module) {
  void withTable(readFileSync(readmePath, 'utf8'), variablesTable()).then((text) => {
    writeFileSync(readmePath, text);
    process.stdout.write('wrote the variables table into README.md\n');
  });
}
