// Decoded records -> JSONEachRow rows for switchyard.requests / switchyard.responses.
// Every column is written explicitly: ClickHouse 18.16 stores the type's zero value (not the
// column DEFAULT) for a column a JSONEachRow row omits. Numbers are clamped into their column's
// range because 18.16 rejects a whole insert for a negative UInt ("Unsigned type must not contain
// '-'") and silently wraps an oversized one; a batch that can never be inserted would stall the
// partition forever, so the mapping makes every decodable record insertable.
import type { RequestRecord, ResponseRecord } from '@switchyard/schemas';

export const REQUESTS_TABLE = 'switchyard.requests';
export const RESPONSES_TABLE = 'switchyard.responses';
export type TableName = typeof REQUESTS_TABLE | typeof RESPONSES_TABLE;

/** Columns of switchyard.requests, in table order (Nested metadata as its two array columns). */
export const REQUEST_COLUMNS = [
  'log_id', 'request_id', 'event_id', 'ts', 'ts_ms', 'gateway', 'node_id', 'route', 'provider', 'model', 'path',
  'stream', 'metadata.key', 'metadata.value', 'token_id', 'request_bytes', 'body',
  'schema_version', 'kafka_partition', 'kafka_offset', 'ingested_at',
] as const;

/** Columns of switchyard.responses, in table order. */
export const RESPONSE_COLUMNS = [
  'log_id', 'request_id', 'event_id', 'ts', 'ts_ms', 'end_ms', 'gateway', 'node_id', 'route', 'provider', 'model',
  'stream', 'metadata.key', 'metadata.value', 'token_id', 'status', 'outcome', 'error_code', 'upstream_status',
  'input_tokens', 'cached_input_tokens', 'cache_write_tokens', 'output_tokens', 'reasoning_tokens', 'usage_source',
  'latency_ms', 'ttft_ms', 'cache_status', 'attempts', 'step', 'custom_cost_in', 'custom_cost_out',
  'response_bytes', 'body', 'limit_hit', 'budget_reserved_usd', 'budget_settled_usd', 'key_alias',
  'schema_version', 'kafka_partition', 'kafka_offset', 'ingested_at',
] as const;

type Columns<C extends readonly string[]> = { [K in C[number]]: unknown };

export interface RequestRow extends Columns<typeof REQUEST_COLUMNS> {
  log_id: string; request_id: string; event_id: string | null; ts: number; ts_ms: number;
  gateway: string; node_id: string; route: string; provider: string; model: string; path: string;
  stream: 0 | 1; 'metadata.key': string[]; 'metadata.value': string[]; token_id: string | null;
  request_bytes: number; body: string | null;
  schema_version: number; kafka_partition: number; kafka_offset: number; ingested_at: number;
}

export interface ResponseRow extends Columns<typeof RESPONSE_COLUMNS> {
  log_id: string; request_id: string; event_id: string | null; ts: number; ts_ms: number; end_ms: number;
  gateway: string; node_id: string; route: string; provider: string; model: string;
  stream: 0 | 1; 'metadata.key': string[]; 'metadata.value': string[]; token_id: string | null;
  status: number; outcome: string; error_code: string | null; upstream_status: number;
  input_tokens: number; cached_input_tokens: number; cache_write_tokens: number; output_tokens: number;
  reasoning_tokens: number; usage_source: string; latency_ms: number; ttft_ms: number | null;
  cache_status: string; attempts: number; step: number; custom_cost_in: number | null; custom_cost_out: number | null;
  response_bytes: number; body: string | null;
  limit_hit: string | null; budget_reserved_usd: number; budget_settled_usd: number; key_alias: string | null;
  schema_version: number; kafka_partition: number; kafka_offset: number; ingested_at: number;
}

/** Where a record came from and when ingest read it; the same for every column mapping. */
export interface RowOrigin {
  /** Writer schema version (from the frame's fingerprint). */
  schemaVersion: number;
  partition: number;
  /** Kafka offset as kafkajs gives it (a decimal string). */
  offset: string;
  /** Epoch seconds; the ReplacingMergeTree version column, so the latest replay wins. */
  ingestedAt: number;
}

const UINT16_MAX = 65_535;
const UINT32_MAX = 4_294_967_295;

