import { describe, expect, it } from 'vitest';
import { ConfigError } from '@switchyard/schemas';
import { readEnvConfig } from './config.ts';

describe('readEnvConfig', () => {
  it('applies defaults for everything but CLICKHOUSE_URL, ignoring unrelated variables', () => {
    const config = readEnvConfig({ CLICKHOUSE_URL: 'http://127.0.0.1:8123', HOME: '/root', ANALYTICS_PORT: '' });
    expect(config).toEqual({
      CLICKHOUSE_URL: 'http://127.0.0.1:8123', ANALYTICS_PORT: 8790, ANALYTICS_HOST: '127.0.0.1', LOG_LEVEL: 'info', ANALYTICS_QUERY_TIMEOUT_S: 30,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the port and timeout as numbers', () => {
    const config = readEnvConfig({ CLICKHOUSE_URL: 'https://ch.example:8443', ANALYTICS_PORT: '9000', ANALYTICS_QUERY_TIMEOUT_S: '5', LOG_LEVEL: 'warn' });
    expect([config.ANALYTICS_PORT, config.ANALYTICS_QUERY_TIMEOUT_S, config.LOG_LEVEL]).toEqual([9000, 5, 'warn']);
  });

  it.each([
    ['a missing CLICKHOUSE_URL', {}],
    ['a CLICKHOUSE_URL that is not http(s)', { CLICKHOUSE_URL: 'tcp://127.0.0.1:9000' }],
    ['a port out of range', { CLICKHOUSE_URL: 'http://h:1', ANALYTICS_PORT: '70000' }],
    ['a port that is not a number', { CLICKHOUSE_URL: 'http://h:1', ANALYTICS_PORT: 'eighty' }],
    ['an unknown log level', { CLICKHOUSE_URL: 'http://h:1', LOG_LEVEL: 'loud' }],
  ])('rejects %s with a ConfigError', (_, env) => {
    expect(() => readEnvConfig(env)).toThrow(ConfigError);
  });
});
