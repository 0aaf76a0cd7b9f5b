// Environment configuration, validated once at start-up (unknown keys cannot occur: only the
// variables below are read) and frozen.
import { z } from 'zod';
import { parseConfig } from '@switchyard/schemas';

const port = z.coerce.number().int().min(1).max(65535);

export const EnvConfig = z.strictObject({
  CLICKHOUSE_URL: z.url({ protocol: /^https?$/ }),
  ANALYTICS_PORT: port.default(8790),
  ANALYTICS_HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** ClickHouse max_execution_time for rollup queries. */
  ANALYTICS_QUERY_TIMEOUT_S: z.coerce.number().int().min(1).max(3600).default(30),
  /** A price catalog file other than schemas/prices/catalog.json. */
  PRICE_CATALOG: z.string().min(1).optional(),
});
export type EnvConfig = z.infer<typeof EnvConfig>;

export function readEnvConfig(env: NodeJS.ProcessEnv = process.env): Readonly<EnvConfig> {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(EnvConfig.shape)) {
    const value = env[key];
    // An empty variable means "not set", so defaults apply.
    if (value !== undefined && value !== '') picked[key] = value;
  }
  return parseConfig(EnvConfig, picked, env);
}
