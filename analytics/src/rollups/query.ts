// The one usage query behind every rollup: response rows in [from, to), grouped by a time bucket
// and (gateway, provider, model). Token sums are returned twice: over all rows (what the API
// reports) and over catalog-priced rows only (what gets priced with the catalog in cost.ts).
// Rows carrying a cf-aig-custom-cost are priced per row in SQL, because their price differs per
// row. Built with the schemas SQL helper only: ClickHouse 18.16 has no query parameters.
import { fragment, ident, literal, raw, sql, type PriceCatalog, type SqlFragment, type TokenUsage } from '@switchyard/schemas';
import { FILTER_NAMES, type RollupParams } from '../params.ts';
import { toCount, toUsd } from '../clickhouse.ts';

// Why the table with FINAL and not the switchyard.responses_final view (which is exactly
// `SELECT * FROM switchyard.responses FINAL`): ClickHouse 18.16 does not push a WHERE into a
// view (not even with enable_optimize_predicate_expression = 1), so every query through the view
// merges the whole table. Measured on 18.16 with 2M rows: 2,000,000 rows read through the view
// against 2,048 with the filter beside FINAL. Same rows, same deduplication by log_id.
export const RESPONSES_SOURCE = raw('switchyard.responses FINAL');

const HOUR_MS = 3_600_000;
const HOUR_START = raw(`intDiv(ts_ms, ${HOUR_MS}) * ${HOUR_MS}`);
/** Cache hits were served by the gateway without a provider call: they cost nothing. */
const BILLED = "cache_status != 'HIT'";
/** A billed row is priced by the catalog unless the request carried a custom cost. */
const CATALOG_PRICED = raw(`${BILLED} AND isNull(custom_cost_in) AND isNull(custom_cost_out)`);
const CUSTOM_PRICED = raw(`${BILLED} AND NOT (isNull(custom_cost_in) AND isNull(custom_cost_out))`);
/** cf-aig-custom-cost: every input kind at per_token_in, all output at per_token_out (= customCostOf). A missing side costs 0. */
const CUSTOM_COST = raw(
  '(input_tokens + cached_input_tokens + cache_write_tokens) * ifNull(custom_cost_in, 0) + output_tokens * ifNull(custom_cost_out, 0)',
);

export type Bucket =
  /** One group per UTC hour. */
  | { kind: 'hour' }
  /**
   * One group per stretch of hours in which no catalog price changes. Pricing is linear in the
   * token counts, so this costs the same as summing hourly groups while returning far fewer rows.
   * `boundariesMs` are the hour starts at which some price takes effect (see priceBoundaries).
   */
  | { kind: 'price_period'; boundariesMs: readonly number[] };

export interface UsageQuery extends RollupParams {
  bucket: Bucket;
  timeoutSeconds: number;
}

/**
 * The hour starts at which some catalog price comes into force. Prices apply per hour at the
 * hour's start (priceAt(provider, model, hourStartMs)), so an entry effective at 10:30 first
 * applies to the 11:00 hour: effective_from rounded up to the hour.
 */
export function priceBoundaries(catalog: PriceCatalog): number[] {
  const hours = new Set(catalog.entries().map((p) => Math.ceil(p.effectiveFromMs / HOUR_MS) * HOUR_MS));
  return [...hours].sort((a, b) => a - b);
}

function bucketKey(bucket: Bucket): SqlFragment {
  if (bucket.kind === 'hour') return HOUR_START;
  // Hour-aligned boundaries: b <= hour start  <=>  b <= ts_ms.
  if (bucket.boundariesMs.length === 0) return raw('0');
  return fragment`arrayCount(b -> b <= ts_ms, ${bucket.boundariesMs})`;
}

