// @switchyard/ingest: Kafka records -> ClickHouse, at least once, idempotent by log_id.
export { startIngest, DEFAULT_GROUP_ID, DEFAULT_MAX_BATCH_ROWS, DEFAULT_MAX_BATCH_WAIT_MS, DEFAULT_STOP_TIMEOUT_MS } from './ingest.ts';
export type { IngestOptions, IngestHandle } from './ingest.ts';
export type { IngestMetrics } from './metrics.ts';
export { renderPrometheus } from './metrics.ts';
export { migrate, loadMigrations, splitStatements, MIGRATIONS_DIR } from './migrate.ts';
export type { Migration } from './migrate.ts';
export { REQUESTS_TABLE, RESPONSES_TABLE, REQUEST_COLUMNS, RESPONSE_COLUMNS, requestRow, responseRow } from './rows.ts';
export type { RequestRow, ResponseRow, RowOrigin } from './rows.ts';
export { ingestConfigFromEnv, IngestConfigSchema } from './config.ts';
export type { IngestConfig } from './config.ts';
export type { BackoffOptions } from './retry.ts';