/** Clamp an integer into [0, max]; Avro ints/longs can be negative, the columns cannot. */
function clampUint(n: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!(n > 0)) return 0; // also maps NaN to 0
  return n > max ? max : Math.trunc(n);
}

function nullableUint(n: number | null): number | null {
  return n === null ? null : clampUint(n);
}

function finiteOrZero(n: number): number {
  return Number.isFinite(n) ? n : 0;
}

function nullableFloat(n: number | null): number | null {
  return n === null || !Number.isFinite(n) ? null : n;
}

/** DateTime column value: whole epoch seconds within DateTime's UInt32 range. */
export function epochSeconds(ms: number): number {
  return clampUint(Math.floor(ms / 1000), UINT32_MAX);
}

function metadataColumns(metadata: Record<string, string>): { keys: string[]; values: string[] } {
  const keys: string[] = [];
  const values: string[] = [];
  for (const key in metadata) {
    keys.push(key);
    values.push(metadata[key] as string);
  }
  return { keys, values };
}

/** Where ingest read the record: the last columns of both tables. */
function originColumns(o: RowOrigin) {
  return {
    schema_version: clampUint(o.schemaVersion, UINT16_MAX),
    kafka_partition: clampUint(o.partition, UINT32_MAX),
    kafka_offset: clampUint(Number(o.offset)),
    ingested_at: o.ingestedAt,
  };
}

export function requestRow(r: RequestRecord, o: RowOrigin): RequestRow {
  const meta = metadataColumns(r.metadata);
  return {
    log_id: r.log_id,
    request_id: r.request_id,
    event_id: r.event_id,
    ts: epochSeconds(r.ts_ms),
    ts_ms: clampUint(r.ts_ms),
    gateway: r.gateway,
    node_id: r.node_id,
    route: r.route,
    provider: r.provider,
    model: r.model,
    path: r.path,
    stream: r.stream ? 1 : 0,
    'metadata.key': meta.keys,
    'metadata.value': meta.values,
    token_id: r.token_id,
    request_bytes: clampUint(r.request_bytes),
    body: r.body,
    ...originColumns(o),
  };
}

export function responseRow(r: ResponseRecord, o: RowOrigin): ResponseRow {
  const meta = metadataColumns(r.metadata);
  return {
    log_id: r.log_id,
    request_id: r.request_id,
    event_id: r.event_id,
    ts: epochSeconds(r.ts_ms),
    ts_ms: clampUint(r.ts_ms),
    end_ms: clampUint(r.end_ms),
    gateway: r.gateway,
    node_id: r.node_id,
    route: r.route,
    provider: r.provider,
    model: r.model,
    stream: r.stream ? 1 : 0,
    'metadata.key': meta.keys,
    'metadata.value': meta.values,
    token_id: r.token_id,
    status: clampUint(r.status, UINT16_MAX),
    outcome: r.outcome,
    error_code: r.error_code,
    upstream_status: clampUint(r.upstream_status, UINT16_MAX),
    input_tokens: clampUint(r.input_tokens),
    cached_input_tokens: clampUint(r.cached_input_tokens),
    cache_write_tokens: clampUint(r.cache_write_tokens),
    output_tokens: clampUint(r.output_tokens),
    reasoning_tokens: clampUint(r.reasoning_tokens),
    usage_source: r.usage_source,
    latency_ms: clampUint(r.latency_ms),
    ttft_ms: nullableUint(r.ttft_ms),
    cache_status: r.cache_status,
    attempts: clampUint(r.attempts, UINT16_MAX),
    step: clampUint(r.step, UINT16_MAX),
    custom_cost_in: nullableFloat(r.custom_cost_in),
    custom_cost_out: nullableFloat(r.custom_cost_out),
    response_bytes: clampUint(r.response_bytes),
    body: r.body,
    limit_hit: r.limit_hit,
    budget_reserved_usd: finiteOrZero(r.budget_reserved_usd),
    budget_settled_usd: finiteOrZero(r.budget_settled_usd),
    key_alias: r.key_alias,
    ...originColumns(o),
  };
}

/** Rows of one flush, per table. */
export interface TableRows {
  requests: RequestRow[];
  responses: ResponseRow[];
}
