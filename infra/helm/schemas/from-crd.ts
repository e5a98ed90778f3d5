/**
 * Derives strict JSON schemas for kubeconform from CustomResourceDefinition files:
 * `node --import tsx infra/helm/schemas/from-crd.ts OUT_DIR CRD.yaml…` writes `OUT_DIR/<group>/<kind>_<version>.json`
 * (lower-case kind), the layout `kubeconform -schema-location 'DIR/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'`
 * reads. Every object schema that lists its properties and does not keep unknown fields gets
 * `additionalProperties: false` (what `-strict` means for built-in kinds), `nullable` becomes a `null` type, and
 * `apiVersion`/`kind` are pinned to the resource's own.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

type Schema = Record<string, unknown>;

interface Crd {
  kind?: string;
  spec?: {
    group: string;
    names: { kind: string };
    versions: Array<{ name: string; schema?: { openAPIV3Schema?: Schema } }>;
  };
}

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A copy of an OpenAPI v3 schema as a strict JSON schema. */
export function strictSchema(node: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties' && isSchema(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, isSchema(v) ? strictSchema(v) : v]),
      );
    } else if ((key === 'items' || key === 'additionalProperties' || key === 'not') && isSchema(value)) {
      out[key] = strictSchema(value);
    } else if ((key === 'allOf' || key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
      out[key] = value.map((v) => (isSchema(v) ? strictSchema(v) : v));
    } else if (key !== 'nullable') {
      out[key] = value;
    }
  }
  if (node['nullable'] === true && typeof node['type'] === 'string') out['type'] = [node['type'], 'null'];
  const keepsUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (isSchema(node['properties']) && !('additionalProperties' in node) && !keepsUnknown)
    out['additionalProperties'] = false;
  return out;
}

/** The strict schema of each served version of a CRD, keyed by `<group>/<kind>_<version>.json`. */
export function schemasOfCrd(text: string): Map<string, Schema> {
  const found = new Map<string, Schema>();
  for (const doc of parseAllDocuments(text)) {
    const crd = doc.toJS() as Crd | null;
    if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
    const { group, names, versions } = crd.spec;
    for (const v of versions) {
      const root = v.schema?.openAPIV3Schema;
      if (!root) continue;
      const schema = strictSchema(root);
      const props = (schema['properties'] ?? {}) as Record<string, Schema>;
      props['apiVersion'] = { type: 'string', enum: [`${group}/${v.name}`] };
      props['kind'] = { type: 'string', enum: [names.kind] };
      schema['properties'] = props;
      schema['required'] = [
        ...new Set([...((schema['required'] as string[] | undefined) ?? []), 'apiVersion', 'kind']),
      ];
      found.set(`${group}/${names.kind.toLowerCase()}_${v.name}.json`, schema);
    }
  }
  return found;
}

if (require.main === module) {
  const [out, ...files] = process.argv.slice(2);
  if (!out || files.length === 0) {
    process.stderr.write('usage: from-crd.ts OUT_DIR CRD.yaml…\n');
    process.exit(2);
  }
  for (const file of files) {
    for (const [name, schema] of schemasOfCrd(readFileSync(file, 'utf8'))) {
      const target = join(out, name);
      mkdirSync(join(target, '..'), { recursive: true });
      writeFileSync(target, `${JSON.stringify(schema, null, 2)}\n`);
      process.stdout.write(`${target}\n`);
    }
  }
}