export function buildUsageQuery(q: UsageQuery): string {
  const where: SqlFragment[] = [
    // `ts` (seconds, in the sorting key and partition key) prunes parts and granules; `ts_ms`
    // then decides exactly. ts is ts_ms truncated to the second; one second of slack either side
    // keeps the coarse filter from ever cutting a row the exact one would keep.
    fragment`ts >= toDateTime(${Math.max(0, Math.floor(q.fromMs / 1000) - 1)})`,
    fragment`ts <= toDateTime(${Math.min(2 ** 32 - 1, Math.ceil(q.toMs / 1000) + 1)})`,
    fragment`ts_ms >= ${q.fromMs}`,
    fragment`ts_ms < ${q.toMs}`,
  ];
  for (const name of FILTER_NAMES) {
    const value = q.filters[name];
    if (value !== undefined) where.push(fragment`${ident(name)} = ${value}`);
  }
  const timeout = Math.max(1, Math.ceil(q.timeoutSeconds));
  return sql`SELECT
  ${bucketKey(q.bucket)} AS bucket_key,
  min(${HOUR_START}) AS bucket_start_ms,
  gateway AS gateway,
  provider AS provider,
  model AS model,
  count() AS requests,
  countIf(outcome != 'success') AS errors,
  sum(input_tokens) AS sum_input_tokens,
  sum(cached_input_tokens) AS sum_cached_input_tokens,
  sum(cache_write_tokens) AS sum_cache_write_tokens,
  sum(output_tokens) AS sum_output_tokens,
  sum(reasoning_tokens) AS sum_reasoning_tokens,
  countIf(${CATALOG_PRICED}) AS catalog_requests,
  sumIf(input_tokens, ${CATALOG_PRICED}) AS catalog_input_tokens,
  sumIf(cached_input_tokens, ${CATALOG_PRICED}) AS catalog_cached_input_tokens,
  sumIf(cache_write_tokens, ${CATALOG_PRICED}) AS catalog_cache_write_tokens,
  sumIf(output_tokens, ${CATALOG_PRICED}) AS catalog_output_tokens,
  sumIf(reasoning_tokens, ${CATALOG_PRICED}) AS catalog_reasoning_tokens,
  sumIf(${CUSTOM_COST}, ${CUSTOM_PRICED}) AS custom_cost_usd
FROM ${RESPONSES_SOURCE}
WHERE ${raw(where.map((w) => literal(w)).join('\n  AND '))}
GROUP BY bucket_key, gateway, provider, model
ORDER BY bucket_start_ms, gateway, provider, model
SETTINGS max_execution_time = ${timeout}`;
}

/** One group as ClickHouse returns it (JSONEachRow): 64-bit integers arrive as strings. */
export interface UsageRowJson {
  bucket_key: string | number;
  bucket_start_ms: string | number;
  gateway: string;
  provider: string;
  model: string;
  requests: string | number;
  errors: string | number;
  sum_input_tokens: string | number;
  sum_cached_input_tokens: string | number;
  sum_cache_write_tokens: string | number;
  sum_output_tokens: string | number;
  sum_reasoning_tokens: string | number;
  catalog_requests: string | number;
  catalog_input_tokens: string | number;
  catalog_cached_input_tokens: string | number;
  catalog_cache_write_tokens: string | number;
  catalog_output_tokens: string | number;
  catalog_reasoning_tokens: string | number;
  custom_cost_usd: string | number;
}

export interface UsageGroup {
  /** Start of the first hour in the group (the hour itself for hourly buckets). */
  bucketStartMs: number;
  gateway: string;
  provider: string;
  model: string;
  requests: number;
  errors: number;
  tokens: TokenUsage;
  /** Requests and token sums of the rows without a custom cost. */
  catalogRequests: number;
  catalogTokens: TokenUsage;
  /** Cost of the rows with a custom cost, already summed by ClickHouse. */
  customCostUsd: number;
}

export function toUsageGroup(r: UsageRowJson): UsageGroup {
  return {
    bucketStartMs: toCount(r.bucket_start_ms, 'bucket_start_ms'),
    gateway: r.gateway,
    provider: r.provider,
    model: r.model,
    requests: toCount(r.requests, 'requests'),
    errors: toCount(r.errors, 'errors'),
    tokens: {
      input_tokens: toCount(r.sum_input_tokens, 'sum_input_tokens'),
      cached_input_tokens: toCount(r.sum_cached_input_tokens, 'sum_cached_input_tokens'),
      cache_write_tokens: toCount(r.sum_cache_write_tokens, 'sum_cache_write_tokens'),
      output_tokens: toCount(r.sum_output_tokens, 'sum_output_tokens'),
      reasoning_tokens: toCount(r.sum_reasoning_tokens, 'sum_reasoning_tokens'),
    },
    catalogRequests: toCount(r.catalog_requests, 'catalog_requests'),
    catalogTokens: {
      input_tokens: toCount(r.catalog_input_tokens, 'catalog_input_tokens'),
      cached_input_tokens: toCount(r.catalog_cached_input_tokens, 'catalog_cached_input_tokens'),
      cache_write_tokens: toCount(r.catalog_cache_write_tokens, 'catalog_cache_write_tokens'),
      output_tokens: toCount(r.catalog_output_tokens, 'catalog_output_tokens'),
      reasoning_tokens: toCount(r.catalog_reasoning_tokens, 'catalog_reasoning_tokens'),
    },
    customCostUsd: toUsd(r.custom_cost_usd, 'custom_cost_usd'),
  };
}
