// Service configuration from the environment, validated once with zod (via parseConfig: unknown
// keys rejected, result frozen). Defaults are written as ${VAR:-default} so the shared env
// expansion supplies them and an empty variable means "use the default".
import { z } from 'zod';
import { TOPICS, parseConfig } from '@switchyard/schemas';
import { DEFAULT_GROUP_ID, DEFAULT_MAX_BATCH_ROWS, DEFAULT_MAX_BATCH_WAIT_MS, DEFAULT_STOP_TIMEOUT_MS } from './ingest.ts';

export const DEFAULT_METRICS_PORT = 9464;

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const IngestConfigSchema = z.strictObject({
  brokers: z
    .string()
    .transform((s) => s.split(',').map((b) => b.trim()).filter((b) => b.length > 0))
    .pipe(z.array(z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'expected host:port')).min(1, 'at least one broker')),
  clickhouseUrl: z.url({ protocol: /^https?$/ }),
  groupId: z.string().min(1),
  topic: z.string().regex(TOPIC_NAME),
  deadLetterTopic: z.string().regex(TOPIC_NAME),
  maxBatchRows: int(1, 1_000_000),
  maxBatchWaitMs: int(0, 600_000),
  stopTimeoutMs: int(0, 600_000),
  metricsPort: int(0, 65_535),
});

export type IngestConfig = z.infer<typeof IngestConfigSchema>;

/** Environment variables read by the ingest service, with their defaults. */
export const INGEST_ENV = {
  brokers: '${KAFKA_BROKERS:-127.0.0.1:9092}',
  clickhouseUrl: '${CLICKHOUSE_URL:-http://127.0.0.1:8123}',
  groupId: `\${INGEST_GROUP_ID:-${DEFAULT_GROUP_ID}}`,
  topic: `\${INGEST_TOPIC:-${TOPICS.records}}`,
  deadLetterTopic: `\${INGEST_DEAD_LETTER_TOPIC:-${TOPICS.deadLetter}}`,
  maxBatchRows: `\${INGEST_MAX_BATCH_ROWS:-${DEFAULT_MAX_BATCH_ROWS}}`,
  maxBatchWaitMs: `\${INGEST_MAX_BATCH_WAIT_MS:-${DEFAULT_MAX_BATCH_WAIT_MS}}`,
  stopTimeoutMs: `\${INGEST_STOP_TIMEOUT_MS:-${DEFAULT_STOP_TIMEOUT_MS}}`,
  metricsPort: `\${INGEST_METRICS_PORT:-${DEFAULT_METRICS_PORT}}`,
} as const;

/** Throws ConfigError listing every invalid variable. */
export function ingestConfigFromEnv(env: NodeJS.ProcessEnv = process.env): Readonly<IngestConfig> {
  return parseConfig(IngestConfigSchema, INGEST_ENV, env);
}
