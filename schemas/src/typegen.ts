// Generates TypeScript interfaces from the newest .avsc of each kind, so the types can never drift
// from the schemas: records.generated.ts is this function's output, and a test compares them.
import { loadSchemaVersions, RECORD_KINDS, AVRO_DIR } from './codec.ts';

interface AvroField { name: string; type: unknown; doc?: string }

function tsType(t: unknown): string {
  if (typeof t === 'string') {
    switch (t) {
      case 'null': return 'null';
      case 'boolean': return 'boolean';
      case 'int': case 'long': case 'float': case 'double': return 'number';
      case 'string': return 'string';
      case 'bytes': return 'Buffer';
      default: throw new Error(`unsupported named type ${t}`);
    }
  }
  if (Array.isArray(t)) return t.map(tsType).join(' | ');
  const o = t as { type: string; values?: unknown; items?: unknown; symbols?: string[] };
  if (o.type === 'map') return `Record<string, ${tsType(o.values)}>`;
  if (o.type === 'array') return `Array<${tsType(o.items)}>`;
  if (o.type === 'enum') return (o.symbols ?? []).map((s) => JSON.stringify(s)).join(' | ');
  return tsType(o.type);
}

export function generateRecordTypes(dir = AVRO_DIR): string {
  const out = ['// GENERATED from schemas/avro/*.avsc by `npm run gen -w schemas`. Do not edit.', ''];
  for (const kind of RECORD_KINDS) {
    const newest = loadSchemaVersions(kind, dir).at(-1);
    if (!newest) throw new Error(`no ${kind} schema`);
    const schema = newest.schema as { name: string; doc?: string; fields: AvroField[] };
    out.push(`/** ${schema.doc ?? ''} (schema v${newest.version}, fingerprint ${newest.fingerprintHex}) */`);
    out.push(`export interface ${schema.name} {`);
    for (const f of schema.fields) {
      if (f.doc) out.push(`  /** ${f.doc} */`);
      out.push(`  ${f.name}: ${tsType(f.type)};`);
    }
    out.push('}', '');
  }
  return out.join('\n');
}
