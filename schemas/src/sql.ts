// The one SQL-building helper. ClickHouse 18.16 has no query parameters, so every value that
// reaches a statement goes through here: strings are quoted and escaped, numbers must be finite,
// identifiers must be plain names, and only `raw()` fragments (written by us) pass unescaped.

const RAW = Symbol('sql.raw');
export interface SqlFragment { readonly [RAW]: string }
export type SqlValue = string | number | bigint | boolean | null | Date | SqlFragment | readonly SqlValue[];

export class SqlValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SqlValueError';
  }
}

const ESCAPES: Record<string, string> = {
  '\\': '\\\\', "'": "\\'", '\0': '\\0', '\b': '\\b', '\f': '\\f', '\r': '\\r', '\n': '\\n', '\t': '\\t',
};

/** A ClickHouse string literal: backslash and quote escaped, control characters spelled out. */
export function quoteString(s: string): string {
  return "'" + s.replace(/[\\'\0\b\f\r\n\t]/g, (c) => ESCAPES[c] as string) + "'";
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** An identifier (database, table, column, alias): plain names only, anything else is refused. */
export function ident(name: string): SqlFragment {
  if (!IDENT.test(name)) throw new SqlValueError(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return { [RAW]: name };
}

/** A trusted fragment written in our own code (never from input). */
export function raw(fragment: string): SqlFragment {
  return { [RAW]: fragment };
}

function isFragment(v: unknown): v is SqlFragment {
  return typeof v === 'object' && v !== null && RAW in v;
}

/** Render one value as a literal. */
export function literal(v: SqlValue): string {
  if (v === null) return 'NULL';
  if (isFragment(v)) return v[RAW];
  if (typeof v === 'string') return quoteString(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new SqlValueError(`not a finite number: ${v}`);
    return String(v);
  }
  if (v instanceof Date) {
    const t = v.getTime();
    if (!Number.isFinite(t)) throw new SqlValueError('invalid Date');
    return `toDateTime(${Math.floor(t / 1000)})`;
  }
  if (Array.isArray(v)) return '[' + v.map(literal).join(', ') + ']';
  throw new SqlValueError(`unsupported SQL value of type ${typeof v}`);
}

/** Tagged template: sql`SELECT x FROM ${ident('t')} WHERE a = ${value}`; returns the SQL text. */
export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): string {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += literal(values[i] as SqlValue) + (strings[i + 1] ?? '');
  return out;
}

/** sql`` as a fragment, for composing statements from pieces. */
export function fragment(strings: TemplateStringsArray, ...values: SqlValue[]): SqlFragment {
  return raw(sql(strings, ...values));
}
