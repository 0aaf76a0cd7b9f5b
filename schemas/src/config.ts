// Config loading shared by every service: a JSON file (or embedded defaults), `${ENV}` references
// expanded, validated once against a zod schema that rejects unknown fields, then deep-frozen.
import { readFileSync } from 'node:fs';
import type { z } from 'zod';

export class ConfigError extends Error {
  readonly issues: string[];
  constructor(message: string, issues: string[] = []) {
    super(issues.length ? `${message}:\n  - ${issues.join('\n  - ')}` : message);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** Replace "${NAME}" and "${NAME:-default}" inside string values with environment values. */
export function expandEnv(value: unknown, env: NodeJS.ProcessEnv = process.env): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g, (_, name: string, fallback?: string) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      throw new ConfigError(`environment variable ${name} is referenced by the config but not set`);
    });
  }
  if (Array.isArray(value)) return value.map((v) => expandEnv(v, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, env)]));
  }
  return value;
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Validate raw config (already parsed JSON) and freeze it. */
export function parseConfig<S extends z.ZodType>(schema: S, raw: unknown, env: NodeJS.ProcessEnv = process.env): Readonly<z.infer<S>> {
  const expanded = expandEnv(raw, env);
  const result = schema.safeParse(expanded);
  if (!result.success) {
    throw new ConfigError(
      'invalid configuration',
      result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`),
    );
  }
  return deepFreeze(result.data);
}

/** Read a JSON config file; `undefined` path means the embedded defaults given. */
export function loadConfig<S extends z.ZodType>(schema: S, path: string | undefined, defaults: unknown, env: NodeJS.ProcessEnv = process.env): Readonly<z.infer<S>> {
  let raw: unknown = defaults;
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
    }
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
    }
  }
  return parseConfig(schema, raw, env);
}
