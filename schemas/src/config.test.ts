import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, expandEnv, parseConfig } from './config.ts';

const Schema = z.strictObject({ name: z.string(), port: z.number().default(1) });

describe('config loading', () => {
  it('expands ${VAR} and ${VAR:-default}', () => {
    expect(expandEnv({ a: '${X}/v1', b: ['${Y:-fallback}'] }, { X: 'http://h' })).toEqual({ a: 'http://h/v1', b: ['fallback'] });
  });
  it('fails clearly on a referenced variable that is not set', () => {
    expect(() => expandEnv('${MISSING_VAR}', {})).toThrow(/MISSING_VAR/);
  });
  it('rejects unknown fields with the path of each problem', () => {
    try {
      parseConfig(Schema, { name: 'x', extra: 1 }, {});
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.join()).toMatch(/extra/);
    }
  });
  it('returns a frozen, defaulted config', () => {
    const c = parseConfig(Schema, { name: 'x' }, {});
    expect(c).toEqual({ name: 'x', port: 1 });
    expect(Object.isFrozen(c)).toBe(true);
  });
});
