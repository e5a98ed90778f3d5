import { familyParamsSchemas, type BuiltinFamily, type SearchSpec, type SpecIssue } from '@foldwise/spec';

type Domain = { type: string; value?: unknown; values?: unknown[]; low?: number; high?: number };

function corners(space: Record<string, Domain>): Record<string, unknown>[] {
  const pick = (end: 'low' | 'high', choiceIndex: number) =>
    Object.fromEntries(
      Object.entries(space).map(([k, d]) => {
        if (d.type === 'const') return [k, d.value];
        if (d.type === 'choice') return [k, d.values?.[Math.min(choiceIndex, (d.values?.length ?? 1) - 1)]];
        return [k, d[end]];
      }),
    );
  const widest = Math.max(
    1,
    ...Object.values(space).map((d) => (d.type === 'choice' ? (d.values?.length ?? 1) : 1)),
  );
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < widest; i++) out.push(pick('low', i), pick('high', i));
  return out;
}

/**
 * Checks every built-in family's fixed parameters and search space against the family's declared
 * hyperparameters (types, ranges, unknown names), at the space's corners and every choice value.
 * Custom families (`custom:<name>`) are registered on workers and checked there.
 */
export function familyIssues(spec: SearchSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  spec.models.forEach((m, i) => {
    if (!Object.hasOwn(familyParamsSchemas, m.family)) return;
    const schema = familyParamsSchemas[m.family as BuiltinFamily];
    const space = m.space as unknown as Record<string, Domain>;
    const seen = new Set<string>();
    for (const sample of corners(space)) {
      const r = schema.safeParse({ ...m.params, ...sample });
      if (r.success) continue;
      for (const iss of r.error.issues) {
        const keys = iss.code === 'unrecognized_keys' ? iss.keys : [String(iss.path[0] ?? '')];
        for (const key of keys) {
          const where = key in space ? 'space' : 'params';
          const path = `models[${i}].${where}.${[key, ...iss.path.slice(1).map(String)].filter(Boolean).join('.')}`;
          const message =
            iss.code === 'unrecognized_keys'
              ? `'${key}' is not a hyperparameter of ${m.family}`
              : `${iss.message}${where === 'space' ? ' (at the edge of the search space)' : ''}`;
          if (seen.has(`${path}|${message}`)) continue;
          seen.add(`${path}|${message}`);
          issues.push({ path, code: iss.code, message });
        }
      }
    }
  });
  return issues;
}
