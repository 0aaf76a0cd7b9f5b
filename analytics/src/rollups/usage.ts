// Shared by the rollup routes: what a route needs from the app, and running the usage query.
import type { ClickHouseClient } from '@clickhouse/client';
import type { PriceCatalog } from '@switchyard/schemas';
import { selectRows } from '../clickhouse.ts';
import type { RollupParams } from '../params.ts';
import { buildUsageQuery, toUsageGroup, type Bucket, type UsageGroup, type UsageRowJson } from './query.ts';
import type { GroupCost } from './cost.ts';
import type { Measures } from './schema.ts';

export interface RollupDeps {
  clickhouse: ClickHouseClient;
  catalog: PriceCatalog;
  queryTimeoutSeconds: number;
  /** priceBoundaries(catalog), resolved once at start-up. */
  priceBoundariesMs: readonly number[];
}

export async function queryUsage(deps: RollupDeps, params: RollupParams, bucket: Bucket): Promise<UsageGroup[]> {
  const query = buildUsageQuery({ ...params, bucket, timeoutSeconds: deps.queryTimeoutSeconds });
  const rows = await selectRows<UsageRowJson>(deps.clickhouse, query);
  return rows.map(toUsageGroup);
}

export function measuresOf(group: UsageGroup, cost: GroupCost): Measures {
  return { requests: group.requests, errors: group.errors, ...group.tokens, ...cost };
}

/** Add b into a (same fields). */
export function addMeasures(a: Measures, b: Measures): void {
  a.requests += b.requests;
  a.errors += b.errors;
  a.input_tokens += b.input_tokens;
  a.cached_input_tokens += b.cached_input_tokens;
  a.cache_write_tokens += b.cache_write_tokens;
  a.output_tokens += b.output_tokens;
  a.reasoning_tokens += b.reasoning_tokens;
  a.cost_usd += b.cost_usd;
  a.unpriced_requests += b.unpriced_requests;
}
